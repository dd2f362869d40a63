"""WSGITestCase: a unittest.TestCase with `self.client` and the assertion helpers.

The app comes from the `app` class attribute (read when each test runs, never
bound as a method) or from `get_app()`, called exactly once per test. The
ASGI twin lives in _asgi_testcase so that a WSGI-only test run never imports
asyncio.
"""

from __future__ import annotations

import unittest
from typing import Any, Callable, Generic, TypeVar

from ._assertions import ResponseAssertions
from ._wsgi_client import WSGITestClient

__all__ = ["AppTestMixin", "WSGITestCase"]


_Client = TypeVar("_Client")


class AppTestMixin(Generic[_Client]):
    """Finds the app and builds the client; shared by WSGITestCase and ASGITestCase (typed by their client)."""

    #: the app under test; a plain function is fine (it is not bound as a method)
    app: Any = None
    #: keyword arguments for the client
    client_options: dict[str, Any] = {}

    def get_app(self) -> Any:
        """Return the app under test; override to build a fresh app for every test."""
        for klass in type(self).__mro__:
            if "app" in klass.__dict__:
                app = klass.__dict__["app"]
                if isinstance(app, (staticmethod, classmethod)):
                    app = app.__get__(None, type(self))
                if app is not None:
                    return app
                break
        raise TypeError(f"{type(self).__name__} has no app: set an `app` class attribute or override get_app()")

    def _client_class(self) -> Callable[..., _Client]:  # pragma: no cover - overridden
        raise NotImplementedError

    def create_client(self) -> _Client:
        """Return the client for one test (the app from get_app(), options from client_options)."""
        options = self.client_options
        if not isinstance(options, dict):
            raise TypeError(f"{type(self).__name__}.client_options must be a dict, not {type(options).__name__}")
        return self._client_class()(self.get_app(), **options)

    @property
    def client(self) -> _Client:
        """The test's client, created in setUp (or on first use if setUp was overridden without super())."""
        client: _Client | None = self.__dict__.get("_testkit_client")
        if client is None:
            client = self.__dict__["_testkit_client"] = self.create_client()
        return client

    @client.setter
    def client(self, value: _Client) -> None:
        self.__dict__["_testkit_client"] = value


class WSGITestCase(AppTestMixin[WSGITestClient], ResponseAssertions, unittest.TestCase):
    """A TestCase for a WSGI app: `self.client` is a WSGITestClient, plus the assertion helpers."""

    def _client_class(self) -> type[WSGITestClient]:
        return WSGITestClient

    def setUp(self) -> None:
        super().setUp()
        self.__dict__["_testkit_client"] = self.create_client()
