"""The app side of `ASGITestClient.stream()`: the reader pulls the body from the app, a hand-over at a time.

The app runs as a `SteppedApp` (_asgi_stepped): its own task, stepped by the
reader while it only sends body chunks. At most two chunks wait: an app's
send() of a chunk that finds one waiting returns only when the reader has
taken one (SPEC section 4). A plain body chunk (state "body", more_body True,
bytes) is the state table's one self-loop and is taken without further
checks; every other message is checked as validate_asgi and the exchange do.
`start()` returns once the response started; `BodyChunks` (aiter_bytes) takes
chunks, stepping the app or `wait()`ing for its task's news, bounded by the
timeout and naming the step; `aclose()` sends http.disconnect and waits for
the app to finish: one that does not listen for the disconnect is cancelled
after the exchange's short grace (_app_task.finish_app_task).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from ._asgi_call import ClientDisconnected
from ._app_task import StepTimer
from ._asgi_stepped import HAND_OVER, LOOP_TURN, SteppedApp
from ._asgi_validate import HTTPSendChecker
from ._headers import Headers

__all__ = ["BodyChunks", "StreamReader"]

# A reader that keeps taking chunks the app sends without ever waiting would otherwise starve the event loop
# (512 chunks: under a millisecond of a fast app).
_STEPS_PER_LOOP_TURN = 256


class StreamReader(SteppedApp):
    """One streamed HTTP exchange: the app runs as its own task, the reader takes its chunks."""

    def __init__(self, app: Any, exchange: Any, request_line: str, validate: bool = False) -> None:
        super().__init__()
        self.exchange = exchange
        self.request_line = request_line
        self._app = app
        # validate_asgi's view of the response (the exchange stops at a disconnect), when validating
        self._checker = HTTPSendChecker(exchange.scope) if validate else None
        self._chunks: deque[bytes] = deque()
        self._taken: asyncio.Future[Any] | None = None  # senders in other tasks wait here for room
        self._signal_future: asyncio.Future[Any] | None = None  # the reader waits here for news
        self._timer: StepTimer | None = None
        self._reported = False  # the app's error was raised to the reader already
        self._plain_body = False  # the exchange is in state "body" and the client is there: the fast path applies
        self._last_event: Any = None  # what the app sent last (the exchange sees only what the fast path does not take)
        exchange.on_chunk = self._queue_chunk

    # -- the app's send() --------------------------------------------------------------

    async def _send(self, message: Any) -> None:
        # A body chunk with more to come is the state table's one self-loop: nothing else to check, validated or not.
        # (Subscripts, not .get(): this runs once per chunk, and anything unusual takes the checked path below.)
        body: Any = None
        try:
            plain = self._plain_body and message["more_body"] is True and message["type"] == "http.response.body" and type(message) is dict and type(body := message["body"]) is bytes
        except Exception:
            plain = False
        if plain:
            self._last_event = message
            if body:
                chunks = self._chunks
                chunks.append(body)
                if not self._stepping:
                    self._signal()
                    await self._room_elsewhere()
                elif len(chunks) > 1:
                    await (HAND_OVER if self._current_task_of(self._loop) is self._driver else self._room_elsewhere())
            return  # (_queue_chunk does the same for the chunks of other messages; inlined here, once per chunk)
        await self._send_checked(message)

    async def _send_checked(self, message: Any) -> None:
        """Every other message: validate_asgi's checks (when validating), then the exchange's."""
        exchange = self.exchange
        if self._checker is not None:
            self._checker.check(message)
        self._last_event = message
        self._plain_body = False  # until this message is through: a chunk from another task meanwhile is checked
        try:
            await exchange.send(message)
        finally:
            # (a body held to a content-length takes the checked path: counted by the validator, cut by the exchange)
            self._plain_body = exchange.state == "body" and not exchange.disconnected and exchange.length_left is None and (self._checker is None or self._checker.declared is None)
            if not self._stepping:
                self._signal()  # sent from another task: the start or the end is news for the reader

    async def _queue_chunk(self, chunk: bytes) -> None:
        """A chunk the exchange accepted (the last one, a file's, one before trailers): buffered like the others."""
        chunks = self._chunks
        chunks.append(chunk)
        if not self._stepping:
            self._signal()
            await self._room_elsewhere()
        elif len(chunks) > 1:
            # The app's own coroutine hands over to whoever steps it; a task the app started eagerly
            # inside that step (3.12+ eager task factory) waits for room like any other task.
            await (HAND_OVER if self._current_task_of(self._loop) is self._driver else self._room_elsewhere())

    async def _room_elsewhere(self) -> None:
        """A send() from a task of the app's own: wait until the reader took a chunk or left."""
        while len(self._chunks) > 1 and not self._closing:
            taken = self._taken
            if taken is None:
                taken = self._taken = self._loop.create_future()
            await taken

    # -- the reader ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start the app and return once `http.response.start` arrived."""
        exchange = self.exchange
        try:
            await self._start_app(self._app, (exchange.scope, exchange.receive, self._send), f"asgiwsgi_testkit stream: {self.request_line}")
            while exchange.status_code is None or exchange.state == "start":
                if self._finished:
                    self._raise_app_ended()
                if not self._advance():
                    await self.wait()
        except BaseException:
            await self.aclose()
            raise

    def chunks(self, response: Any) -> BodyChunks:
        """An async iterator over the body chunks, for `response.aiter_bytes()` (none for HEAD, as a server sends)."""
        return BodyChunks(self, response, head=self.exchange.scope.get("method") == "HEAD")

    async def wait(self) -> None:
        """Wait for news from the app's task, at most the timeout without progress (one timer for the whole stream)."""
        future = self._signal_future = self._loop.create_future()
        if self._timer is None:
            self._timer = StepTimer(self.exchange.timeout, self._on_timeout)
        else:
            self._timer.progress()
        try:
            await future
        finally:
            self._signal_future = None

    def _news_state(self) -> Any:
        return self.exchange.state, len(self._chunks)

    def _on_news(self) -> None:
        self._signal()

    def _app_ended(self, outcome: BaseException) -> None:
        if isinstance(outcome, StopIteration) and self._checker is not None and self._checker.violation is not None:
            outcome = self._checker.violation  # the app swallowed a violation: surface it anyway (as validate_asgi does)
        super()._app_ended(outcome)

    def _signal(self) -> None:
        future = self._signal_future
        if future is not None and not future.done():
            if self._timer is not None:
                self._timer.progress()
            future.set_result(None)

    def _on_timeout(self) -> None:
        """The step timer fired: fail the reader's wait, or keep watching if nobody waits."""
        future = self._signal_future
        if future is not None and not future.done():
            future.set_exception(self._exchange_as_sent().timeout_error(self.request_line))
        if self._timer is not None:
            self._timer.rearm()

    def _raise_app_ended(self) -> None:
        if self._error is not None:
            self._reported = True  # aclose() does not raise it again
            raise self._error
        raise self._exchange_as_sent().incomplete_error(self.request_line)

    def _exchange_as_sent(self) -> Any:
        """The exchange, told the last event the fast path took (for error messages)."""
        if self._last_event is not None:
            self.exchange.last_event = self._last_event
        return self.exchange

    async def aclose(self) -> None:
        """Disconnect and wait for the app to return (cancelled after the grace if it does not listen); re-raise its error."""
        self._closing = True
        self._plain_body = False
        self.exchange.disconnect()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._chunks.clear()
        if self._taken is not None and not self._taken.done():
            self._taken.set_result(None)
        if self._driver is None:
            return  # the app never started
        exchange = self.exchange
        if not await self._end_app(exchange.timeout, self.request_line, exchange.grace, exchange.heard_disconnect):
            return  # cancelled after the timeout: what it raised then is no news
        error = self._error
        if error is not None and not self._reported and not isinstance(error, (ClientDisconnected, asyncio.CancelledError)):
            raise error


class BodyChunks:
    """`aiter_bytes()` of a streamed response: each chunk as the app sends it; at the end the trailers are set.

    `__anext__` takes a waiting chunk or steps the app itself, so reading costs
    no loop turn unless the app waits for something else. For HEAD the app's
    body is read and dropped, as a server does.
    """

    __slots__ = ("_reader", "_response", "_head", "_done", "_steps")

    def __init__(self, reader: StreamReader, response: Any, head: bool = False) -> None:
        self._reader = reader
        self._response = response
        self._head = head
        self._done = False
        self._steps = 0  # app steps run by this reader since the event loop last had a turn

    def __aiter__(self) -> BodyChunks:
        return self

    async def __anext__(self) -> bytes:
        reader = self._reader
        chunks = reader._chunks
        while not self._done:
            if chunks:
                chunk = chunks.popleft()
                taken = reader._taken
                if taken is not None:  # a send() in another task waits for room
                    reader._taken = None
                    if not taken.done():
                        taken.set_result(None)
                if self._head:
                    continue
                return chunk
            if reader.exchange.complete:
                self._done = True
                self._response.trailers = Headers._from_pairs(reader.exchange.trailers)
                break
            if reader._closing:
                raise ValueError(f"{self._response!r}: aiter_bytes(), aiter_lines() and aiter_events() read a body only inside `async with client.stream(...)`")
            if reader._finished:
                reader._raise_app_ended()
            if self._steps == _STEPS_PER_LOOP_TURN:
                self._steps = 0
                await LOOP_TURN  # the app's timers and other tasks run, as when a server's socket pushes back
            elif reader._advance():
                self._steps += 1
            else:
                self._steps = 0
                await reader.wait()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self._done = True
