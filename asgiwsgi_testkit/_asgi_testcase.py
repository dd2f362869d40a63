"""ASGITestCase: an IsolatedAsyncioTestCase with `self.client` (an ASGITestClient) and the assertion helpers.

Lifespan startup runs in `asyncSetUp` and shutdown is registered as an async
cleanup, so a subclass that overrides `asyncSetUp` and calls `super()` keeps
both. Kept apart from _testcase so WSGI-only runs never import asyncio.
"""

from __future__ import annotations

import unittest
from typing import Any

from ._asgi_client import ASGITestClient
from ._assertions import ResponseAssertions
from ._testcase import AppTestMixin

__all__ = ["ASGITestCase"]


class ASGITestCase(AppTestMixin[ASGITestClient], ResponseAssertions, unittest.IsolatedAsyncioTestCase):
    """A TestCase for an ASGI app: `self.client` is an ASGITestClient whose lifespan spans the test."""

    def _client_class(self) -> type[ASGITestClient]:
        return ASGITestClient

    async def asyncSetUp(self) -> None:
        await super().asyncSetUp()
        client = self.__dict__["_testkit_client"] = self.create_client()
        await client.startup()
        if _no_lifespan_up(client):
            # Nothing to shut down (mode 'off', or an app without lifespan): a sync cleanup spares each test
            # a trip through its event loop (a Task in a debug-mode loop), unless the test started one itself.
            self.addCleanup(_shutdown_if_started, client)
        else:
            self.addAsyncCleanup(client.shutdown)


def _no_lifespan_up(client: Any) -> bool:
    """True for a kit client (shutdown not overridden) whose lifespan is not running."""
    lifespan = getattr(client, "_lifespan", None)
    return isinstance(client, ASGITestClient) and type(client).shutdown is ASGITestClient.shutdown and lifespan is not None and not lifespan.started


def _shutdown_if_started(client: ASGITestClient) -> None:
    """The cleanup when no lifespan was up after asyncSetUp: shut down one the test started (cleanups run between loop calls)."""
    loop = client._lifespan.loop
    if client._lifespan.started and loop is not None and not loop.is_closed():
        loop.run_until_complete(client.shutdown())
