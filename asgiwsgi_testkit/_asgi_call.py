"""One ASGI HTTP conversation with server semantics: `call_asgi()` and `HTTPExchange`.

The request body arrives as `http.request` events; after it, `receive()`
blocks until the response is complete (or the client left) and then returns
`http.disconnect`, as uvicorn does. Order is decided by _asgi_states; the
types a server needs to build a response are checked here (the full key
checks are validate_asgi's). Every wait is bounded by the timeout and ends in
AppTimeout naming the step; the app is cancelled and awaited, never abandoned.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any, Callable

from ._app_task import CANCEL_IGNORED, DISCONNECT_GRACE, StepTimer, run_in_context
from ._asgi_states import INITIAL, advance
from ._content import BYTES_LIKE, check_chunk
from ._content_length import body_length_declared
from ._errors import AppTimeout, ProtocolError, event_rule_broken, warn_outside_the_kit

from ._asgi_response import ASGITestResponse
from ._types import BodyInput

__all__ = ["ClientDisconnected", "HTTPExchange", "call_asgi", "run_http"]

_DISCONNECT = {"type": "http.disconnect"}

_STEPS = {
    "start": "waiting for http.response.start",
    "body": "waiting for http.response.body",
    "body+trailers": "waiting for http.response.body",
    "trailers": "waiting for http.response.trailers",
    "done": "waiting for the app to return after its response completed",
}


class ClientDisconnected(OSError):
    """The client left: `StreamReader.aclose()` does not re-raise this from the app.

    HTTP send() after a disconnect is a no-op (ASGI HTTP 2.3, what uvicorn does);
    this OSError subclass (ASGI 2.4's wording) marks a disconnect the app raised on.
    """


_fail = event_rule_broken


def headers_from_asgi(raw: Any, event: dict[str, Any], where: str = "http.response.start") -> list[tuple[str, str]]:
    """ASGI header pairs (bytes) as str pairs; ProtocolError for anything else."""
    pairs = []
    try:
        for name, value in raw:
            if type(name) is not bytes or type(value) is not bytes:
                raise _fail("asgi.http.header-type", f"ASGI app sent {where!r} with a header that is not a pair of bytes: {(name, value)!r}", event, "headers as [(bytes, bytes), ...]")
            pairs.append((name.decode("latin-1"), value.decode("latin-1").strip(" \t")))  # RFC 9110 5.5 OWS
    except (TypeError, ValueError):
        raise _fail("asgi.http.header-type", f"ASGI app sent {where!r} with headers that are not an iterable of pairs: {raw!r:.100}", event, "headers as [(bytes, bytes), ...]") from None
    return pairs


class HTTPExchange:
    """The server's side of one HTTP conversation: what the app received and sent."""

    def __init__(self, scope: dict[str, Any], content: Any, timeout: float, grace: float = DISCONNECT_GRACE, *, hold_to_length: bool = True) -> None:
        self.scope = scope
        #: cut a body longer than its content-length, as waitress and gunicorn do (False when a validator raises first)
        self.hold_to_length = hold_to_length
        self.timeout = timeout
        #: seconds the app may run on after the client left a stream, unless it listens for http.disconnect
        self.grace = grace
        self.state = INITIAL["http"]
        self.status_code: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []
        self.trailers: list[tuple[str, str]] = []
        self.complete = False
        self.disconnected = False
        self.last_event: Any = None
        self.last_received: Any = None
        self.timer: StepTimer | None = None
        self.on_chunk: Callable[[bytes], Any] | None = None
        #: body bytes the response's content-length still allows (None: not held to one); a longer body is cut
        self.length_left: int | None = None
        self._waiters: list[asyncio.Future[Any]] = []
        self._body_sent = False
        if isinstance(content, bytes):
            self._events: Any = None
            self._single: bytes | None = content
        else:
            self._single = None
            self._events = _request_events(content)

    # -- receive ---------------------------------------------------------------

    async def receive(self) -> dict[str, Any]:
        if not self._body_sent:
            if self._single is not None:
                self._body_sent = True
                event = {"type": "http.request", "body": self._single, "more_body": False}
            else:
                event = await self._events.__anext__()
                if not event["more_body"]:
                    self._body_sent = True
                    # Close it now: left suspended, the loop's async-generator finalizer would start a task after the call returned.
                    await self._events.aclose()
            self.last_received = event
            return event
        if not (self.complete or self.disconnected):
            future = asyncio.get_running_loop().create_future()
            self._waiters.append(future)
            try:
                await future
            finally:
                if future in self._waiters:
                    self._waiters.remove(future)
        self.last_received = _DISCONNECT
        return {"type": "http.disconnect"}

    def heard_disconnect(self) -> bool:
        """True once the app's receive() returned http.disconnect: it listens, and is winding down."""
        return self.last_received is _DISCONNECT

    def disconnect(self) -> None:
        """The client left: wake every receive() waiting for http.disconnect."""
        self.disconnected = True
        self._wake()

    def _wake(self) -> None:
        for future in self._waiters:
            if not future.done():
                future.set_result(None)

    # -- send ------------------------------------------------------------------

    async def send(self, message: Any) -> None:
        if self.disconnected and not self.complete:
            # A no-op, as in every server measured (checklist A31); yield so a tight send loop lets the app see the disconnect.
            await asyncio.sleep(0)
            return
        self.state = advance("http", self.state, message)
        self.last_event = message
        if self.timer is not None:
            self.timer.progress()
        kind = message["type"]
        if kind == "http.response.body":
            body = message.get("body", b"")
            if type(body) is not bytes:
                if not isinstance(body, BYTES_LIKE):
                    raise _fail("asgi.http.body-type", f"ASGI app sent 'http.response.body' with body of type {type(body).__name__}", message, "body as bytes")
                body = bytes(body)  # a copy: the app may reuse its buffer, the test sees what was sent
            if self.length_left is not None:
                body = self._cut(body)
            if body:
                if self.on_chunk is not None:
                    await self.on_chunk(body)
                else:
                    self.chunks.append(body)
        elif kind == "http.response.start":
            status = message.get("status")
            if type(status) is not int:
                raise _fail("asgi.http.status-type", f"ASGI app sent 'http.response.start' with status {status!r} of type {type(status).__name__}", message, "status as an int such as 200")
            self.status_code = status
            self.headers = headers_from_asgi(message.get("headers", ()), message)
            if self.hold_to_length:
                self.length_left = body_length_declared(self.headers, self.scope.get("method"), status)
        elif kind == "http.response.pathsend":
            await self._send_file(message)
        elif kind == "http.response.trailers":
            self.trailers.extend(headers_from_asgi(message.get("headers", ()), message, kind))
        if self.state == "done":
            self.complete = True
            self._wake()

    async def _send_file(self, message: dict[str, Any]) -> None:
        path = message.get("path")
        if type(path) is not str:
            raise _fail("asgi.http.pathsend-path", f"ASGI app sent 'http.response.pathsend' with path {path!r}", message, "an absolute file path as str")
        try:
            # Off the event loop, as a server does its file I/O: a blocking read inside the app's await send()
            # would be blamed on the app by blocking-call detectors (blockbuster, which Starlette's suite runs).
            data = await asyncio.to_thread(_read_file, path)
        except OSError as exc:
            raise _fail("asgi.http.pathsend-path", f"ASGI app sent 'http.response.pathsend' for a file the kit cannot read: {exc}", message, "a readable file") from None
        if self.length_left is not None:
            data = self._cut(data)
        if data:
            if self.on_chunk is not None:
                await self.on_chunk(data)
            else:
                self.chunks.append(data)

    def _cut(self, data: bytes) -> bytes:
        """Body bytes the app sent, cut to what its content-length still allows (as waitress and gunicorn cut them)."""
        left: int = self.length_left  # type: ignore[assignment]
        if len(data) > left:
            data = data[:left]
        self.length_left = left - len(data)
        return data

    # -- what went wrong -------------------------------------------------------

    def step(self) -> str:
        return _STEPS[self.state]

    def timeout_error(self, request_line: str) -> AppTimeout:
        step = self.step()
        last = self.last_event["type"] if isinstance(self.last_event, dict) else "nothing"
        received = self.last_received
        got = f"its last receive() returned {received['type']!r}" if received else "it never called receive()"
        msg = f"ASGI app made no progress within {self.timeout}s {step} ({request_line}; it last sent {last}; {got})"
        return AppTimeout(msg, step=step, timeout=self.timeout, last_event=self.last_event)

    def incomplete_error(self, request_line: str) -> ProtocolError:
        """The app returned before finishing its response."""
        if self.state == "start":
            expected = "an 'http.response.start' and a final 'http.response.body' before returning"
            return _fail("asgi.http.returned-without-response", f"ASGI app returned without sending 'http.response.start' ({request_line})", self.last_event, expected)
        expected = "'http.response.body' with more_body False (or the trailers) before returning"
        return _fail("asgi.http.returned-incomplete", f"ASGI app returned before completing its response ({request_line}; {self.step()})", self.last_event, expected)


def _read_file(path: str) -> bytes:
    """The bytes of the file an app sent with http.response.pathsend (run in a worker thread)."""
    with open(path, "rb") as file:
        return file.read()


async def _request_events(content: Any) -> Any:
    """`http.request` events from a sync or async iterable body, ending with more_body False."""
    if hasattr(content, "__aiter__"):
        async for chunk in content:
            yield {"type": "http.request", "body": check_chunk(chunk), "more_body": True}
    else:
        for chunk in content:
            yield {"type": "http.request", "body": check_chunk(chunk), "more_body": True}
    yield {"type": "http.request", "body": b"", "more_body": False}


async def run_http(app: Any, exchange: HTTPExchange, request_line: str) -> None:
    """Run the app to the end in the caller's task (own context), bounded by the step timeout.

    Returns when the app returned with a complete response, or when it
    lingered past the timeout after completing (it is cancelled with a
    RuntimeWarning naming it, the response stands). Raises AppTimeout when the
    response was incomplete at timeout, or when the app swallowed the
    cancellation for another timeout (its coroutine is then closed).
    """
    context = contextvars.copy_context()
    coro = context.run(app, exchange.scope, exchange.receive, exchange.send)
    timer: StepTimer | None = None

    def arm_timer() -> None:
        nonlocal timer
        timer = exchange.timer = StepTimer(exchange.timeout, on_fire=cancel_app)

    def cancel_app() -> None:
        timer._task.cancel()  # type: ignore[union-attr]
        if timer.fires == 1:  # type: ignore[union-attr]
            timer.rearm()  # type: ignore[union-attr]  # one more period to return after the cancellation

    def abandoned() -> bool:
        return timer is not None and timer.fires > 1

    try:
        await run_in_context(coro, context, arm_timer, abandoned)
    except asyncio.CancelledError:
        if timer is None or not timer.fires:
            raise
        for _ in range(timer.fires):
            timer.uncancel()
        if timer.fires > 1:
            msg = f"ASGI app did not return within {exchange.timeout}s after it was cancelled ({request_line}; {exchange.step()}): it swallowed the CancelledError"
            raise AppTimeout(msg, step=CANCEL_IGNORED, timeout=exchange.timeout) from None
        if not exchange.complete:
            raise exchange.timeout_error(request_line) from None
        _warn_lingered(exchange, request_line)
        return
    finally:
        if timer is not None:
            timer.stop()
        exchange.timer = None
        if not exchange.complete:
            exchange.disconnect()
    if not exchange.complete:
        raise exchange.incomplete_error(request_line)


def _warn_lingered(exchange: HTTPExchange, request_line: str) -> None:
    """Background work cut by the timeout is reported, not cancelled silently."""
    msg = (
        f"ASGI app was still running {exchange.timeout}s after its response completed ({request_line}) and was cancelled; "
        "background work (a BackgroundTask, a task it awaits) may not have finished: raise the client's timeout= if it needs longer"
    )
    warn_outside_the_kit(msg, RuntimeWarning)


async def call_asgi(app: Callable[..., Any], scope: dict[str, Any], body: BodyInput = b"", *, timeout: float = 5.0) -> ASGITestResponse:
    """Call an ASGI app once for an HTTP `scope` and return the whole response.

    `body` is bytes, str, or a (sync or async) iterable of bytes. The app's
    exceptions propagate; only an app wrapped with `validate_asgi` has every
    message key checked. AppTimeout when the app makes no progress for `timeout` seconds.
    """
    from ._asgi_response import ASGITestResponse
    from ._detect import as_asgi3

    if isinstance(body, str):
        body = body.encode("utf-8")
    app = as_asgi3(app)
    exchange = HTTPExchange(scope, body, timeout)
    line = f"{scope.get('method', 'GET')} {scope.get('path', '/')}"
    await run_http(app, exchange, line)
    return ASGITestResponse.from_exchange(exchange, _request_of(scope))


def _request_of(scope: dict[str, Any]) -> Any:
    """What the scope describes, as a SentRequest (so the response's repr names the request)."""
    from ._request import request_from_parts

    try:
        host, port = scope.get("server") or ("testserver", 80)
        root = scope.get("root_path", "")
        path = scope.get("path", "/")
        below = path[len(root):] if root and path.startswith(root) else path
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", ())]
        query = scope.get("query_string", b"").decode("latin-1")
        return request_from_parts(scope.get("method", "GET"), scope.get("scheme", "http"), host, port, root, below, query, headers)
    except Exception:  # a hand-made scope may lack anything; the response still works
        return None
