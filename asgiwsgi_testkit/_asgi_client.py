"""ASGITestClient: the async client for ASGI apps, running in the caller's event loop.

The verbs come from _client_core (ClientVerbs), which also builds each
request, keeps cookies and plans redirects (redirect_chain); this module makes
a scope (_asgi_scope) and runs one HTTPExchange in the caller's task
(_asgi_call). `stream()` pulls the body from the app chunk by chunk
(_asgi_stream); lifespan lives in _asgi_lifespan. No threads, no
asyncio.run, nothing pending.
"""

from __future__ import annotations

import traceback
from typing import Any, Awaitable, Mapping, NoReturn

from ._app_task import DISCONNECT_GRACE, check_grace
from ._asgi_call import HTTPExchange, run_http
from ._asgi_lifespan import LIFESPAN_MODES, Lifespan
from ._asgi_response import ASGITestResponse
from ._asgi_scope import check_http_version, handshake_defaults, scope_for, with_root_path
from ._asgi_stream import StreamReader
from ._asgi_validate import validate_asgi
from ._asgi_websocket import WebSocketSession
from ._client_core import ClientCore, ClientVerbs, check_overrides, merged_overrides, stream_arguments
from ._detect import as_asgi3
from ._errors import ProtocolError, TestkitError, warn_outside_the_kit
from ._headers import Headers
from ._request import DEFAULT_CLIENT, SentRequest, check_client
from ._verbs import takes_request_keywords

__all__ = ["ASGITestClient"]


class ASGITestClient(ClientVerbs[Awaitable[ASGITestResponse]]):
    """Call an ASGI app in-process, in the test's own event loop, as uvicorn would.

    Options as WSGITestClient's (`base_url`, `headers`, `cookies`,
    `follow_redirects`, `raise_server_exceptions`, `validate`) plus `lifespan`
    ('auto', 'on', 'off'), `timeout` (seconds the app may take for any one
    step), `disconnect_grace` (seconds an app may run on after the test left
    a stream or a WebSocket before it is cancelled, unless it listened for the
    disconnect), `client`, `http_version`, `root_path`, and `scope_overrides`
    (keys merged into every HTTP and WebSocket scope last, such as
    `extensions`, `state` or a `user` an auth middleware would set; a
    request's own `scope_overrides=` goes on top). The client may be created
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
        disconnect_grace: float = DISCONNECT_GRACE,
        scope_overrides: Any = None,
    ) -> None:
        self.app = as_asgi3(app)
        self.scope_overrides = check_overrides(scope_overrides, "scope_overrides")
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
        self.disconnect_grace = check_grace(disconnect_grace)
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

    def __del__(self) -> None:
        lifespan = self.__dict__.get("_lifespan")
        if lifespan is not None and lifespan.is_up():
            # The lifespan task stays until its loop ends it (quietly, see _asgi_lifespan); say whose it was.
            msg = f"ASGITestClient({self.app!r:.60}) was garbage-collected with its lifespan still up: use `async with client` or `await client.shutdown()`"
            warn_outside_the_kit(msg, ResourceWarning)

    # -- requests (request() and the verbs come from ClientVerbs) ------------------------

    @takes_request_keywords(ClientVerbs.request)  # type: ignore[arg-type]  # (see ClientVerbs.get)
    def stream(self, method: str, path: str, **kwargs: Any) -> _StreamBlock:
        """`async with client.stream(method, path) as response:` the response as soon as `http.response.start` arrived.

        Read with `aiter_bytes()`, `aiter_lines()`, `aiter_events()` or
        `aread()`; leaving the block sends http.disconnect and waits for the app.
        Redirects followed on the way are read and closed before the next request.
        """
        arguments, follow = stream_arguments(kwargs)
        return _StreamBlock(self, method, path, arguments, follow)

    def websocket_connect(self, path: str, subprotocols: Any = None, headers: Any = None, query: Any = None, cookies: Any = None, scope_overrides: Any = None) -> _WebSocketConnection:
        """`async with client.websocket_connect(path) as ws:` opens a WebSocket and yields the session once the app accepted.

        A close before accept raises WebSocketDenied (403); a denial response
        raises WebSocketDenied carrying it. Leaving the block delivers
        websocket.disconnect and waits for the app to return.
        """
        overrides = self.scope_overrides
        if scope_overrides is not None:
            overrides = merged_overrides(overrides, {"scope_overrides": scope_overrides}, "scope_overrides", "environ_overrides", "ASGITestClient")
        return _WebSocketConnection(self, path, subprotocols, headers, query, cookies, overrides)

    async def _open_websocket(self, path: str, subprotocols: Any, headers: Any, query: Any, cookies: Any, overrides: dict[str, Any] | None) -> WebSocketSession:
        if self._lifespan.needs_startup():
            await self._lifespan.startup()
        request = self._core.build("GET", path, {"headers": headers, "query": query, "cookies": cookies}, handshake_defaults(subprotocols), websocket=True)
        target = request.target
        if target.scheme in ("http", "https"):  # an absolute http(s):// URL given for a WebSocket
            request.target = target._replace(scheme="ws" if target.scheme == "http" else "wss")
        state = dict(self._lifespan.state) if self._lifespan.supported else None
        scope = scope_for(request, scope_type="websocket", client=self._client, http_version=self._http_version, state=state, subprotocols=list(subprotocols or ()))
        if overrides:
            scope.update(overrides)
        session = WebSocketSession(self._called_app, scope, self.timeout, f"WebSocket {request.path}", self.disconnect_grace)
        try:
            await session.connect()
        except ProtocolError as error:
            error.add_context(f"request: WebSocket {request.path}")
            raise
        return session

    # -- one exchange ---------------------------------------------------------------------

    def _exchange(self, request: SentRequest, overrides: dict[str, Any] | None) -> HTTPExchange:
        state = dict(self._lifespan.state) if self._lifespan.supported else None
        scope = scope_for(request, client=self._client, http_version=self._http_version, state=state)
        if overrides:
            scope.update(overrides)  # last, over what the kit put there
        content = request.content
        return HTTPExchange(scope, content, self.timeout, self.disconnect_grace, hold_to_length=not self._core.validate)

    async def _send(self, method: str, path: Any, arguments: Mapping[str, Any], follow: Any, stream: bool = False) -> ASGITestResponse:
        """What request() and stream() await: one exchange, or the redirect chain driven to its end."""
        core = self._core
        follow_redirects = core.should_follow(follow)
        overrides = self.scope_overrides
        if "environ_overrides" in arguments or "scope_overrides" in arguments:
            overrides = merged_overrides(overrides, arguments, "scope_overrides", "environ_overrides", "ASGITestClient")
        if self._lifespan.needs_startup():
            await self._lifespan.startup()
        call = self._open_stream if stream else self._call
        first = core.build(method, path, arguments)
        response = await call(first, overrides)
        if not (follow_redirects and response.is_redirect):  # one exchange, no chain to track (the hot path)
            core.receive(response)
            return response
        chain = core.redirect_chain(method, path, arguments, sent=(first, response))
        answer = None  # the chain takes the first response from `sent`: it is started with None, then sent each one
        while True:
            try:
                request: SentRequest | None = chain.send(answer)
            except BaseException:
                if stream:
                    await _close_stream(response)
                raise
            if request is None:
                return response
            if stream:  # a redirect followed: read through and closed before the next request
                try:
                    await response.aread()
                finally:
                    await _close_stream(response)
            response = answer = await call(request, overrides)

    async def _call(self, request: SentRequest, overrides: dict[str, Any] | None) -> ASGITestResponse:
        exchange = self._exchange(request, overrides)
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

    async def _open_stream(self, request: SentRequest, overrides: dict[str, Any] | None) -> ASGITestResponse:
        """Start the app and return the response once it started; its body is read through the reader."""
        exchange = self._exchange(request, overrides)
        reader = StreamReader(self.app, exchange, f"{request.method} {request.path}", validate=self._core.validate)
        try:
            await reader.start()
        except ProtocolError as error:
            error.add_context(f"request: {request.method} {request.path}")
            raise
        except Exception as exc:  # the app raised before its response started: a 500, as for every verb
            if self._core.raise_server_exceptions or isinstance(exc, TestkitError):
                raise
            return _server_error(exc, exchange, request)
        status: int = exchange.status_code  # type: ignore[assignment]  # set: the response started
        return ASGITestResponse(status, Headers._from_pairs(exchange.headers), None, request, reader=reader)


class _AsyncOnly:
    """An async context manager that answers a synchronous `with` with what to write instead."""

    __slots__ = ()
    _what = ""

    def __enter__(self) -> NoReturn:
        raise TypeError(f"ASGITestClient.{self._what}() is used with `async with`, in an async test; for a synchronous `with`, use SyncASGITestClient (or asgiwsgi_testkit.testclient.TestClient)")

    def __exit__(self, *exc_info: Any) -> None:  # pragma: no cover - __enter__ always raises
        return None


class _StreamBlock(_AsyncOnly):
    """What stream() returns: `async with` sends the request and yields the response once it started."""

    __slots__ = ("_client", "_request", "_response")
    _what = "stream"

    def __init__(self, client: ASGITestClient, *request: Any) -> None:
        self._client = client
        self._request = request
        self._response: ASGITestResponse | None = None

    async def __aenter__(self) -> ASGITestResponse:
        method, path, arguments, follow = self._request
        self._response = await self._client._send(method, path, arguments, follow, stream=True)
        return self._response

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._response is not None:
            await _close_stream(self._response)


class _WebSocketConnection(_AsyncOnly):
    """What websocket_connect() returns: an async context manager around one WebSocketSession.

    A small class rather than @asynccontextmanager: a connection is short, and
    the generator machinery was a fifth of its cost.
    """

    __slots__ = ("_client", "_arguments", "_session")
    _what = "websocket_connect"

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


async def _close_stream(response: ASGITestResponse) -> None:
    """End a streamed response: http.disconnect to the app, then wait for it (SPEC section 4)."""
    reader = response._reader
    if reader is not None:
        response._reader = None
        await reader.aclose()


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
