"""ASGITestClient: the async client for ASGI apps, running in the caller's event loop.

Each verb builds a request (_client_core), a scope (_asgi_scope), runs one
HTTPExchange in the caller's task (_asgi_call), keeps cookies and follows
redirects. `stream()` pulls the body from the app chunk by chunk (_asgi_stream);
lifespan lives in _asgi_lifespan. No threads, no asyncio.run, nothing pending.
"""

from __future__ import annotations

import traceback
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from ._asgi_call import HTTPExchange, run_http
from ._asgi_lifespan import LIFESPAN_MODES, Lifespan
from ._asgi_response import ASGITestResponse
from ._asgi_scope import check_http_version, handshake_defaults, scope_for, with_root_path
from ._asgi_stream import StreamReader
from ._asgi_validate import validate_asgi
from ._asgi_websocket import WebSocketSession
from ._client_core import ClientCore, ClientSettings, RedirectTracker
from ._content import UNSET
from ._detect import as_asgi3
from ._errors import ProtocolError, TestkitError
from ._headers import Headers
from ._request import DEFAULT_CLIENT, SentRequest, check_client

__all__ = ["ASGITestClient"]

_REQUEST_ARGUMENTS = ("query", "query_string", "headers", "body", "json", "form", "files", "cookies")


class ASGITestClient(ClientSettings):
    """Call an ASGI app in-process, in the test's own event loop, as uvicorn would.

    Options as WSGITestClient's (`base_url`, `headers`, `cookies`,
    `follow_redirects`, `raise_server_exceptions`, `validate`) plus `lifespan`
    ('auto', 'on', 'off'), `timeout` (seconds the app may take for any one
    step), `client`, `http_version` and `root_path`. The client may be created
    outside any running loop and used in any later one.
    """

    __test__ = False  # a "Test*"-like class that pytest must not collect

    def __init__(
        self,
        app: Any,
        *,
        base_url: str = "http://testserver",
        headers: Any = None,
        cookies: Any = True,
        follow_redirects: bool = False,
        raise_server_exceptions: bool = True,
        validate: bool = True,
        lifespan: str = "auto",
        timeout: float = 5.0,
        client: tuple[str, int] = DEFAULT_CLIENT,
        http_version: str = "1.1",
        root_path: str | None = None,
    ) -> None:
        self.app = as_asgi3(app)
        self._core = ClientCore(
            base_url=base_url,
            headers=headers,
            cookies=cookies,
            follow_redirects=follow_redirects,
            raise_server_exceptions=raise_server_exceptions,
            validate=validate,
        )
        if root_path is not None:
            self._core.base = with_root_path(self._core.base, root_path)
        if lifespan not in LIFESPAN_MODES:
            raise ValueError(f"lifespan= must be 'auto', 'on' or 'off', not {lifespan!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"timeout= must be a positive number of seconds, not {timeout!r}")
        self.timeout = float(timeout)
        self._called_app = validate_asgi(self.app) if validate else self.app
        self._lifespan = Lifespan(self._called_app, lifespan, self.timeout, identity=app)
        self._client = check_client(client)
        self._http_version = check_http_version(http_version)

    @property
    def state(self) -> dict[str, Any]:
        """The lifespan state dict (what startup stored); each request gets a shallow copy."""
        return self._lifespan.state

    # -- lifespan ---------------------------------------------------------------------

    async def startup(self) -> None:
        """Run lifespan startup (nothing in mode 'off' or when the app has no lifespan)."""
        await self._lifespan.startup()

    async def shutdown(self) -> None:
        """Run lifespan shutdown and wait for the app's lifespan task to return."""
        await self._lifespan.shutdown()

    async def __aenter__(self) -> ASGITestClient:
        await self.startup()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.shutdown()

    # -- requests ----------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Any = None,
        query_string: Any = None,
        headers: Any = None,
        body: Any = None,
        json: Any = UNSET,
        form: Any = None,
        files: Any = None,
        cookies: Any = None,
        follow_redirects: bool | None = None,
    ) -> ASGITestResponse:
        """Send one request and return the whole response (redirects followed when asked)."""
        arguments = {"query": query, "query_string": query_string, "headers": headers, "body": body, "json": json, "form": form, "files": files, "cookies": cookies}
        return await self._send(method, path, arguments, follow_redirects)

    async def get(self, path: str, **kwargs: Any) -> ASGITestResponse:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> ASGITestResponse:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> ASGITestResponse:
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> ASGITestResponse:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> ASGITestResponse:
        return await self.request("DELETE", path, **kwargs)

    async def head(self, path: str, **kwargs: Any) -> ASGITestResponse:
        return await self.request("HEAD", path, **kwargs)

    async def options(self, path: str, **kwargs: Any) -> ASGITestResponse:
        return await self.request("OPTIONS", path, **kwargs)

    @asynccontextmanager
    async def stream(self, method: str, path: str, **kwargs: Any) -> AsyncIterator[ASGITestResponse]:
        """Send a request and yield the response as soon as `http.response.start` arrived.

        Read with `aiter_bytes()`, `aiter_lines()`, `aiter_events()` or
        `aread()`; leaving the block sends http.disconnect and waits for the app.
        """
        unknown = sorted(set(kwargs) - set(_REQUEST_ARGUMENTS))
        if unknown:
            raise TypeError(f"stream() got an unexpected keyword argument {unknown[0]!r}")
        if self._lifespan.needs_startup():
            await self._lifespan.startup()
        request = self._core.build(method, path, kwargs)
        exchange = self._exchange(request)
        reader = StreamReader(self.app, exchange, f"{request.method} {request.path}", validate=self._core.validate)
        try:
            await reader.start()
        except ProtocolError as error:
            error.add_context(f"request: {request.method} {request.path}")
            raise
        response = ASGITestResponse(exchange.status_code, Headers._from_pairs(exchange.headers), None, request, reader=reader)
        self._core.receive(response)
        try:
            yield response
        finally:
            response._reader = None
            await reader.aclose()

    def websocket_connect(self, path: str, subprotocols: Any = None, headers: Any = None, query: Any = None, cookies: Any = None) -> _WebSocketConnection:
        """`async with client.websocket_connect(path) as ws:` opens a WebSocket and yields the session once the app accepted.

        A close before accept raises WebSocketDenied (403); a denial response
        raises WebSocketDenied carrying it. Leaving the block delivers
        websocket.disconnect and waits for the app to return.
        """
        return _WebSocketConnection(self, path, subprotocols, headers, query, cookies)

    async def _open_websocket(self, path: str, subprotocols: Any, headers: Any, query: Any, cookies: Any) -> WebSocketSession:
        if self._lifespan.needs_startup():
            await self._lifespan.startup()
        request = self._core.build("GET", path, {"headers": headers, "query": query, "cookies": cookies}, handshake_defaults(subprotocols), websocket=True)
        target = request.target
        if target.scheme in ("http", "https"):  # an absolute http(s):// URL given for a WebSocket
            request.target = target._replace(scheme="ws" if target.scheme == "http" else "wss")
        state = dict(self._lifespan.state) if self._lifespan.supported else None
        scope = scope_for(request, scope_type="websocket", client=self._client, http_version=self._http_version, state=state, subprotocols=list(subprotocols or ()))
        session = WebSocketSession(self._called_app, scope, self.timeout, f"WebSocket {request.path}")
        try:
            await session.connect()
        except ProtocolError as error:
            error.add_context(f"request: WebSocket {request.path}")
            raise
        return session

    # -- one exchange ---------------------------------------------------------------------

    def _exchange(self, request: SentRequest) -> HTTPExchange:
        state = dict(self._lifespan.state) if self._lifespan.supported else None
        scope = scope_for(request, client=self._client, http_version=self._http_version, state=state)
        content = request.content
        return HTTPExchange(scope, content, self.timeout)

    async def _send(self, method: str, path: Any, arguments: dict[str, Any], follow: Any) -> ASGITestResponse:
        core = self._core
        follow_redirects = core.should_follow(follow)
        if self._lifespan.needs_startup():
            await self._lifespan.startup()
        tracker = RedirectTracker(method, path, arguments)
        while True:
            request = core.build(tracker.method, tracker.path, tracker.arguments)
            tracker.check_loop(request)
            response = await self._call(request)
            core.receive(response)
            if not follow_redirects or not tracker.follow(response):
                break
        response.history = tracker.history
        return response

    async def _call(self, request: SentRequest) -> ASGITestResponse:
        exchange = self._exchange(request)
        line = f"{request.method} {request.path}"
        try:
            await run_http(self._called_app, exchange, line)
        except ProtocolError as error:
            error.add_context(f"request: {line}")
            raise
        except Exception as exc:
            if self._core.raise_server_exceptions or isinstance(exc, TestkitError):
                raise
            return _server_error(exc, exchange, request)
        return ASGITestResponse.from_exchange(exchange, request)


class _WebSocketConnection:
    """What websocket_connect() returns: an async context manager around one WebSocketSession.

    A small class rather than @asynccontextmanager: a connection is short, and
    the generator machinery was a fifth of its cost.
    """

    __slots__ = ("_client", "_arguments", "_session")

    def __init__(self, client: ASGITestClient, *arguments: Any) -> None:
        self._client = client
        self._arguments = arguments
        self._session: WebSocketSession | None = None

    async def __aenter__(self) -> WebSocketSession:
        self._session = await self._client._open_websocket(*self._arguments)
        return self._session

    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool:
        session = self._session
        if session is None:  # pragma: no cover - __aenter__ raised, so Python does not call this
            return False
        await session.leave()
        error = session.app_error()
        if error is not None and exc is None:
            raise error
        return False


def _server_error(exc: BaseException, exchange: HTTPExchange, request: SentRequest) -> ASGITestResponse:
    """A 500 when the app raised before starting its response; else what it sent, with the error kept."""
    if exchange.status_code is None:
        headers = Headers._from_pairs([("content-type", "text/plain; charset=utf-8"), ("content-length", "21")])
        response = ASGITestResponse(500, headers, b"Internal Server Error", request)
    else:
        response = ASGITestResponse.from_exchange(exchange, request)
    response.exception = exc
    response.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return response
