"""Middleware helpers (SPEC section 7): compose(), terminal apps to wrap, and recorders that show what changed.

`compose(app, *middleware)` stacks middleware around an app, the first item
outermost, and returns exactly what the outermost middleware built: nothing
is added per request. `fixed_response_app()` and `echo_app()` are terminal
apps to put under a middleware (the echo app answers with the request it saw,
as JSON). `WSGIRecorder` and `ASGIRecorder` wrap an inner app and keep, per
call, the environ or scope it saw and everything it read, received and sent,
so a test asserts exactly what a middleware in front of it changed.

Everything here works for WSGI and ASGI alike and imports no asyncio: the
ASGI apps and the ASGI recorder only await the callables they are given.
Nothing here imports a client; run the pieces with WSGITestClient or
ASGITestClient (validation on), or with call_wsgi / call_asgi.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Mapping

from ._detect import as_asgi3
from ._headers import Headers, normalize_header_input

__all__ = ["ASGICall", "ASGIRecorder", "WSGICall", "WSGIRecorder", "compose", "echo_app", "fixed_response_app"]

_INTERFACES = ("wsgi", "asgi")
# Statuses that must not carry Content-Length (RFC 9110 8.6: 1xx and 204; a 304's would describe another body).
_NO_CONTENT_LENGTH = frozenset({204, 304})


def _name_of(obj: Any) -> str:
    return getattr(obj, "__qualname__", None) or getattr(type(obj), "__qualname__", None) or repr(obj)


# -- compose -----------------------------------------------------------------------------------


def _factory_of(item: Any, position: int) -> tuple[Callable[..., Any], Mapping[str, Any]]:
    """Split one compose() item into (factory, kwargs), or raise TypeError naming its position."""
    if isinstance(item, (tuple, list)):
        if len(item) == 2 and callable(item[0]):
            factory, kwargs = item
            if not isinstance(kwargs, Mapping):
                raise TypeError(f"compose() middleware #{position} is a (factory, kwargs) pair whose kwargs must be a mapping of keyword arguments, not {type(kwargs).__name__}: {kwargs!r:.80}")
            bad = [key for key in kwargs if not isinstance(key, str)]
            if bad:
                raise TypeError(f"compose() middleware #{position} kwargs must have str keys, not {bad[0]!r}")
            return factory, kwargs
    elif callable(item):
        return item, {}
    raise TypeError(f"compose() middleware #{position} must be a callable or a (factory, kwargs) pair, not {item!r:.80}")


def compose(app: Callable[..., Any], *middleware: Any) -> Any:
    """Wrap `app` in `middleware`, the first item outermost, and return the outermost app.

    Each item is a callable taking an app and returning an app (a middleware
    class works) or a `(factory, kwargs)` pair, called as `factory(app, **kwargs)`.
    Works for WSGI and ASGI alike. `compose(app)` returns `app` itself, and
    the result is what the outermost factory returned, so composing costs
    nothing per request. Every item is checked before any factory is called.

    Raises:
        TypeError: `app` is not callable, an item is neither a callable nor a
            `(factory, kwargs)` pair, or a factory returned None or a non-callable.
    """
    if not callable(app):
        raise TypeError(f"compose() app must be a WSGI or ASGI callable, not {type(app).__name__}: {app!r:.80}")
    factories = [_factory_of(item, position) for position, item in enumerate(middleware, 1)]
    wrapped = app
    for position in range(len(factories), 0, -1):  # the last item wraps the app first: the first ends outermost
        factory, kwargs = factories[position - 1]
        result = factory(wrapped, **kwargs)
        if result is None or not callable(result):
            what = "None" if result is None else f"a non-callable {type(result).__name__}: {result!r:.80}"
            raise TypeError(f"compose() middleware #{position} ({_name_of(factory)}) returned {what}; a middleware must return the wrapped app")
        wrapped = result
    return wrapped


# -- terminal apps ---------------------------------------------------------------------------


def _check_interface(interface: Any, function: str) -> str:
    if interface not in _INTERFACES:
        raise ValueError(f"{function}() interface= must be 'wsgi' or 'asgi', not {interface!r}")
    return interface


def _status_of(status: Any) -> tuple[int, str]:
    """An int or '404 Not Found' as (code, WSGI status line)."""
    from http import HTTPStatus

    if isinstance(status, str):
        head = status[:3]
        if len(status) >= 3 and head.isdigit() and (len(status) == 3 or status[3] == " ") and int(head) >= 100:
            return int(head), status
        raise ValueError(f"fixed_response_app() status must be an int such as 200 or a status line such as '200 OK', not {status!r}")
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"fixed_response_app() status must be an int such as 200 or a str such as '200 OK', not {type(status).__name__}: {status!r}")
    if not 100 <= status <= 999:
        raise ValueError(f"fixed_response_app() status must be a 3-digit HTTP status code, not {status!r}")
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        return status, str(status)  # no standard reason phrase: the bare code, which servers accept
    return status, f"{status} {reason}"


def _body_of(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"fixed_response_app() body must be bytes or str, not {type(body).__name__}: {body!r:.80}")


async def _drain(receive: Callable[..., Any]) -> list[bytes]:
    """Receive the whole request body (or up to a disconnect); return its chunks."""
    chunks = []
    while True:
        message = await receive()
        kind = message.get("type")
        if kind == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return chunks
        elif kind == "http.disconnect":
            return chunks


async def _non_http(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any], name: str) -> None:
    """What a terminal ASGI app does outside HTTP: lifespan succeeds, a WebSocket is refused."""
    kind = scope.get("type")
    if kind == "lifespan":
        while True:
            message = await receive()
            if message.get("type") == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message.get("type") == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif kind == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1000, "reason": ""})  # before accept: the server answers 403
    else:
        raise ValueError(f"{name} does not handle ASGI scope type {kind!r} (only 'http', 'websocket' and 'lifespan')")


def fixed_response_app(status: Any = 200, body: Any = b"", headers: Any = None, *, interface: str = "asgi") -> Callable[..., Any]:
    """Return a WSGI or ASGI app that answers every request with this fixed response.

    `status` is an int (or a status line such as '418 I'm a teapot'), `body`
    bytes or str (UTF-8; then `content-type: text/plain; charset=utf-8` unless
    given), `headers` a mapping or (name, value) pairs sent in order, plus a
    `content-length` unless given (or the status is 1xx, 204 or 304). Each
    call gets fresh header lists, so a middleware may edit them in place. The
    ASGI app drains the request body first; on a lifespan scope it completes
    startup and shutdown, and it refuses a WebSocket (close before accept,
    which a server answers with 403). The WSGI app does not read wsgi.input.
    """
    _check_interface(interface, "fixed_response_app")
    code, status_line = _status_of(status)
    text = isinstance(body, str)
    payload = _body_of(body)
    pairs = normalize_header_input(headers, "headers")
    names = {name.lower() for name, _ in pairs}
    if text and "content-type" not in names:
        pairs.append(("content-type", "text/plain; charset=utf-8"))
    if "content-length" not in names and code >= 200 and code not in _NO_CONTENT_LENGTH:
        pairs.append(("content-length", str(len(payload))))
    label = f"fixed_response_app({code}, interface={interface!r})"

    if interface == "wsgi":
        wsgi_headers = [(name, value) for name, value in pairs]

        def fixed_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            start_response(status_line, list(wsgi_headers))
            return [payload]

        fixed_wsgi.__name__ = fixed_wsgi.__qualname__ = label
        return fixed_wsgi

    asgi_headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs]

    async def fixed_asgi(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope.get("type") != "http":
            return await _non_http(scope, receive, send, label)
        await _drain(receive)
        await send({"type": "http.response.start", "status": code, "headers": list(asgi_headers)})
        await send({"type": "http.response.body", "body": payload})

    fixed_asgi.__name__ = fixed_asgi.__qualname__ = label
    return fixed_asgi


def _json_response(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _text(data: bytes) -> str:
    """Body bytes as text: UTF-8, with any invalid byte shown as an escape such as \\xff."""
    return data.decode("utf-8", "backslashreplace")


def _read_wsgi_body(environ: dict[str, Any]) -> bytes:
    """The request body as PEP 3333 lets an app read it: CONTENT_LENGTH bytes, or to EOF when the input is terminated."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH", "")
    if length and length.isdigit():
        return stream.read(int(length))
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    return b""


def _wsgi_request_headers(environ: dict[str, Any]) -> list[list[str]]:
    """The request headers a WSGI environ carries, as [lower-case name, value] in environ order."""
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append([key[5:].replace("_", "-").lower(), value])
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers.append([key.replace("_", "-").lower(), value])
    return headers


def echo_app(*, interface: str = "asgi") -> Callable[..., Any]:
    """Return a WSGI or ASGI app that answers 200 application/json describing the request it saw.

    WSGI keys: method, script_name, path_info, query_string, headers (from the
    HTTP_* keys plus CONTENT_TYPE / CONTENT_LENGTH, as [name, value] with the
    name lower-cased and '_' as '-'), body, url_scheme, remote_addr. ASGI keys:
    type, method, root_path, path, raw_path, query_string, headers ([name,
    value] decoded latin-1, order kept), body, scheme, client, http_version.
    Bodies are UTF-8 text, an invalid byte escaped as \\xNN. The ASGI app
    completes lifespan and refuses WebSockets, as fixed_response_app's does.
    """
    _check_interface(interface, "echo_app")

    if interface == "wsgi":

        def echo_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            body = _read_wsgi_body(environ)
            data = {
                "method": environ.get("REQUEST_METHOD"),
                "script_name": environ.get("SCRIPT_NAME", ""),
                "path_info": environ.get("PATH_INFO", ""),
                "query_string": environ.get("QUERY_STRING", ""),
                "headers": _wsgi_request_headers(environ),
                "body": _text(body),
                "url_scheme": environ.get("wsgi.url_scheme"),
                "remote_addr": environ.get("REMOTE_ADDR"),
            }
            payload = _json_response(data)
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]

        echo_wsgi.__name__ = echo_wsgi.__qualname__ = "echo_app(interface='wsgi')"
        return echo_wsgi

    async def echo_asgi(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope.get("type") != "http":
            return await _non_http(scope, receive, send, "echo_app(interface='asgi')")
        body = b"".join(await _drain(receive))
        raw_path = scope.get("raw_path")
        client = scope.get("client")
        data = {
            "type": scope["type"],
            "method": scope.get("method"),
            "root_path": scope.get("root_path", ""),
            "path": scope.get("path"),
            "raw_path": raw_path.decode("latin-1") if isinstance(raw_path, bytes) else None,
            "query_string": scope.get("query_string", b"").decode("latin-1"),
            "headers": [[bytes(name).decode("latin-1"), bytes(value).decode("latin-1")] for name, value in scope.get("headers", ())],
            "body": _text(body),
            "scheme": scope.get("scheme", "http"),
            "client": list(client) if client is not None else None,
            "http_version": scope.get("http_version", "1.1"),
        }
        payload = _json_response(data)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode("latin-1"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    echo_asgi.__name__ = echo_asgi.__qualname__ = "echo_app(interface='asgi')"
    return echo_asgi


# -- recorders ---------------------------------------------------------------------------------


def _no_call(recorder: Any) -> ValueError:
    return ValueError(f"no call recorded yet: {type(recorder).__name__} around {_name_of(recorder.app)} was never called")


def _str_headers(pairs: Any) -> Headers:
    """Headers from str or bytes (name, value) pairs, bytes decoded latin-1."""
    def text(value: Any) -> str:
        return bytes(value).decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)

    return Headers._from_pairs([(text(name), text(value)) for name, value in pairs])


class WSGICall:
    """What the inner WSGI app saw and did in one call through a WSGIRecorder."""

    __slots__ = ("environ", "_body", "start_response_calls", "chunks", "closed", "exception")

    def __init__(self, environ: dict[str, Any]) -> None:
        #: a shallow copy of the environ taken when the recorder was called (the original wsgi.input included)
        self.environ = dict(environ)
        self._body = bytearray()
        #: one (status, headers, exc_info is not None) per start_response() call, headers copied
        self.start_response_calls: list[tuple[Any, Any, bool]] = []
        #: the body items the app produced, write() data included, in order
        self.chunks: list[Any] = []
        #: True once the server called close() on the app's iterable
        self.closed = False
        #: what the app raised (on the call or while iterating), re-raised after recording; else None
        self.exception: BaseException | None = None

    @property
    def body(self) -> bytes:
        """The request body bytes the app read from wsgi.input."""
        return bytes(self._body)

    @property
    def status(self) -> Any:
        """The status of the last start_response() call, or None."""
        return self.start_response_calls[-1][0] if self.start_response_calls else None

    @property
    def headers(self) -> Headers | None:
        """The headers of the last start_response() call as Headers, or None (the raw lists are in start_response_calls)."""
        if not self.start_response_calls:
            return None
        return _str_headers(self.start_response_calls[-1][1])

    @property
    def response_body(self) -> bytes:
        """The app's response body: its bytes items and write() data joined."""
        return b"".join(chunk for chunk in self.chunks if isinstance(chunk, bytes))

    def __repr__(self) -> str:
        request = f"{self.environ.get('REQUEST_METHOD', '?')} {self.environ.get('SCRIPT_NAME', '')}{self.environ.get('PATH_INFO', '')}"
        return f"<WSGICall {request} -> {self.status!r}>"


class _RecordingInput:
    """wsgi.input as the inner app sees it: reads go to the real stream and are recorded."""

    def __init__(self, stream: Any, call: WSGICall) -> None:
        self._stream = stream
        self._call = call

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def read(self, *args: Any) -> bytes:
        data = self._stream.read(*args)
        self._call._body += data
        return data

    def readline(self, *args: Any) -> bytes:
        data = self._stream.readline(*args)
        self._call._body += data
        return data

    def readlines(self, *args: Any) -> list[bytes]:
        lines = self._stream.readlines(*args)
        for line in lines:
            self._call._body += line
        return lines

    def __iter__(self) -> Iterator[bytes]:
        for line in self._stream:
            self._call._body += line
            yield line


class _RecordingIterable:
    """The inner app's iterable as the server sees it: items and close() are recorded."""

    def __init__(self, result: Any, call: WSGICall) -> None:
        self._result = result
        self._call = call

    def __iter__(self) -> Iterator[Any]:
        call = self._call
        try:
            for chunk in self._result:
                call.chunks.append(chunk)
                yield chunk
        except BaseException as exc:
            if not isinstance(exc, GeneratorExit):  # the server stopped early: not the app's failure
                call.exception = exc
            raise

    def close(self) -> None:
        self._call.closed = True
        close = getattr(self._result, "close", None)
        if close is not None:
            try:
                close()
            except BaseException as exc:
                self._call.exception = exc
                raise


class WSGIRecorder:
    """A WSGI app that calls `app` (default: the WSGI echo app) and records what it saw and did, per call.

    `calls` lists one WSGICall per request, `last` is the latest. The inner
    app gets the same environ dict, except that `wsgi.input` is a wrapper that
    records what it reads; `start_response`, `write()` and the iterable are
    recorded on their way out, unchanged.
    """

    def __init__(self, app: Callable[..., Any] | None = None) -> None:
        if app is not None and not callable(app):
            raise TypeError(f"WSGIRecorder() app must be a WSGI callable app(environ, start_response), not {type(app).__name__}: {app!r:.80}")
        self.app = echo_app(interface="wsgi") if app is None else app
        self.calls: list[WSGICall] = []

    @property
    def last(self) -> WSGICall:
        """The latest call; ValueError when there is none yet."""
        if not self.calls:
            raise _no_call(self)
        return self.calls[-1]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Call the inner app with recording wrappers around wsgi.input, start_response, write() and the iterable."""
        call = WSGICall(environ)
        self.calls.append(call)
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _RecordingInput(environ["wsgi.input"], call)

        def recording_start_response(*args: Any, **kwargs: Any) -> Any:
            status = args[0] if args else kwargs.get("status")
            headers = args[1] if len(args) > 1 else kwargs.get("response_headers", kwargs.get("headers"))
            exc_info = args[2] if len(args) > 2 else kwargs.get("exc_info")
            call.start_response_calls.append((status, list(headers) if isinstance(headers, list) else headers, exc_info is not None))
            write = start_response(*args, **kwargs)

            def recording_write(data: Any) -> Any:
                call.chunks.append(data)
                return write(data)

            return recording_write

        try:
            result = self.app(environ, recording_start_response)
        except BaseException as exc:
            call.exception = exc
            raise
        if result is None or isinstance(result, (str, bytes)):
            return result  # not an iterable of bytes: left for the server (or validator) to report as it is
        return _RecordingIterable(result, call)

    def __repr__(self) -> str:
        return f"<WSGIRecorder around {_name_of(self.app)}: {len(self.calls)} call(s)>"


def _copy_message(message: Any) -> Any:
    """A shallow copy of an ASGI message with its header list copied, so later edits by others do not show."""
    if not isinstance(message, dict):
        return message
    copied = dict(message)
    headers = copied.get("headers")
    if isinstance(headers, (list, tuple)):
        copied["headers"] = [list(pair) if isinstance(pair, list) else pair for pair in headers]
    return copied


class ASGICall:
    """What the inner ASGI app saw and did in one call through an ASGIRecorder."""

    __slots__ = ("scope", "received", "sent", "exception")

    def __init__(self, scope: dict[str, Any]) -> None:
        #: a shallow copy of the scope taken at call time, its header list copied
        self.scope: dict[str, Any] = _copy_message(scope)
        #: every message the app got from receive(), copied as it was returned
        self.received: list[Any] = []
        #: every message the app passed to send(), copied as it was sent
        self.sent: list[Any] = []
        #: what the app raised, re-raised after recording; else None
        self.exception: BaseException | None = None

    def _start(self) -> Any:
        for message in self.sent:
            if isinstance(message, dict) and message.get("type") in ("http.response.start", "websocket.http.response.start"):
                return message
        return None

    @property
    def status(self) -> Any:
        """The status of the app's 'http.response.start', or None."""
        start = self._start()
        return start.get("status") if start is not None else None

    @property
    def headers(self) -> Headers | None:
        """The headers of the app's 'http.response.start' as Headers (decoded latin-1), or None."""
        start = self._start()
        return _str_headers(start.get("headers", ())) if start is not None else None

    @property
    def body(self) -> bytes:
        """The response body the app sent: its 'http.response.body' bodies joined."""
        kinds = ("http.response.body", "websocket.http.response.body")
        return b"".join(m.get("body", b"") for m in self.sent if isinstance(m, dict) and m.get("type") in kinds)

    @property
    def request_body(self) -> bytes:
        """The request body the app received: its 'http.request' bodies joined."""
        return b"".join(m.get("body", b"") for m in self.received if isinstance(m, dict) and m.get("type") == "http.request")

    def __repr__(self) -> str:
        scope = self.scope
        words = [str(scope.get(key)) for key in ("type", "method", "path") if scope.get(key) is not None]
        return f"<ASGICall {' '.join(words)} -> {self.status!r}>"


class ASGIRecorder:
    """An ASGI app that calls `app` (default: the ASGI echo app) and records what it saw and did, per call.

    `calls` lists one ASGICall per connection, `last` is the latest. The inner
    app gets the very scope and messages; the record keeps copies, so a
    middleware in front that edits a message later does not change the record.
    Lifespan scopes pass straight through unrecorded (startup and shutdown
    are not requests) unless `record_lifespan=True`. An ASGI2 app is adapted.
    """

    def __init__(self, app: Callable[..., Any] | None = None, *, record_lifespan: bool = False) -> None:
        if app is not None and not callable(app):
            raise TypeError(f"ASGIRecorder() app must be an ASGI callable app(scope, receive, send), not {type(app).__name__}: {app!r:.80}")
        self.app = echo_app(interface="asgi") if app is None else app
        self._inner = as_asgi3(self.app)
        self.record_lifespan = bool(record_lifespan)
        self.calls: list[ASGICall] = []

    @property
    def last(self) -> ASGICall:
        """The latest call; ValueError when there is none yet."""
        if not self.calls:
            raise _no_call(self)
        return self.calls[-1]

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> Any:
        """Call the inner app with recording receive() and send(); re-raise what it raises after recording it."""
        if not self.record_lifespan and isinstance(scope, dict) and scope.get("type") == "lifespan":
            return await self._inner(scope, receive, send)
        call = ASGICall(scope)
        self.calls.append(call)

        async def recording_receive() -> Any:
            message = await receive()
            call.received.append(_copy_message(message))
            return message

        async def recording_send(message: Any) -> Any:
            call.sent.append(_copy_message(message))
            return await send(message)

        try:
            return await self._inner(scope, recording_receive, recording_send)
        except BaseException as exc:
            call.exception = exc
            raise

    def __repr__(self) -> str:
        return f"<ASGIRecorder around {_name_of(self.app)}: {len(self.calls)} call(s)>"
