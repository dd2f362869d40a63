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


class ASGITestCase(AppTestMixin, ResponseAssertions, unittest.IsolatedAsyncioTestCase):
    """A TestCase for an ASGI app: `self.client` is an ASGITestClient whose lifespan spans the test."""

    def _client_class(self) -> Any:
        return ASGITestClient

    async def asyncSetUp(self) -> None:
        await super().asyncSetUp()
        client = self.__dict__["_testkit_client"] = self.create_client()
        await client.startup()
        self.addAsyncCleanup(client.shutdown)
