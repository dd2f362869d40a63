"""The app side of `ASGITestClient.stream()`: the app runs in its own task and hands over one chunk at a time.

`StreamReader.start()` returns once the response has started; `next_chunk()`
takes a chunk (the app's send() completes only then, so at most one chunk
waits); `aclose()` sends http.disconnect and waits for the app to finish,
cancelling it after the timeout. Every wait is bounded and names its step.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from ._asgi_call import ClientDisconnected
from ._asgi_run import StepTimer, start_app_task
from ._errors import AppTimeout

__all__ = ["StreamReader"]


class StreamReader:
    """Runs one streamed HTTP exchange in a task and feeds the reader chunk by chunk."""

    def __init__(self, app: Any, exchange: Any, request_line: str) -> None:
        self.exchange = exchange
        self.request_line = request_line
        self._app = app
        self._chunks: deque[bytes] = deque()
        self._taken: asyncio.Future | None = None
        self._signal_future: asyncio.Future | None = None
        self.task: asyncio.Task | None = None
        self._timer: StepTimer | None = None
        self._step = ""
        exchange.on_chunk = self._handoff

    async def _handoff(self, chunk: bytes) -> None:
        """The app's send() of a body chunk: wait until the reader has taken it (back-pressure)."""
        if self.exchange.disconnected:
            return  # the reader left: the chunk is dropped (an HTTP send() after a disconnect is a no-op, checklist A31)
        chunks = self._chunks
        chunks.append(chunk)
        self._signal()
        # SPEC section 4: at most about two chunks buffered. The app may run one chunk ahead of the
        # reader, which halves the task switches per chunk; a second one waits until the reader takes one.
        while len(chunks) > 1 and not self.exchange.disconnected:
            self._taken = asyncio.get_running_loop().create_future()
            await self._taken

    async def _send(self, message: Any) -> None:
        """The app's send(): the exchange's, then wake the reader (the start and the final body are news too)."""
        try:
            await self.exchange.send(message)
        finally:
            self._signal()

    def _signal(self) -> None:
        if self._timer is not None:
            self._timer.progress()
        future = self._signal_future
        if future is not None and not future.done():
            future.set_result(None)

    async def _wait(self, step: str) -> None:
        """Wait for the app's next move, at most the timeout (one timer for the whole stream)."""
        future = self._signal_future = asyncio.get_running_loop().create_future()
        self._step = step
        if self._timer is None:
            self._timer = StepTimer(self.exchange.timeout, self._on_timeout)
        try:
            await future
        finally:
            self._signal_future = None

    def _on_timeout(self) -> None:
        """The step timer fired: fail the reader's wait, or keep watching if nobody waits."""
        future = self._signal_future
        if future is not None and not future.done():
            future.set_exception(self._timeout(self._step))
        if self._timer is not None:
            self._timer.rearm()

    def _timeout(self, step: str) -> AppTimeout:
        error = self.exchange.timeout_error(self.request_line)
        return AppTimeout(str(error), step=step, timeout=self.exchange.timeout, last_event=self.exchange.last_event)

    async def start(self) -> None:
        """Start the app and return once `http.response.start` arrived."""
        exchange = self.exchange
        self.task = start_app_task(self._app, exchange.scope, exchange.receive, self._send)
        self.task.add_done_callback(lambda _: self._signal())
        try:
            while exchange.status_code is None or exchange.state == "start":
                self._raise_if_app_ended()
                await self._wait("waiting for http.response.start")
        except BaseException:
            await self.aclose()
            raise

    def _raise_if_app_ended(self) -> None:
        task = self.task
        if task is not None and task.done():
            if task.cancelled():
                raise asyncio.CancelledError()
            error = task.exception()
            if error is not None:
                raise error
            if not self.exchange.complete:
                raise self.exchange.incomplete_error(self.request_line)

    async def next_chunk(self) -> bytes | None:
        """The next body chunk, or None at the end of the body."""
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                taken = self._taken
                if taken is not None and not taken.done():
                    taken.set_result(None)
                    if self._timer is not None:
                        self._timer.progress()
                return chunk
            if self.exchange.complete:
                return None
            self._raise_if_app_ended()
            await self._wait(self.exchange.step())

    async def aclose(self) -> None:
        """Disconnect and wait for the app to return (cancelled after the timeout); re-raise its error."""
        exchange = self.exchange
        exchange.disconnect()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._chunks.clear()
        if self._taken is not None and not self._taken.done():
            self._taken.set_result(None)
        task = self.task
        if task is None:
            return
        if not task.done():
            done, _ = await asyncio.wait({task}, timeout=exchange.timeout)
            if not done:
                task.cancel()
                await asyncio.wait({task})
                return
        error = None if task.cancelled() else task.exception()
        if error is not None and not isinstance(error, ClientDisconnected):
            raise error
