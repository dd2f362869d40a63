"""The test's end of one ASGI WebSocket: `WebSocketSession`.

The app's side -- its task, its inbox and outbox, the conversation's state --
is `WebSocketConnection` (_asgi_websocket_app). The session is the API a test
holds: `connect()`, `send_*` (messages into the app's inbox), `receive_*`
(what the app sent), `close()` and `leave()`. `_raise_if_closed()` is the one
place that turns a close or a denial into the exception the test sees. Every
wait is bounded by the client's timeout (AppTimeout).
"""

from __future__ import annotations

import asyncio

from typing import Any, Awaitable, Coroutine

from ._asgi_websocket_app import SessionState, WebSocketConnection
from ._app_task import DISCONNECT_GRACE
from ._content import encode_json
from ._errors import WebSocketClosed, WebSocketDenied, rule_broken
from ._forwarded import Forwarded
from ._headers import Headers


__all__ = ["SessionState", "WebSocketSession", "check_close_code"]


def check_close_code(code: Any) -> int:
    """A close code a client may send (RFC 6455 7.4), or ValueError/TypeError naming it."""
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"close() code must be an int such as 1000, not {type(code).__name__}: {code!r}")
    if not (code in (1000, 1001, 1002, 1003, 1006) or 1007 <= code <= 1014 or 3000 <= code <= 4999):
        raise ValueError(f"close() code {code} is not one a client may send (RFC 6455 7.4: 1000-1003, 1007-1014 or 3000-4999; 1006 for a dropped connection)")
    return code


class WebSocketSession:
    """The test's end of one WebSocket: send_*/receive_*, close(), and what the handshake gave.

    Attributes: `subprotocol` and `accept_headers` (from websocket.accept),
    `state` (a SessionState), `close_code` and `close_reason` once closed.
    """

    def __init__(self, app: Any, scope: dict[str, Any], timeout: float, label: str, grace: float = DISCONNECT_GRACE) -> None:
        self._connection = WebSocketConnection(app, scope, timeout, label, grace)
        self.scope = scope
        self.timeout = timeout
        self.label = label  # 'WebSocket /chat', for messages
        self._left = False
        self._last_send: Any = None  # the latest send_*() coroutine, checked at the next call (see _check_usable)

    # -- what the app's side knows (read-only views of the connection) ----------------------------

    state: Forwarded[SessionState] = Forwarded("_connection", "Where the session is: a SessionState.")
    subprotocol: Forwarded[str | None] = Forwarded("_connection", "The subprotocol the app accepted with, or None.")
    accept_headers: Forwarded[Headers] = Forwarded("_connection", "The headers of websocket.accept (Headers).")
    close_code: Forwarded[int | None] = Forwarded("_connection", "The close code once closed (by either side), else None.")
    close_reason: Forwarded[str] = Forwarded("_connection", "The close reason once closed, as the app sent it ('' before).")
    task: Forwarded[asyncio.Task[None] | None] = Forwarded("_connection", "The app's task (None before connect()).")

    # -- the handshake --------------------------------------------------------------------------

    async def connect(self) -> None:
        """Start the app and wait for accept, a close or a denial response."""
        connection = self._connection
        connection.start()
        try:
            while connection.state is SessionState.CONNECTING or (connection.denial is not None and connection.state is not SessionState.DENIED):
                if connection.app_returned():
                    connection.raise_if_app_failed()
                    raise rule_broken(
                        "asgi.websocket.returned-without-answer",
                        f"ASGI app returned without accepting or closing the WebSocket ({self.label})",
                        None,
                        "'websocket.accept', 'websocket.close' or a denial response",
                    )
                await connection.wait("waiting for websocket.accept")
            if connection.state is SessionState.DENIED:  # accepted then closed at once is an open session: receive_* raise
                self._raise_if_closed()
        except BaseException:
            await self.leave()
            raise

    # -- the one place a close or a denial becomes an exception -------------------------------------

    def _raise_if_closed(self, sending: bool = False) -> None:
        """Raise what the test sees of a denial or a close: WebSocketDenied or WebSocketClosed.

        Receiving, a close is raised once every message the app sent before it
        was read; sending, a close (or the test's own close) is raised at once.
        """
        connection = self._connection
        state = connection.state
        if state is SessionState.DENIED:
            raise self._denied_error()
        code, reason = connection.close_code, connection.close_reason
        if sending and state in (SessionState.CLOSED, SessionState.CLOSING):
            msg = f"{self.label} is closed (code {code}, reason {reason!r}); the message cannot be sent"
        elif not sending and state is SessionState.CLOSED and not connection.outbox:
            msg = f"{self.label} closed by the app: code {code}, reason {reason!r}"
        else:
            return
        raise WebSocketClosed(msg, code=code or 1000, reason=reason)

    def _denied_error(self) -> WebSocketDenied:
        connection = self._connection
        if connection.denial is not None:
            from ._asgi_response import ASGITestResponse

            denial = connection.denial
            response = ASGITestResponse(denial["status"], Headers._from_pairs(denial["headers"]), b"".join(denial["body"]))
            return WebSocketDenied(f"{self.label} was refused with a denial response: HTTP {response.status}", status_code=response.status_code, response=response)
        code, reason = connection.close_code, connection.close_reason
        return WebSocketDenied(f"{self.label} was refused before accept: close code {code}, HTTP 403", status_code=403, response=None, code=code, reason=reason)

    # -- the test's side -------------------------------------------------------------------

    def _check_usable(self, method: str) -> None:
        if self._left:
            raise ValueError(f"{self.label}: {method}() after the session ended; call it inside `async with client.websocket_connect(...)`")
        pending = self._last_send
        if pending is not None:
            self._last_send = None
            import inspect  # here: only a session with a send made before needs it

            if inspect.getcoroutinestate(pending) == inspect.CORO_CREATED:  # made, never awaited: nothing was sent
                name = pending.__name__.lstrip("_")
                pending.close()  # no "was never awaited" warning on top of this error
                raise TypeError(f"{self.label}: an earlier {name}() was called without `await`, so its message never reached the app: write `await ws.{name}(...)`")

    def _sent_later(self, coro: Coroutine[Any, Any, None]) -> Coroutine[Any, Any, None]:
        """A send_*() coroutine, remembered until the next call, which tells the test if it was never awaited."""
        self._last_send = coro
        return coro

    def _deliver(self, message: dict[str, Any]) -> None:
        self._connection.raise_if_app_failed()
        self._raise_if_closed(sending=True)
        self._connection.deliver(message)

    def send_text(self, data: str) -> Awaitable[None]:
        """Send a text message to the app (await it)."""
        return self._sent_later(self._send_text(data))

    def send_bytes(self, data: bytes) -> Awaitable[None]:
        """Send a binary message to the app (await it)."""
        return self._sent_later(self._send_bytes(data))

    def send_json(self, data: Any, mode: str = "text") -> Awaitable[None]:
        """Send `data` as compact JSON, in a text (default) or binary message (await it)."""
        return self._sent_later(self._send_json(data, mode))

    async def _send_text(self, data: str) -> None:
        if not isinstance(data, str):
            raise TypeError(f"send_text() needs a str, not {type(data).__name__}: {data!r:.60} (use send_bytes for bytes)")
        self._check_usable("send_text")
        self._deliver({"type": "websocket.receive", "text": data})

    async def _send_bytes(self, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"send_bytes() needs bytes, not {type(data).__name__}: {data!r:.60} (use send_text for str)")
        self._check_usable("send_bytes")
        self._deliver({"type": "websocket.receive", "bytes": bytes(data)})

    async def _send_json(self, data: Any, mode: str = "text") -> None:
        self._check_usable("send_json")
        encoded = encode_json(data, "send_json() data")
        if mode == "text":
            await self._send_text(encoded.decode("utf-8"))
        elif mode == "binary":
            await self._send_bytes(encoded)
        else:
            raise ValueError(f"send_json() mode must be 'text' or 'binary', not {mode!r}")

    async def receive(self) -> dict[str, Any]:
        """The next message the app sent, as its raw ASGI event (a 'websocket.close' event once it closed)."""
        self._check_usable("receive")
        connection = self._connection
        outbox = connection.outbox
        while not outbox:
            if connection.state in (SessionState.CLOSED, SessionState.DENIED):
                if connection.state is SessionState.DENIED:
                    raise self._denied_error()
                return {"type": "websocket.close", "code": connection.close_code, "reason": connection.close_reason}
            if connection.app_returned():
                connection.raise_if_app_failed()
                raise WebSocketClosed(f"{self.label}: the app returned without closing the WebSocket (code 1006)", code=1006, reason="")
            await connection.wait("waiting for a message from the app")
        return outbox.popleft()

    async def _receive_message(self, method: str) -> dict[str, Any]:
        self._check_usable(method)
        message = await self.receive()
        if message["type"] == "websocket.close":
            self._raise_if_closed()
        return message

    async def receive_text(self) -> str:
        """The next text message; WebSocketClosed when the app closed, ValueError for a binary one."""
        message = await self._receive_message("receive_text")
        if message.get("text") is None:
            raise ValueError(f"{self.label}: expected a text message, the app sent bytes {message.get('bytes')!r:.60}")
        text: str = message["text"]
        return text

    async def receive_bytes(self) -> bytes:
        """The next binary message; WebSocketClosed when the app closed, ValueError for a text one."""
        message = await self._receive_message("receive_bytes")
        if message.get("bytes") is None:
            raise ValueError(f"{self.label}: expected a binary message, the app sent text {message.get('text')!r:.60}")
        data: bytes = message["bytes"]
        return data

    async def receive_json(self, mode: str = "text") -> Any:
        """The next message parsed as JSON (text by default, or binary)."""
        import json

        self._check_usable("receive_json")
        data = await (self.receive_text() if mode == "text" else self.receive_bytes()) if mode in ("text", "binary") else None
        if data is None:
            raise ValueError(f"receive_json() mode must be 'text' or 'binary', not {mode!r}")
        return json.loads(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close from the test's side: the app receives websocket.disconnect with `code` and `reason`.

        `code=1006` is a connection that dropped without a close frame (a client
        that vanished): the app receives the disconnect with code 1006, as
        hypercorn delivers it, and no close frame is "sent".
        """
        check_close_code(code)
        if not isinstance(reason, str):
            raise TypeError(f"close() reason must be a str, not {type(reason).__name__}")
        self._check_usable("close")
        connection = self._connection
        if connection.state is SessionState.OPEN:
            connection.state = SessionState.CLOSING
            connection.close_code, connection.close_reason = code, reason
            connection.disconnect(code, reason)
            await connection.finish()
            connection.state = SessionState.CLOSED

    async def leave(self) -> None:
        """End the session: deliver websocket.disconnect (1000 unless closed already) and await the app."""
        if self._left:
            return
        connection = self._connection
        if not connection.client_gone:  # else close() delivered the disconnect already
            state = connection.state
            if state is SessionState.OPEN:
                connection.close_code = 1000
                connection.disconnect(1000)
            elif state is SessionState.CLOSED:  # the app closed: the client answers its close frame
                connection.disconnect(connection.close_code or 1000, connection.close_reason)
            else:  # CONNECTING or DENIED: the handshake never completed (uvicorn and daphne say 1006)
                connection.disconnect(1006)
        try:
            await connection.finish()
        finally:
            self._left = True
            if connection.state is not SessionState.DENIED:
                connection.state = SessionState.CLOSED

    def app_error(self) -> BaseException | None:
        """The app's exception, if it raised one the test has not seen yet."""
        return self._connection.app_error()

    def __repr__(self) -> str:
        return f"<WebSocketSession {self.label} {self.state.value}>"
