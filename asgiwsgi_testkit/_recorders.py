"""Recorders for middleware tests: wrap an inner app and keep, per call, what it saw and did.

`WSGIRecorder` keeps the environ the inner app saw, the body it read, each
start_response call and the chunks it produced; `ASGIRecorder` keeps the
scope and every message received and sent. Put one under the middleware
being tested (and one over it) and compare. The terminal apps they default
to live in _middleware; nothing here imports asyncio or a client.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from ._detect import as_asgi3
from ._headers import Headers
from ._middleware import _name_of, echo_app
from ._wsgi_environ import InputProxy

__all__ = ["ASGICall", "ASGIRecorder", "WSGICall", "WSGIRecorder"]


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


class _RecordingInput(InputProxy):
    """wsgi.input as the inner app sees it: reads go to the real stream and are recorded."""

    def __init__(self, stream: Any, call: WSGICall) -> None:
        super().__init__(stream)
        self._call = call

    def _seen(self, data: bytes) -> bytes:
        self._call._body += data
        return data


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
