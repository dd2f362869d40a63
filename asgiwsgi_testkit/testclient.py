"""`TestClient`: Starlette's and FastAPI's TestClient, on the kit's engine (SPEC section 12).

Change one import line and a suite written for Starlette's client runs on
the kit: `from asgiwsgi_testkit.testclient import TestClient`. The client
speaks httpx's vocabulary (`params=`, `data=`, `content=`, `files=`,
`auth=`, `response.content`, `raise_for_status()`) and runs every request
through SyncASGITestClient -- one private event loop in the calling thread,
the app validated -- rather than a second thread and loop per client.
Lifespan runs only inside `with client:`, as in Starlette. WebSocket closes
raise Starlette's `WebSocketDisconnect` when Starlette is installed (the one
import of a framework the kit makes, lazily); the kit never requires it.
"""

from __future__ import annotations

import base64
from contextlib import contextmanager
from typing import Any, Iterator

from ._verbs import takes_request_keywords, verb
from ._content import UNSET
from ._errors import LifespanError, WebSocketClosed, WebSocketDenied
from ._headers import Headers, normalize_header_input
from ._httpx_response import HTTPStatusError, Response, accept_encoding
from ._sync_client import SyncASGITestClient, SyncWebSocketSession

from ._httpx_response import URL
from ._types import BodyInput, CookiesInput, FilesInput, HeadersInput, QueryInput

__all__ = ["HTTPStatusError", "Response", "TestClient", "WebSocketTestSession"]

_IGNORED_OPTIONS = ("backend", "backend_options", "app_state")
_IGNORED_REQUEST_OPTIONS = ("timeout", "extensions")


class _DropInEngine(SyncASGITestClient):
    """SyncASGITestClient as TestClient drives it: its loop reopens after close (Starlette's may be used after `with`), and it is collected quietly."""

    _warn_when_collected_open = False

    def _private_loop(self) -> Any:
        loop = super()._private_loop()
        loop.owner, loop.reopens = "TestClient", True
        return loop


class TestClient:
    """Starlette's `TestClient(app, ...)`, running the app on the kit's engine: a request returns an httpx-style Response."""

    __test__ = False  # a "Test*" class that pytest must not collect

    def __init__(
        self,
        app: Any,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        cookies: Any = None,
        headers: Any = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
        **ignored: Any,
    ) -> None:
        unknown = sorted(set(ignored) - set(_IGNORED_OPTIONS))
        if unknown:
            raise TypeError(f"TestClient() got an unexpected keyword argument {unknown[0]!r}")
        self._engine = _DropInEngine(
            app,
            base_url=base_url,
            raise_server_exceptions=raise_server_exceptions,
            root_path=root_path or None,
            cookies=True,
            follow_redirects=follow_redirects,
            client=tuple(client),  # type: ignore[arg-type]
        )
        self._engine._async._lifespan.start_on_request = False  # lifespan only inside `with`, as Starlette runs it
        self.app = app
        self.base_url = base_url
        self.follow_redirects = follow_redirects
        # What Starlette's client (httpx) sends with every request; the Host header is each request URL's.
        self.headers = Headers({"accept": "*/*", "accept-encoding": accept_encoding(), "connection": "keep-alive", "user-agent": "testclient"})
        if headers:
            for name, value in Headers(headers).multi_items():
                self.headers[name] = value
        if cookies:
            self.cookies = cookies

    @property
    def headers(self) -> Headers:
        """Headers sent with every request (mutable; a request's own headers= replace those of the same name)."""
        return self._headers

    @headers.setter
    def headers(self, headers: Any) -> None:
        self._headers = headers if isinstance(headers, Headers) else Headers(headers)
        self._synced: tuple[Any, int] = (None, -1)

    def _sync_default_headers(self) -> None:
        """Give the engine client.headers as its defaults, checked once each time they change (not per request)."""
        pairs = self._headers._pairs  # Headers replaces the list on set and delete, and appends on add()
        if pairs is not self._synced[0] or len(pairs) != self._synced[1]:
            self._engine._core.default_headers = normalize_header_input(pairs, "headers")
            self._synced = (pairs, len(pairs))

    # -- client state ------------------------------------------------------------------

    @property
    def cookies(self) -> Any:
        """The cookie jar: `client.cookies[name]`, `client.cookies[name] = value`, `set()`, `get()`, `delete()`, `clear()`."""
        return self._engine.cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        jar = self._engine.cookies
        if cookies is jar:
            return
        jar.clear()
        for name, value in (cookies.items() if hasattr(cookies, "items") else cookies):
            jar.set(str(name), str(value))

    @property
    def app_state(self) -> dict[str, Any]:
        return self._engine.state

    # -- lifespan ----------------------------------------------------------------------

    def __enter__(self) -> TestClient:
        lifespan = self._engine._async._lifespan
        try:
            self._engine.startup()
        except LifespanError as error:
            self._engine.close()
            if error.__cause__ is not None:
                raise error.__cause__ from None  # the app's own exception, as Starlette's `with` raises it
            raise
        if lifespan.unsupported_because is not None:  # the app raised on the lifespan scope: Starlette's `with` raises it too
            unsupported, lifespan.unsupported_because = lifespan.unsupported_because, None
            self._engine.close()
            raise unsupported
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._engine.close()

    def close(self) -> None:
        self._engine.close()

    # -- requests ------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str | URL,
        *,
        content: BodyInput = None,
        data: Any = None,
        files: FilesInput = None,
        json: Any = None,
        params: QueryInput = None,
        headers: HeadersInput = None,
        cookies: CookiesInput = None,
        auth: tuple[str, str] | None = None,
        follow_redirects: bool | None = None,
        **ignored: Any,
    ) -> Response:
        """Send one request with httpx's keywords; the Response once the app answered (redirects followed by default)."""
        if ignored:
            self._check_ignored(ignored)
        arguments = self._arguments(content, data, files, json, params, headers, cookies, auth)
        follow = self.follow_redirects if follow_redirects is None else follow_redirects
        engine = self._engine
        inner = engine._loop.run(engine._async._send(method, _url(url, params), arguments, follow))
        return Response(inner, [Response(hop) for hop in inner.history])

    @takes_request_keywords(request)  # type: ignore[arg-type]  # (see the verbs below)
    @contextmanager
    def stream(self, method: str, url: Any, **kwargs: Any) -> Iterator[Response]:
        """`with client.stream("GET", url) as response:` the response once it started; read it with iter_bytes(), iter_lines(), iter_raw() or read()."""
        follow_redirects = kwargs.pop("follow_redirects", None)
        keywords = ("content", "data", "files", "json", "params", "headers", "cookies", "auth")
        self._check_ignored({k: v for k, v in kwargs.items() if k not in keywords})
        arguments = self._arguments(*(kwargs.get(k) for k in keywords))
        follow = self.follow_redirects if follow_redirects is None else follow_redirects
        engine = self._engine
        inner = engine._send(method, _url(url, kwargs.get("params")), arguments, follow, stream=True)
        from ._asgi_client import _close_stream

        response = Response(inner, [Response(hop) for hop in inner.history], on_close=lambda: engine._loop.run(_close_stream(inner)))
        try:
            yield response
        finally:
            response.close()

    # request() keeps httpx's `method=` keyword, which mypy wants positional-only to take the rest of its signature
    # for the verbs' (pyright does not); the signature the verbs get is request()'s all the same.
    get = verb("GET", request)  # type: ignore[arg-type]
    options = verb("OPTIONS", request)  # type: ignore[arg-type]
    head = verb("HEAD", request)  # type: ignore[arg-type]
    post = verb("POST", request)  # type: ignore[arg-type]
    put = verb("PUT", request)  # type: ignore[arg-type]
    patch = verb("PATCH", request)  # type: ignore[arg-type]
    delete = verb("DELETE", request)  # type: ignore[arg-type]

    def _check_ignored(self, ignored: dict[str, Any]) -> None:
        unknown = sorted(set(ignored) - set(_IGNORED_REQUEST_OPTIONS))
        if unknown:
            raise TypeError(f"request() got an unexpected keyword argument {unknown[0]!r}")

    def _arguments(self, content: Any, data: Any, files: Any, json: Any, params: Any, headers: Any, cookies: Any, auth: Any) -> dict[str, Any]:
        """httpx's request keywords as the kit's (SPEC sections 3 and 12)."""
        form = body = None
        if data is not None:
            if isinstance(data, (str, bytes, bytearray)) or not hasattr(data, "items"):
                body = data  # httpx sends a str/bytes data= as the raw body (deprecated there, still common)
            else:
                form = {name: value if isinstance(value, (str, list, tuple)) else str(value) for name, value in data.items()}
        if content is not None:
            if body is not None:
                raise TypeError("request() got both content= and a raw data=: pass the body once")
            body = content
        self._sync_default_headers()
        if auth is not None:
            headers = Headers(headers)
            headers["authorization"] = _basic_auth(auth)
        return {
            "query": params,
            "query_string": None,
            "headers": headers,
            "body": body,
            "json": UNSET if json is None else json,
            "form": form,
            "files": files,
            "cookies": cookies,
        }

    # -- WebSockets ----------------------------------------------------------------------

    @contextmanager
    def websocket_connect(self, url: str, subprotocols: Any = None, **kwargs: Any) -> Iterator[WebSocketTestSession]:
        """`with client.websocket_connect("/ws") as websocket:` once the app accepted; closes raise Starlette's WebSocketDisconnect."""
        headers = kwargs.pop("headers", None)
        self._sync_default_headers()
        handshake = Headers(headers)
        if "connection" not in handshake:  # the handshake's own, not the client's keep-alive
            handshake["connection"] = "Upgrade"
        try:
            with self._engine.websocket_connect(str(url), subprotocols, handshake.multi_items()) as session:
                yield WebSocketTestSession(session)
        except WebSocketDenied as denied:
            raise _as_starlette_denial(denied) from None


class WebSocketTestSession:
    """Starlette's WebSocketTestSession on the kit's session: closes raise WebSocketDisconnect(code, reason)."""

    def __init__(self, session: SyncWebSocketSession) -> None:
        self._session = session

    @property
    def accepted_subprotocol(self) -> str | None:
        return self._session.subprotocol

    @property
    def extra_headers(self) -> list[tuple[bytes, bytes]]:
        return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self._session.accept_headers.multi_items()]

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._session, method)(*args)
        except WebSocketClosed as closed:
            raise _disconnect(closed.code, closed.reason) from None

    def send_text(self, data: str) -> None:
        self._call("send_text", data)

    def send_bytes(self, data: bytes) -> None:
        self._call("send_bytes", data)

    def send_json(self, data: Any, mode: str = "text") -> None:
        self._call("send_json", data, mode)

    def receive(self) -> dict[str, Any]:
        return self._call("receive")  # type: ignore[no-any-return]

    def receive_text(self) -> str:
        return self._call("receive_text")  # type: ignore[no-any-return]

    def receive_bytes(self) -> bytes:
        return self._call("receive_bytes")  # type: ignore[no-any-return]

    def receive_json(self, mode: str = "text") -> Any:
        return self._call("receive_json", mode)

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        self._call("close", code, reason or "")


def _url(given: Any, params: Any) -> str:
    """The request URL; httpx (0.28 and newer) replaces its query with `params=` when that is given, even empty."""
    url = str(given)
    if params is not None and "?" in url:
        head, _, rest = url.partition("?")
        url = head + (rest[rest.index("#"):] if "#" in rest else "")
    return url


def _basic_auth(auth: Any) -> str:
    if not (isinstance(auth, tuple) and len(auth) == 2):
        raise TypeError(f"auth= must be a (username, password) pair, not {auth!r}")
    user, password = (part.encode("utf-8") if isinstance(part, str) else part for part in auth)
    return "Basic " + base64.b64encode(user + b":" + password).decode("ascii")


def _disconnect(code: int, reason: Any) -> BaseException:
    """Starlette's WebSocketDisconnect when Starlette is installed, else the kit's WebSocketClosed."""
    try:
        from starlette.websockets import WebSocketDisconnect  # pyright: ignore[reportMissingImports]
    except ImportError:
        return WebSocketClosed(f"the app closed the WebSocket with code {code}", code=code, reason=reason or "")
    return WebSocketDisconnect(code, reason)  # type: ignore[no-any-return]


def _as_starlette_denial(denied: WebSocketDenied) -> BaseException:
    """A refused handshake as Starlette's client raises it: WebSocketDisconnect for a close, WebSocketDenialResponse for a response."""
    if denied.response is None:
        return _disconnect(denied.code if denied.code is not None else 1000, denied.reason)
    import warnings

    try:
        with warnings.catch_warnings():  # Starlette warns, at import, about the httpx its own client uses; not ours to say
            warnings.simplefilter("ignore")
            from starlette.testclient import WebSocketDenialResponse  # pyright: ignore[reportMissingImports]  # needs httpx, as Starlette's client does
    except ImportError:
        return denied
    inner = denied.response
    return WebSocketDenialResponse(status_code=inner.status_code, headers=inner.headers.multi_items(), content=inner.body)  # type: ignore[no-any-return]
