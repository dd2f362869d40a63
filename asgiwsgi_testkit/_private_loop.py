"""PrivateLoop: the one event loop a synchronous client owns, run only inside its calls (SPEC section 11).

The loop is made at first use and runs, in the calling thread, only while a
call runs a coroutine to its end (no thread, no second loop per call), so what
the app creates on it stays usable from one request to the next. Each call's
coroutine is awaited by one long-lived driver task, which stops the loop in
the turn the coroutine ends: a task per call costs a FastAPI request ~15 µs
more (a Task, an extra loop turn, and anyio's per-task state made again).
anyio ties its worker threads (FastAPI's sync endpoints) to that task and
stops them when it ends, which close() does; for a client never closed,
_sync_client ends it at interpreter exit, before threads are joined. `close()`
ends what is left on it as `asyncio.run()` would, but bounded: leftover tasks
are cancelled and awaited (an app that swallows that is an AppTimeout), async
generators finalised, the default executor joined, the loop closed. The
module changes no global state: no policy, no `set_event_loop()`.
"""

from __future__ import annotations

import asyncio
import contextvars
import types
from typing import Any, Coroutine

from ._app_task import finish_app_task
from ._asyncio_internals import LoopEntry, forget_pending, running_loop
from ._errors import TestkitError

__all__ = ["PrivateLoop"]


@types.coroutine
def _suspend(yielded: Any) -> Any:
    """Hand what the call's coroutine yielded (a Future, or None for a bare loop turn) to the driver task."""
    return (yield yielded)


async def _go_on(coro: Coroutine[Any, Any, Any], yielded: Any, context: contextvars.Context) -> Any:
    """Go on with a call first stepped outside the loop: wait, in the driver, for what it yielded, and step it on in its context."""
    while True:
        try:
            value, error = await _suspend(yielded), None
        except BaseException as exc:  # a cancellation (the step timer's, anyio's) goes into the call
            value, error = None, exc
        try:
            yielded = context.run(coro.throw, error) if error is not None else context.run(coro.send, value)
        except StopIteration as stop:
            return stop.value


async def _outcome_of(job: Coroutine[Any, Any, Any]) -> tuple[bool, Any]:
    """(True, result) or (False, what the job raised, KeyboardInterrupt included).

    Caught here, in a frame that has ended by the time the caller sees the
    exception, not in the driver's: unittest's assertRaises clears the frames
    of a traceback, and clearing a suspended coroutine's frame closes it.
    """
    try:
        return (True, await job)
    except BaseException as exc:
        return (False, exc)


class PrivateLoop:
    """A client's own event loop: `run(coro)` in the calling thread, `close()` once; `owner` names the client in errors."""

    __slots__ = ("owner", "use_instead", "timeout", "reopens", "_loop", "_closed", "_driver", "_started_driver", "_entry", "_wakeup", "_job", "_outcome")

    def __init__(self, owner: str, use_instead: str, timeout: float, *, reopens: bool = False) -> None:
        self.owner = owner
        self.use_instead = use_instead
        self.timeout = timeout
        #: after close(), a new loop at the next call (Starlette's TestClient may be used again after `with`)
        self.reopens = reopens
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._driver: asyncio.Task[None] | None = None  # awaits each call's coroutine in turn
        self._started_driver: Any = None  # the driver once its first step ran (it then waits on _wakeup)
        self._entry: Any = None  # LoopEntry: the loop entered without running it, for a call's first step
        self._wakeup: asyncio.Future[None] | None = None  # what the driver waits on between calls
        self._job: Coroutine[Any, Any, Any] | None = None
        self._outcome: tuple[bool, Any] | None = None  # (True, result) or (False, what it raised)

    @property
    def is_open(self) -> bool:
        return self._loop is not None and not self._loop.is_closed()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run `coro` to its end on this loop, as the driver task; its result, or what it raised.

        Its first step runs right here (LoopEntry): a call that never waits for anything ends
        without a loop turn; one that waits is handed to the driver, and the loop runs until it ends.
        """
        if running_loop() is not None:
            coro.close()  # never awaited, on purpose: no "was never awaited" warning
            raise TestkitError(f"{self.owner} cannot be used inside a running event loop (an async test or a coroutine): use {self.use_instead} there and await its methods")
        loop = self._loop
        if loop is None:
            if self._closed and not self.reopens:
                coro.close()
                raise TestkitError(f"{self.owner} is closed: make a new client (close() and the end of `with client:` end its event loop)")
            loop = self._loop = asyncio.new_event_loop()
            self._closed = False
        driver = self._driver
        if driver is None or driver.done():
            driver = self._driver = loop.create_task(self._drive(loop), name=f"{self.owner} calls")
            self._entry = LoopEntry(loop, driver)
        entry = self._entry
        if entry.usable:  # first step the call right here, as the driver: one that never waits needs no loop turn
            context = contextvars.copy_context()  # the call's own, as a task of its own would have (it keeps it in the driver)
            token = entry.enter(driver)
            try:
                yielded = context.run(coro.send, None)
            except StopIteration as stop:
                return stop.value
            finally:
                entry.leave(token)
            coro = _go_on(coro, yielded, context)  # it waits for something: the driver goes on with it, in the loop
        self._job, self._outcome = coro, None
        if driver is self._started_driver:
            self._wakeup.set_result(None)  # type: ignore[union-attr]
        while self._outcome is None:  # (run_forever returns early only if something else stopped the loop)
            if driver.done():  # the driver itself was cancelled or interrupted: say so; the next call makes a new one
                self._job, self._driver = None, None
                driver.result()
                raise TestkitError(f"{self.owner}: the task running this call ended before the call did")
            loop.run_forever()
        returned, value = self._take_outcome()
        if returned:
            return value
        raise value

    def _take_outcome(self) -> tuple[bool, Any]:
        """The finished call's (True, result) or (False, what it raised), cleared for the next call."""
        outcome, self._outcome = self._outcome, None
        if outcome is None:  # pragma: no cover - run() asks only once the driver set it
            raise TestkitError(f"{self.owner}: the loop stopped before the call ended; expected its result or its exception")
        return outcome

    async def _drive(self, loop: asyncio.AbstractEventLoop) -> None:
        """Await each call's coroutine in this one task, and stop the loop in the turn it ends."""
        self._started_driver = asyncio.current_task()  # from now on a call wakes it, rather than its first step finding the job
        while True:
            job, self._job = self._job, None
            if job is None:
                self._wakeup = loop.create_future()
                await self._wakeup
                continue
            self._outcome = await _outcome_of(job)
            del job
            loop.stop()

    def close(self) -> None:
        """Cancel and await what is left on the loop (bounded), finalise async generators, join the executor, close it. Idempotent."""
        loop, self._loop = self._loop, None
        self._closed = True
        self._driver = self._started_driver = self._entry = None
        if loop is None or loop.is_closed():
            return
        try:
            leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
            if leftovers:
                outcomes = loop.run_until_complete(self._end_tasks(leftovers))
                for outcome in outcomes:
                    if isinstance(outcome, BaseException):
                        raise outcome
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()

    async def _end_tasks(self, tasks: list[asyncio.Task[Any]]) -> list[Any]:
        """Cancel each task and wait for it, bounded by the timeout (finish_app_task); what each ending raised."""
        ends = [finish_app_task(task, timeout=self.timeout, what=f"{self.owner} closing: {task.get_name()}", grace=0) for task in tasks]
        return await asyncio.gather(*ends, return_exceptions=True)

    def close_quietly(self) -> bool:
        """close() from a finalizer, which must not raise; True when the loop was open.

        When another loop runs in this thread (a collection during an async test) this loop cannot
        run to end its tasks: the driver's coroutine is closed, the tasks left are not reported as
        destroyed, and the loop is closed (its self-pipe sockets with it).
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return False
        try:
            if running_loop() is None:
                self.close()
                return True
            driver, self._loop, self._closed = self._driver, None, True
            self._driver = self._started_driver = self._entry = None
            for task in asyncio.all_tasks(loop):
                forget_pending(task)
            if driver is not None and not driver.done():
                driver.get_coro().close()  # it waits on its wakeup future: closing it runs nothing of the app
            loop.close()
        except Exception:  # the ResourceWarning already said what to do
            pass
        return True
