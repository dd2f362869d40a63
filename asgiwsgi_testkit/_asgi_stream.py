"""The app side of `ASGITestClient.stream()`: the reader pulls the body from the app, a hand-over at a time.

Theory of operation. The app's coroutine belongs to a driver task, the app's
own task as under a server: cancellations (anyio cancel scopes, TaskGroup,
asyncio.timeout) reach the app through it. While the app does nothing but send
body chunks, the reader steps the coroutine itself *as that task*
(current_tasks), so a chunk costs no event-loop turn; as soon as the app
waits for anything else (receive(), a lock, a sleep, its own child tasks) the
driver task takes the wait over and wakes the reader when there is news.

Either way at most two chunks wait: an app's send() of a chunk that finds one
waiting returns only when the reader has taken one (SPEC section 4). `start()`
returns once the response started; `BodyChunks` (aiter_bytes) takes chunks,
stepping the app or, when its task has the app, `wait()`ing for news, bounded
by the timeout and naming the step; `aclose()` sends http.disconnect and waits
for the app to finish, cancelling it after the timeout.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import types
from collections import deque
from typing import Any

from ._asgi_call import ClientDisconnected
from ._asgi_run import StepTimer, current_task_of, current_tasks
from ._asgi_validate import check_send
from ._errors import AppTimeout, ProtocolError
from ._headers import Headers

__all__ = ["BodyChunks", "StreamReader"]


class _Awaitable(tuple):
    """A tuple awaited as its items: each is yielded to whoever steps the coroutine (no Python frame)."""

    __slots__ = ()
    __await__ = tuple.__iter__


_AT_HAND_OVER = object()  # what the app's coroutine yields when its send() waits for the reader
_HAND_OVER = _Awaitable((_AT_HAND_OVER,))
_LOOP_TURN = _Awaitable((None,))  # a bare yield: the task runs again on the next loop turn
_RESUME = object()  # told to the parked driver: run the app on (the reader left, or cannot step it)
_FINISHED = object()  # told to the parked driver: the app returned while the reader stepped it
_ENDED = object()  # _step(): the app's coroutine returned or raised
# A reader that keeps taking chunks the app sends without ever waiting would otherwise starve the event loop
# (512 chunks: under a millisecond of a fast app).
_STEPS_PER_LOOP_TURN = 256


def _cancel_instead(awaited: Any, cancellation: BaseException) -> bool:
    """Cancel the future the app awaits, as Task.cancel() does; False when it cannot take the cancellation."""
    if not asyncio.isfuture(awaited):
        return False
    return awaited.cancel(cancellation.args[0] if cancellation.args else None)


@types.coroutine
def _suspend(awaited: Any) -> Any:
    """Wait, in the driver task, for what the app's coroutine yielded (a Future, or None for one loop turn)."""
    return (yield awaited)


class StreamReader:
    """One streamed HTTP exchange: the app runs as its own task, the reader takes its chunks."""

    def __init__(self, app: Any, exchange: Any, request_line: str, validate: bool = False) -> None:
        self.exchange = exchange
        self.request_line = request_line
        self._app = app
        self._validate = validate
        self._checked_state = exchange.state  # validate_asgi's view of the order (the exchange stops at a disconnect)
        self._violation: ProtocolError | None = None
        self._chunks: deque[bytes] = deque()
        self._taken: asyncio.Future | None = None  # senders in other tasks wait here for room
        self._signal_future: asyncio.Future | None = None  # the reader waits here for news
        self._timer: StepTimer | None = None
        self._loop: Any = None
        self._context: Any = None
        self._coro: Any = None
        self._resume: Any = None  # self._coro.send(None), made once
        self._driver: asyncio.Task | None = None
        self._park: asyncio.Future | None = None  # pending while the driver sleeps and the app sits at a hand-over
        self._handed: Any = _AT_HAND_OVER  # what the reader handed the parked driver to wait for
        self._reported = False  # the app's error was raised to the reader already
        self._stepping = False  # True while the reader or the driver runs a step of the app's coroutine
        self._finished = False
        self._error: BaseException | None = None
        self._closing = False
        self._plain_body = False  # the exchange is in state "body" and the client is there: the fast path applies
        self._last_event: Any = None  # what the app sent last (the exchange sees only what the fast path does not take)
        exchange.on_chunk = self._queue_chunk

    # -- the app's send() --------------------------------------------------------------

    async def _send(self, message: Any) -> None:
        # A body chunk with more to come is the state table's one self-loop: nothing else to check, validated or not.
        # (Subscripts, not .get(): this runs once per chunk, and anything unusual takes the checked path below.)
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
                    await (_HAND_OVER if current_task_of(self._loop) is self._driver else self._room_elsewhere())
            return  # (_queue_chunk does the same for the chunks of other messages; inlined here, once per chunk)
        await self._send_checked(message)

    async def _send_checked(self, message: Any) -> None:
        """Every other message: validate_asgi's checks (when validating), then the exchange's."""
        exchange = self.exchange
        if self._validate:
            try:
                self._checked_state = check_send(exchange.scope, "http", self._checked_state, message)
            except ProtocolError as error:
                if self._violation is None:
                    self._violation = error
                raise
        self._last_event = message
        self._plain_body = False  # until this message is through: a chunk from another task meanwhile is checked
        try:
            await exchange.send(message)
        finally:
            self._plain_body = exchange.state == "body" and not exchange.disconnected
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
            await (_HAND_OVER if current_task_of(self._loop) is self._driver else self._room_elsewhere())

    async def _room_elsewhere(self) -> None:
        """A send() from a task of the app's own: wait until the reader took a chunk or left."""
        while len(self._chunks) > 1 and not self._closing:
            taken = self._taken
            if taken is None:
                taken = self._taken = self._loop.create_future()
            await taken

    # -- stepping the app ----------------------------------------------------------------

    def _step(self, error: BaseException | None = None) -> Any:
        """Run the app's coroutine until it waits; what it waits for, or _ENDED."""
        self._stepping = True
        try:
            if error is None:
                return self._context.run(self._coro.send, None)
            return self._context.run(self._coro.throw, error)
        except BaseException as outcome:
            self._app_ended(outcome)
            return _ENDED
        finally:
            self._stepping = False

    def _app_ended(self, outcome: BaseException) -> None:
        self._finished = True
        if not isinstance(outcome, StopIteration):
            self._error = outcome
        elif self._violation is not None:
            self._error = self._violation  # the app swallowed a violation: surface it anyway (as validate_asgi does)
        park = self._park
        if park is not None and not park.done():
            park.set_result(_FINISHED)
        self._signal()

    def _advance(self) -> bool:
        """Step the app in the reader's turn if it sits at a hand-over; False when the reader must wait instead."""
        park = self._park
        if park is None or park.done():
            return False  # the driver task runs the app (or will): wait for its news
        tasks = current_tasks
        if tasks is None:
            park.set_result(_RESUME)  # this Python hides the current task: the driver steps the app
            return False
        loop = self._loop
        previous = tasks.get(loop)
        tasks[loop] = self._driver  # the app runs as its own task, whoever steps it
        self._stepping = True
        ended: BaseException | None = None
        try:
            awaited = self._context.run(self._resume)
        except BaseException as outcome:
            ended = outcome
        finally:
            self._stepping = False
            if previous is None:
                tasks.pop(loop, None)
            else:
                tasks[loop] = previous
        if ended is not None:
            self._app_ended(ended)
        elif awaited is not _AT_HAND_OVER:
            self._handed = awaited  # the app waits for something else: its task waits for it
            if not park.done():  # (cancelled during the step: the driver learns of it from _parked())
                park.set_result(awaited)
        return True

    async def _drive(self) -> None:
        """The app's own task: parks while the app sits at a hand-over, otherwise waits for what the app awaits and steps it."""
        awaited: Any = _AT_HAND_OVER  # not started yet: the reader makes the first step, as after a hand-over
        while True:
            error: BaseException | None = None
            if awaited is _AT_HAND_OVER and not self._closing:
                awaited, error = await self._parked()
                if self._finished:
                    return
                if error is None:
                    if awaited is not _RESUME:
                        continue  # the reader stepped the app, which now waits for `awaited`
                elif awaited is not _AT_HAND_OVER and _cancel_instead(awaited, error):
                    continue  # as a Task does: what the app awaits is cancelled, and the app learns it from there
            elif awaited is not _AT_HAND_OVER:
                try:
                    await _suspend(awaited)
                except BaseException as exc:  # a cancellation of this task: the app gets it, as in any Task
                    error = exc
            state = self.exchange.state
            awaited = self._step(error)
            if awaited is _ENDED:
                if isinstance(self._error, (KeyboardInterrupt, SystemExit)):
                    raise self._error  # out of the loop at once, as from any Task
                return
            if self._chunks or self.exchange.state != state:
                self._signal()  # news for a waiting reader (a step that sent nothing is no progress)

    async def _parked(self) -> tuple[Any, BaseException | None]:
        """Sleep until the reader hands the app back: (what it now awaits, None), or (that, this task's cancellation)."""
        park = self._park = self._loop.create_future()
        try:
            return await park, None
        except BaseException as exc:
            return self._handed, exc
        finally:
            self._park = None
            self._handed = _AT_HAND_OVER

    # -- the reader ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start the app and return once `http.response.start` arrived."""
        exchange = self.exchange
        loop = self._loop = asyncio.get_running_loop()
        context = self._context = contextvars.copy_context()
        self._coro = context.run(self._app, exchange.scope, exchange.receive, self._send)
        self._resume = functools.partial(self._coro.send, None)
        self._driver = loop.create_task(self._drive(), name=f"asgiwsgi_testkit stream: {self.request_line}")
        try:
            await asyncio.sleep(0)  # the driver parks: from now on the app runs as that task
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

    async def _wait_for_driver(self, driver: asyncio.Task) -> None:
        """Wait for the app's task to end; cancel it after the timeout. If the reader's own task is cancelled
        meanwhile (a cancel scope around the block), the app is cancelled and waited for all the same."""
        timeout = self.exchange.timeout
        cancelled: BaseException | None = None
        try:
            done, _ = await asyncio.wait({driver}, timeout=timeout)
        except asyncio.CancelledError as exc:
            cancelled, done = exc, set()
        if not done:
            driver.cancel()
            deadline = self._loop.time() + timeout
            while not driver.done() and self._loop.time() < deadline:
                try:
                    await asyncio.wait({driver}, timeout=deadline - self._loop.time())
                except asyncio.CancelledError as exc:  # anyio delivers again on each loop turn
                    cancelled = cancelled or exc
            if not driver.done() and cancelled is None:
                step = "waiting for the app to return after it was cancelled"
                raise AppTimeout(f"ASGI app did not return within {timeout}s after it was cancelled ({self.request_line})", step=step, timeout=timeout, last_event=self._last_event)
        if cancelled is not None:
            raise cancelled

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
        """Disconnect and wait for the app to return (cancelled after the timeout); re-raise its error."""
        exchange = self.exchange
        self._closing = True
        self._plain_body = False
        exchange.disconnect()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._chunks.clear()
        if self._taken is not None and not self._taken.done():
            self._taken.set_result(None)
        driver = self._driver
        park = self._park
        if park is not None and not park.done():
            park.set_result(_RESUME)  # the app goes on in its own task: its send()s are no-ops now
        if self._finished and not driver.done():  # type: ignore[union-attr]
            await asyncio.sleep(0)  # the driver was told the app returned: this turn it returns too
        if not driver.done():  # type: ignore[union-attr]
            await self._wait_for_driver(driver)
            if not self._finished:
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
                await _LOOP_TURN  # the app's timers and other tasks run, as when a server's socket pushes back
            elif reader._advance():
                self._steps += 1
            else:
                self._steps = 0
                await reader.wait()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self._done = True
