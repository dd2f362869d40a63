"""The life of an ASGI app's task, in one place: starting it, bounding each step, and ending it.

A real server runs each connection's app in a task with a fresh copy of the
context. `start_app_task()` does that for the exchanges that need a task of
their own (lifespan, WebSocket; the stream's driver in _asgi_stepped), and
`run_in_context()` runs a plain request's app in the caller's own task, in a
copied context, so a cheap request costs no Task (each Task captures a
traceback in a debug-mode loop).

Every wait for the app is bounded by one mechanism, `StepTimer` (a single
TimerHandle re-armed only when it fires early), and every exchange ends its
app with `finish_app_task()`: after the kit delivered the disconnect (or
`lifespan.shutdown`), wait a short grace; an app that listened gets the step
timeout to return, one that did not is cancelled; an app still running a
timeout after the cancellation (it swallowed it) has its coroutine closed and
is an `AppTimeout` naming the step. Nothing waits without a bound.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import types
from typing import Any, Callable, Coroutine

from ._errors import AppTimeout

__all__ = ["DISCONNECT_GRACE", "StepTimer", "check_grace", "finish_app_task", "run_in_context", "start_app_task", "wait_bounded"]

#: seconds an app may keep running after the client left, before it is cancelled, unless it listened for the disconnect
DISCONNECT_GRACE = 0.1
#: the step named by an AppTimeout for an app that swallowed its cancellation
CANCEL_IGNORED = "waiting for the app to return after it was cancelled"

# create_task(context=) exists from 3.11; before, creating the task inside the context gives it a copy.


def check_grace(value: Any, name: str = "disconnect_grace") -> float:
    """A grace period option: a number of seconds >= 0, or TypeError/ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}= must be a number of seconds such as {DISCONNECT_GRACE}, not {type(value).__name__}: {value!r}")
    if not value >= 0:
        raise ValueError(f"{name}= must be 0 or more seconds, not {value!r}")
    return float(value)


# -- starting -----------------------------------------------------------------------------


def start_app_task(app: Callable[..., Any], *args: Any, name: str | None = None) -> "asyncio.Task[Any]":
    """Start `app(*args)` in a new task with its own copy of the context, as a server does per connection."""
    context = contextvars.copy_context()
    coro = context.run(app, *args)
    loop = asyncio.get_running_loop()
    if sys.version_info >= (3, 11):  # create_task(context=)
        return loop.create_task(coro, name=name, context=context)
    return context.run(loop.create_task, coro, name=name)  # the task copies the context it is created in


@types.coroutine
def _suspend(yielded: Any) -> Any:
    """Hand what the app's coroutine yielded (a Future, or None) to the running task."""
    return (yield yielded)


async def run_in_context(
    coro: Coroutine[Any, Any, Any],
    context: contextvars.Context,
    on_first_suspend: Callable[[], None] | None = None,
    abandoned: Callable[[], bool] | None = None,
) -> Any:
    """Await `coro`, running each of its steps inside `context`, in the caller's task.

    `on_first_suspend` is called once, when the app first waits for something:
    an app that never waits needs no timer, so none is armed (cheap requests).
    When an exception reaches the caller while `abandoned()` is true, the app
    is not stepped again: its coroutine is closed and the exception raised.
    """
    send_value: Any = None
    error: BaseException | None = None
    while True:
        try:
            if error is not None:
                yielded = context.run(coro.throw, error)
            else:
                yielded = context.run(coro.send, send_value)
        except StopIteration as stop:
            return stop.value
        error = None
        if on_first_suspend is not None:
            on_first_suspend()
            on_first_suspend = None
        try:
            send_value = await _suspend(yielded)
        except BaseException as exc:  # cancellation, delivered into the app
            if abandoned is not None and abandoned():
                close_coroutine(coro)
                raise
            error = exc
            send_value = None


# -- bounding each step -----------------------------------------------------------------------


class StepTimer:
    """Cancel the current task (or call `on_fire`) when no progress was made for `timeout` seconds.

    Call `progress()` whenever the app does something; `fired` tells, after a
    CancelledError, that the cancellation was ours and not the caller's.
    `rearm()` gives one more period after a fire; `fires` counts them.
    """

    __slots__ = ("timeout", "fired", "fires", "_loop", "_task", "_handle", "_last", "_on_fire")

    def __init__(self, timeout: float, on_fire: Callable[[], None] | None = None) -> None:
        self.timeout = timeout
        self.fired = False
        self.fires = 0
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._last = self._loop.time()
        self._on_fire = on_fire
        self._handle: asyncio.TimerHandle | None = self._loop.call_at(self._last + timeout, self._check)

    def progress(self) -> None:
        self._last = self._loop.time()

    def _check(self) -> None:
        deadline = self._last + self.timeout
        if self._loop.time() < deadline:
            self._handle = self._loop.call_at(deadline, self._check)
            return
        self.fired = True
        self.fires += 1
        self._handle = None
        if self._on_fire is not None:
            self._on_fire()
        elif self._task is not None:
            self._task.cancel()

    def rearm(self) -> None:
        """After a fired timeout was handled, give the app one more period to finish."""
        self.fired = False
        self._last = self._loop.time()
        if self._handle is None:
            self._handle = self._loop.call_at(self._last + self.timeout, self._check)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def uncancel(self) -> None:
        """Undo our cancel() on the task's cancel count (3.11+), so the caller's own timeouts keep working."""
        uncancel = getattr(self._task, "uncancel", None)
        if uncancel is not None:
            uncancel()


async def wait_bounded(task: "asyncio.Future[Any]", timeout: float) -> bool:
    """Wait at most `timeout` seconds for `task` to finish; True when it did. Never cancels `task`."""
    if task.done():
        return True
    if timeout <= 0:
        return False
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def wake(_: Any = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = StepTimer(timeout, on_fire=wake)
    task.add_done_callback(wake)
    try:
        await waiter
    finally:
        timer.stop()
        task.remove_done_callback(wake)
    return task.done()


# -- ending -----------------------------------------------------------------------------------


def close_coroutine(coro: Any) -> bool:
    """Close an app's coroutine that would not return (GeneratorExit at its await); False when it refused."""
    try:
        coro.close()
    except RuntimeError:  # "coroutine ignored GeneratorExit": it yielded again
        return False
    return True


async def finish_app_task(
    task: "asyncio.Task[Any]",
    *,
    timeout: float,
    what: str,
    grace: float = DISCONNECT_GRACE,
    listened: Callable[[], bool] | None = None,
    coro: Any = None,
) -> bool:
    """Wait for an app's task to end after the kit told it to (disconnect, shutdown); False when it was cancelled.

    The app gets `grace` seconds; then, if `listened()` says it took the
    disconnect, `timeout` more; then it is cancelled and gets `timeout` to
    return. One that still runs has `coro` (default: the task's coroutine)
    closed and raises AppTimeout naming `what`. A cancellation of the
    caller's own task meanwhile ends the app all the same, then goes on.
    """
    if task.done():
        return True
    cancelled: BaseException | None = None
    try:
        await asyncio.sleep(0)  # an app that returns at once needs no timer
        if task.done():
            return True
        if await wait_bounded(task, grace):
            return True
        if listened is not None and listened() and await wait_bounded(task, timeout):
            return True
    except asyncio.CancelledError as exc:  # the caller is cancelled: the app is ended all the same
        cancelled = exc
    task.cancel()
    deadline = asyncio.get_running_loop().time() + timeout
    while not task.done():
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            break
        try:
            await wait_bounded(task, remaining)
        except asyncio.CancelledError as exc:  # anyio delivers again on each loop turn
            cancelled = cancelled or exc
    if not task.done():
        stopped = await _abandon(task, coro)
        if cancelled is None:
            how = "" if stopped else "; its coroutine also ignored GeneratorExit and is left suspended"
            msg = f"ASGI app did not return within {timeout}s after it was cancelled ({what}): it swallowed the CancelledError{how}"
            raise AppTimeout(msg, step=CANCEL_IGNORED, timeout=timeout)
    if cancelled is not None:
        raise cancelled
    return False


async def _abandon(task: "asyncio.Task[Any]", coro: Any) -> bool:
    """Close the coroutine of a task that ignores cancellation, then let the task end as cancelled."""
    stopped = close_coroutine(coro if coro is not None else task.get_coro())
    if stopped:
        task.cancel()  # wakes the task, whose closed coroutine raises the CancelledError: the task ends
        await wait_bounded(task, 0.05)  # one or two loop turns; bounded all the same
    if task.done() and not task.cancelled():
        task.exception()  # retrieved: the abandoned app's last error is no news
    return stopped and task.done()
