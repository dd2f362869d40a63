"""WebSocket sessions: the server's side of one ASGI WebSocket conversation, and what a test holds.

`WebSocketSession` runs the app in its own task (in a copied context) and is
the test's end of the socket: `send_*` put `websocket.receive` events in the
app's inbox, `receive_*` take what the app sent. The order of what the app
may send is _asgi_states' WebSocket table; `_raise_if_closed()` is the one
place that turns a close or a denial into the exception every `receive_*`
raises. Every wait is bounded by the client's timeout (AppTimeout).
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from typing import Any

from ._asgi_call import ClientDisconnected, headers_from_asgi
from ._asgi_run import start_app_task
from ._asgi_states import INITIAL, advance
from ._content import encode_json
from ._errors import AppTimeout, ProtocolError, WebSocketClosed, WebSocketDenied
from ._headers import Headers

__all__ = ["SessionState", "WebSocketSession", "check_close_code"]


class SessionState(enum.Enum):
    """Where a session is (RFC 6455 section 4 and the ASGI WebSocket spec)."""

    #: websocket.connect sent; waiting for the app to accept, close or deny
    CONNECTING = "connecting"
    #: accepted: messages flow both ways
    OPEN = "open"
    #: the test called close(); the app is finishing
    CLOSING = "closing"
    #: closed by either side
    CLOSED = "closed"
    #: the app refused the handshake (close before accept, or a denial response)
    DENIED = "denied"


def check_close_code(code: Any) -> int:
    """A close code a client may send (RFC 6455 7.4), or ValueError/TypeError naming it."""
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"close() code must be an int such as 1000, not {type(code).__name__}: {code!r}")
    if not (code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 or 3000 <= code <= 4999):
        raise ValueError(f"close() code {code} is not one a client may send (RFC 6455 7.4: 1000-1003, 1007-1014 or 3000-4999)")
    return code


class WebSocketSession:
    """The test's end of one WebSocket: send_*/receive_*, close(), and what the handshake gave.

    Attributes: `subprotocol` and `accept_headers` (from websocket.accept),
    `state` (a SessionState), `close_code` and `close_reason` once closed.
    """

    def __init__(self, app: Any, scope: dict[str, Any], timeout: float, label: str) -> None:
        self.scope = scope
        self.timeout = timeout
        self.label = label  # 'WebSocket /chat', for messages
        self.state = SessionState.CONNECTING
        self.subprotocol: str | None = None
        self.accept_headers = Headers()
        self.close_code: int | None = None
        self.close_reason = ""
        self._app = app
        self._protocol_state = INITIAL["websocket"]
        self._inbox: deque[dict[str, Any]] = deque([{"type": "websocket.connect"}])
        self._outbox: deque[dict[str, Any]] = deque()
        self._app_waiting: asyncio.Future | None = None
        self._test_waiting: asyncio.Future | None = None
        self._denial: dict[str, Any] | None = None
        self._denied_by: Any = None
        self._left = False
        #: True once the test side sent websocket.disconnect: the app's send() then raises OSError
        self._client_gone = False
        self._error_surfaced = False
        self.task: asyncio.Task | None = None

    # -- the app's side ----------------------------------------------------------------

    async def _receive(self) -> dict[str, Any]:
        while not self._inbox:
            if self._client_gone:  # after the disconnect was delivered: another one at once, as uvicorn does
                return {"type": "websocket.disconnect", "code": 1005}
            self._app_waiting = asyncio.get_running_loop().create_future()
            await self._app_waiting
        return self._inbox.popleft()

    async def _send(self, message: Any) -> None:
        if self._client_gone:
            if isinstance(message, dict) and message.get("type") == "websocket.close":
                return  # the app answering the test's close: nothing more to do
            kind = message.get("type") if isinstance(message, dict) else message
            raise ClientDisconnected(f"{self.label}: the client has disconnected; the app cannot send {kind!r} (ASGI WebSocket 2.4)")
        self._protocol_state = advance("websocket", self._protocol_state, message)
        kind = message["type"]
        if kind == "websocket.accept":
            self.state = SessionState.OPEN
            self.subprotocol = message.get("subprotocol")
            self.accept_headers = Headers._from_pairs(headers_from_asgi(message.get("headers", ()), message, kind))
        elif kind == "websocket.send":
            self._check_payload(message)
            self._outbox.append(message)
        elif kind == "websocket.close":
            self._closed_by_app(message)
        elif kind == "websocket.http.response.start":
            self._denial = {"status": message.get("status"), "headers": headers_from_asgi(message.get("headers", ()), message, kind), "body": []}
        elif kind == "websocket.http.response.body":
            self._denial["body"].append(message.get("body", b""))  # type: ignore[index]
            if not message.get("more_body"):
                self.state = SessionState.DENIED
        self._wake_test()
        if kind == "websocket.send":
            # A real server's send lets other tasks run once its buffer fills; without this yield an app
            # sending in a loop that never awaits anything else would starve the test and its timeout.
            await asyncio.sleep(0)

    def _check_payload(self, message: dict[str, Any]) -> None:
        text, data = message.get("text"), message.get("bytes")
        if (text is None) == (data is None):
            rule = "asgi.websocket.send-payload"
            msg = f"ASGI app sent 'websocket.send' with {'both' if text is not None else 'neither'} 'text' and 'bytes' [{rule}]\n  event: {message!r:.200}\n  expected: exactly one of text (str) or bytes (bytes)"
            raise ProtocolError(msg, rule=rule, value=message, expected="exactly one of text or bytes")

    def _closed_by_app(self, message: dict[str, Any]) -> None:
        code, reason = message.get("code", 1000), message.get("reason") or ""
        self.close_code, self.close_reason = code, reason
        if self.state is SessionState.CONNECTING:
            self.state = SessionState.DENIED
            self._denied_by = message
        else:
            self.state = SessionState.CLOSED

    def _wake_test(self) -> None:
        future = self._test_waiting
        if future is not None and not future.done():
            future.set_result(None)

    def _wake_app(self) -> None:
        future = self._app_waiting
        if future is not None and not future.done():
            future.set_result(None)

    # -- waiting, with the app's failures surfacing at once ---------------------------------------

    def _raise_if_app_failed(self) -> None:
        task = self.task
        if task is not None and task.done() and not task.cancelled():
            error = task.exception()
            if error is not None and not isinstance(error, ClientDisconnected):
                self._error_surfaced = True
                raise error

    async def _wait(self, step: str) -> None:
        """Wait for the app's next move, at most the timeout; the app's own error is raised as is."""
        self._raise_if_app_failed()
        loop = asyncio.get_running_loop()
        future = self._test_waiting = loop.create_future()
        handle = None
        try:
            await asyncio.sleep(0)  # most apps answer within one turn of the loop: then no timer is needed
            if not future.done():
                handle = loop.call_later(self.timeout, lambda: future.done() or future.set_result("timeout"))
            outcome = await future
        finally:
            if handle is not None:
                handle.cancel()
            self._test_waiting = None
        self._raise_if_app_failed()
        if outcome == "timeout":
            last = self._outbox[-1]["type"] if self._outbox else "nothing new"
            msg = f"ASGI app made no progress within {self.timeout}s {step} ({self.label}; it sent {last})"
            raise AppTimeout(msg, step=step, timeout=self.timeout)

    async def connect(self) -> None:
        """Start the app and wait for accept, a close or a denial response."""
        self.task = start_app_task(self._app, self.scope, self._receive, self._send)
        self.task.add_done_callback(lambda _: self._wake_test())
        try:
            while self.state is SessionState.CONNECTING or (self._denial is not None and self.state is not SessionState.DENIED):
                if self.task.done():
                    self._raise_if_app_failed()
                    raise ProtocolError(
                        f"ASGI app returned without accepting or closing the WebSocket ({self.label}) [asgi.websocket.returned-without-answer]",
                        rule="asgi.websocket.returned-without-answer",
                        value=None,
                        expected="'websocket.accept', 'websocket.close' or a denial response",
                    )
                await self._wait("waiting for websocket.accept")
            if self.state is SessionState.DENIED:  # accepted then closed at once is an open session: receive_* raise
                self._raise_if_closed()
        except BaseException:
            await self.leave()
            raise

    def _raise_if_closed(self) -> None:
        """The one place that turns a denial or a close into the exception every receive_* raises."""
        if self.state is SessionState.DENIED:
            raise self._denied_error()
        if self.state is SessionState.CLOSED and not self._outbox:
            msg = f"{self.label} closed by the app: code {self.close_code}, reason {self.close_reason!r}"
            raise WebSocketClosed(msg, code=self.close_code or 1000, reason=self.close_reason)

    def _denied_error(self) -> WebSocketDenied:
        if self._denial is not None:
            from ._asgi_response import ASGITestResponse

            denial = self._denial
            response = ASGITestResponse(denial["status"], Headers._from_pairs(denial["headers"]), b"".join(denial["body"]))
            return WebSocketDenied(f"{self.label} was refused with a denial response: HTTP {response.status}", status_code=response.status_code, response=response)
        return WebSocketDenied(f"{self.label} was refused before accept: close code {self.close_code}, HTTP 403", status_code=403, response=None)

    # -- the test's side -------------------------------------------------------------------

    def _check_usable(self, method: str) -> None:
        if self._left:
            raise ValueError(f"{self.label}: {method}() after the session ended; call it inside `async with client.websocket_connect(...)`")

    def _deliver(self, message: dict[str, Any]) -> None:
        self._raise_if_app_failed()
        if self.state is SessionState.CLOSED or self.state is SessionState.CLOSING:
            msg = f"{self.label} is closed (code {self.close_code}, reason {self.close_reason!r}); the message cannot be sent"
            raise WebSocketClosed(msg, code=self.close_code or 1000, reason=self.close_reason)
        if self.state is SessionState.DENIED:
            raise self._denied_error()
        self._inbox.append(message)
        self._wake_app()

    async def send_text(self, data: str) -> None:
        """Send a text message to the app."""
        if not isinstance(data, str):
            raise TypeError(f"send_text() needs a str, not {type(data).__name__}: {data!r:.60} (use send_bytes for bytes)")
        self._check_usable("send_text")
        self._deliver({"type": "websocket.receive", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary message to the app."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"send_bytes() needs bytes, not {type(data).__name__}: {data!r:.60} (use send_text for str)")
        self._check_usable("send_bytes")
        self._deliver({"type": "websocket.receive", "bytes": bytes(data)})

    async def send_json(self, data: Any, mode: str = "text") -> None:
        """Send `data` as compact JSON, in a text (default) or binary message."""
        self._check_usable("send_json")
        encoded = encode_json(data, "send_json() data")
        if mode == "text":
            await self.send_text(encoded.decode("utf-8"))
        elif mode == "binary":
            await self.send_bytes(encoded)
        else:
            raise ValueError(f"send_json() mode must be 'text' or 'binary', not {mode!r}")

    async def receive(self) -> dict[str, Any]:
        """The next message the app sent, as its raw ASGI event (a 'websocket.close' event once it closed)."""
        self._check_usable("receive")
        while not self._outbox:
            if self.state in (SessionState.CLOSED, SessionState.DENIED):
                if self.state is SessionState.DENIED:
                    raise self._denied_error()
                return {"type": "websocket.close", "code": self.close_code, "reason": self.close_reason}
            if self.task is not None and self.task.done():
                self._raise_if_app_failed()
                raise WebSocketClosed(f"{self.label}: the app returned without closing the WebSocket (code 1006)", code=1006, reason="")
            await self._wait("waiting for a message from the app")
        return self._outbox.popleft()

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
        return message["text"]

    async def receive_bytes(self) -> bytes:
        """The next binary message; WebSocketClosed when the app closed, ValueError for a text one."""
        message = await self._receive_message("receive_bytes")
        if message.get("bytes") is None:
            raise ValueError(f"{self.label}: expected a binary message, the app sent text {message.get('text')!r:.60}")
        return message["bytes"]

    async def receive_json(self, mode: str = "text") -> Any:
        """The next message parsed as JSON (text by default, or binary)."""
        import json

        self._check_usable("receive_json")
        data = await (self.receive_text() if mode == "text" else self.receive_bytes()) if mode in ("text", "binary") else None
        if data is None:
            raise ValueError(f"receive_json() mode must be 'text' or 'binary', not {mode!r}")
        return json.loads(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close from the test's side: the app receives websocket.disconnect with `code` and `reason`."""
        check_close_code(code)
        if not isinstance(reason, str):
            raise TypeError(f"close() reason must be a str, not {type(reason).__name__}")
        self._check_usable("close")
        if self.state is SessionState.OPEN:
            self.state = SessionState.CLOSING
            self._client_gone = True
            self.close_code, self.close_reason = code, reason
            self._inbox.append({"type": "websocket.disconnect", "code": code, "reason": reason})
            self._wake_app()
            await self._finish()
            self.state = SessionState.CLOSED

    async def leave(self) -> None:
        """End the session: deliver websocket.disconnect (1000 unless closed already) and await the app."""
        if self._left:
            return
        if not self._client_gone:  # else close() delivered the disconnect already
            self._client_gone = True
            if self.state is SessionState.OPEN:
                self.close_code = 1000
                self._inbox.append({"type": "websocket.disconnect", "code": 1000, "reason": ""})
            elif self.state is SessionState.CLOSED:  # the app closed: the client answers its close frame
                self._inbox.append({"type": "websocket.disconnect", "code": self.close_code, "reason": self.close_reason})
            else:  # CONNECTING or DENIED: the handshake never completed (uvicorn and daphne say 1006)
                self._inbox.append({"type": "websocket.disconnect", "code": 1006})
        self._wake_app()
        await self._finish()
        self._left = True
        if self.state is not SessionState.DENIED:
            self.state = SessionState.CLOSED
        self._wake_app()

    async def _finish(self) -> None:
        """Wait (bounded) for the app to return; cancel it if it lingers."""
        task = self.task
        if task is None or task.done():
            return
        await asyncio.sleep(0)  # an app that returns at once needs no timer
        if task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            task.cancel()
            await asyncio.wait({task})

    def app_error(self) -> BaseException | None:
        """The app's exception, if it raised one the test has not seen yet."""
        task = self.task
        if task is None or not task.done() or task.cancelled() or self._error_surfaced:
            return None
        error = task.exception()
        return None if isinstance(error, ClientDisconnected) else error

    def __repr__(self) -> str:
        return f"<WebSocketSession {self.label} {self.state.value}>"
