"""The server's side of one ASGI WebSocket conversation: the app's task and what it received and sent.

`WebSocketConnection` runs the app in its own task (_app_task), keeps the
app's inbox (what the test sent) and outbox (what the app sent), and moves
the conversation's `SessionState` as the app accepts, sends, closes or denies.
The order of what the app may send is _asgi_states' WebSocket table. It knows
nothing of the test's API: `WebSocketSession` (_asgi_websocket) is that.
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from typing import Any

from ._app_task import DISCONNECT_GRACE, StepTimer, finish_app_task, start_app_task
from ._asgi_call import ClientDisconnected, headers_from_asgi
from ._asgi_states import INITIAL, advance
from ._content import BYTES_LIKE
from ._errors import AppTimeout, event_rule_broken
from ._headers import Headers

__all__ = ["SessionState", "WebSocketConnection"]


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


class WebSocketConnection:
    """The app's end of one WebSocket: its task, its inbox and outbox, and the conversation's state.

    Attributes the session shows: `state`, `subprotocol`, `accept_headers`,
    `close_code`, `close_reason`, `denial` (status, headers, body parts of a
    denial response).
    """

    def __init__(self, app: Any, scope: dict[str, Any], timeout: float, label: str, grace: float = DISCONNECT_GRACE) -> None:
        self.scope = scope
        self.timeout = timeout
        self.grace = grace
        self.label = label  # 'WebSocket /chat', for messages
        self.state = SessionState.CONNECTING
        self.subprotocol: str | None = None
        self.accept_headers = Headers()
        self.close_code: int | None = None
        self.close_reason = ""
        self.denial: dict[str, Any] | None = None
        self.outbox: deque[dict[str, Any]] = deque()
        self.task: asyncio.Task[None] | None = None
        #: True once the test side sent websocket.disconnect: the app's send() then raises OSError
        self.client_gone = False
        self.error_surfaced = False
        self._app = app
        self._protocol_state = INITIAL["websocket"]
        self._inbox: deque[dict[str, Any]] = deque([{"type": "websocket.connect"}])
        self._app_waiting: asyncio.Future[Any] | None = None
        self._test_waiting: asyncio.Future[Any] | None = None
        self._heard_disconnect = False

    # -- the app's receive() and send() ------------------------------------------------------

    async def receive(self) -> dict[str, Any]:
        while not self._inbox:
            if self.client_gone:  # after the disconnect was delivered: another one at once, as uvicorn does
                self._heard_disconnect = True
                return {"type": "websocket.disconnect", "code": 1005}
            self._app_waiting = asyncio.get_running_loop().create_future()
            await self._app_waiting
        message = self._inbox.popleft()
        if message["type"] == "websocket.disconnect":
            self._heard_disconnect = True
        return message

    async def send(self, message: Any) -> None:
        if self.client_gone:
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
            _check_payload(message)
            data = message.get("bytes")
            if data is not None and type(data) is not bytes:
                if not isinstance(data, BYTES_LIKE):
                    raise event_rule_broken("asgi.websocket.send-payload", f"ASGI app sent 'websocket.send' with bytes of type {type(data).__name__}", message, "bytes as bytes (or a bytearray or memoryview)")
                message = {**message, "bytes": bytes(data)}  # a bytearray or memoryview, copied as it is sent
            self.outbox.append(message)
        elif kind == "websocket.close":
            self._closed_by_app(message)
        elif kind == "websocket.http.response.start":
            self.denial = {"status": message.get("status"), "headers": headers_from_asgi(message.get("headers", ()), message, kind), "body": []}
        elif kind == "websocket.http.response.body":
            self.denial["body"].append(message.get("body", b""))  # type: ignore[index]
            if not message.get("more_body"):
                self.state = SessionState.DENIED
        self._wake_test()
        if kind == "websocket.send":
            # A real server's send lets other tasks run once its buffer fills; without this yield an app
            # sending in a loop that never awaits anything else would starve the test and its timeout.
            await asyncio.sleep(0)

    def _closed_by_app(self, message: dict[str, Any]) -> None:
        reason = message.get("reason")
        self.close_code, self.close_reason = message.get("code", 1000), "" if reason is None else reason
        self.state = SessionState.DENIED if self.state is SessionState.CONNECTING else SessionState.CLOSED

    def _wake_test(self) -> None:
        future = self._test_waiting
        if future is not None and not future.done():
            future.set_result(None)

    def _wake_app(self) -> None:
        future = self._app_waiting
        if future is not None and not future.done():
            future.set_result(None)

    # -- what the test's side asks of it -------------------------------------------------------

    def start(self) -> None:
        """Start the app in its own task; the test side is woken when it ends."""
        self.task = start_app_task(self._app, self.scope, self.receive, self.send)
        self.task.add_done_callback(lambda _: self._wake_test())

    def deliver(self, message: dict[str, Any]) -> None:
        """Put a message in the app's inbox and wake it."""
        self._inbox.append(message)
        self._wake_app()

    def disconnect(self, code: int, reason: str = "") -> None:
        """The client leaves: websocket.disconnect with `code`; from now on the app's send() raises."""
        self.client_gone = True
        message: dict[str, Any] = {"type": "websocket.disconnect", "code": code}
        if reason or code != 1006:
            message["reason"] = reason
        self.deliver(message)

    def raise_if_app_failed(self) -> None:
        """Raise the app's own exception, once its task ended with one (not a disconnect it raised on)."""
        task = self.task
        if task is not None and task.done() and not task.cancelled():
            error = task.exception()
            if error is not None and not isinstance(error, ClientDisconnected):
                self.error_surfaced = True
                raise error

    def app_returned(self) -> bool:
        return self.task is not None and self.task.done()

    async def wait(self, step: str) -> None:
        """Wait for the app's next move, at most the timeout; the app's own error is raised as is."""
        self.raise_if_app_failed()
        loop = asyncio.get_running_loop()
        future = self._test_waiting = loop.create_future()
        timer = None
        try:
            await asyncio.sleep(0)  # most apps answer within one turn of the loop: then no timer is needed
            if not future.done():
                timer = StepTimer(self.timeout, on_fire=lambda: None if future.done() else future.set_result("timeout"))
            outcome = await future
        finally:
            if timer is not None:
                timer.stop()
            self._test_waiting = None
        self.raise_if_app_failed()
        if outcome == "timeout":
            last = self.outbox[-1]["type"] if self.outbox else "nothing new"
            msg = f"ASGI app made no progress within {self.timeout}s {step} ({self.label}; it sent {last})"
            raise AppTimeout(msg, step=step, timeout=self.timeout)

    async def finish(self) -> None:
        """Wait for the app to return after the disconnect (_app_task.finish_app_task: grace, cancel, bound)."""
        task = self.task
        if task is None or task.done():
            return
        try:
            await finish_app_task(task, timeout=self.timeout, what=self.label, grace=self.grace, listened=self._listened)
        finally:
            self._wake_app()

    def _listened(self) -> bool:
        return self._heard_disconnect

    def app_error(self) -> BaseException | None:
        """The app's exception, if it raised one the test has not seen yet."""
        task = self.task
        if task is None or not task.done() or task.cancelled() or self.error_surfaced:
            return None
        error = task.exception()
        return None if isinstance(error, ClientDisconnected) else error


def _check_payload(message: dict[str, Any]) -> None:
    text, data = message.get("text"), message.get("bytes")
    if (text is None) == (data is None):
        which = "both" if text is not None else "neither"
        raise event_rule_broken("asgi.websocket.send-payload", f"ASGI app sent 'websocket.send' with {which} 'text' and 'bytes'", message, "exactly one of text (str) or bytes (bytes)")
