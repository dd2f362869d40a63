"""Run an app coroutine in the caller's task but in its own context, bounded by a step timeout.

A real server runs each request's app in a task with a fresh copy of the
context. Creating a Task per request is what makes other test clients slow in
a debug-mode loop (each Task captures a traceback), so `run_in_context()`
drives the app coroutine from the caller's own task, stepping it inside a
copied `contextvars.Context`: the app sees its own context, the test's
variables do not leak into it and back, and no task is created.

`current_tasks` lets a caller step an app coroutine *as* another task (the
app's own), so what the app learns from `asyncio.current_task()` -- where
anyio and asyncio.timeout() send their cancellations -- stays the app's task.

`StepTimer` bounds each step: one TimerHandle per call, re-armed only when it
fires early, which cancels the caller's task when the app makes no progress.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import types
from typing import Any, Callable, Coroutine

__all__ = ["StepTimer", "current_task_of", "current_tasks", "run_in_context", "start_app_task"]


@types.coroutine
def _suspend(yielded: Any) -> Any:
    """Hand what the app's coroutine yielded (a Future, or None) to the running task."""
    return (yield yielded)


async def run_in_context(coro: Coroutine[Any, Any, Any], context: contextvars.Context, on_first_suspend: Callable[[], None] | None = None) -> Any:
    """Await `coro`, running each of its steps inside `context`.

    `on_first_suspend` is called once, when the app first waits for something:
    an app that never waits needs no timer, so none is armed (cheap requests).
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
            error = exc
            send_value = None


def start_app_task(app: Callable[..., Any], *args: Any) -> "asyncio.Task[Any]":
    """Start `app(*args)` in a new task with its own copy of the context, as a server does per connection."""
    context = contextvars.copy_context()
    coro = context.run(app, *args)
    loop = asyncio.get_running_loop()
    if _TASK_TAKES_CONTEXT:
        return loop.create_task(coro, context=context)
    return context.run(loop.create_task, coro)  # the task copies the context it is created in


# create_task(context=) exists from 3.11; before, creating the task inside the context gives it a copy.
_TASK_TAKES_CONTEXT = sys.version_info >= (3, 11)


def _current_tasks_table() -> dict | None:
    """asyncio's private {loop: current task} dict, if current_task() really reads it (3.9-3.13 do)."""
    table = getattr(asyncio.tasks, "_current_tasks", None)
    if not isinstance(table, dict):
        return None
    key, marker = object(), object()
    table[key] = marker
    try:
        return table if asyncio.current_task(key) is marker else None  # type: ignore[arg-type]
    except Exception:
        return None
    finally:
        del table[key]


class _SwappedCurrentTasks:
    """The same {loop: task} face over asyncio's swap function, for a Python that keeps no such dict."""

    def __init__(self, swap: Callable[[Any, Any], Any]) -> None:
        self._swap = swap

    def get(self, loop: Any) -> Any:
        return asyncio.current_task(loop)

    def __setitem__(self, loop: Any, task: Any) -> None:
        self._swap(loop, task)

    def pop(self, loop: Any, default: Any = None) -> Any:
        return self._swap(loop, None)


def _current_tasks() -> Any:
    table = _current_tasks_table()
    if table is not None:
        return table
    swap = getattr(asyncio.tasks, "_swap_current_task", None)
    return _SwappedCurrentTasks(swap) if swap is not None else None


# {loop: task} as asyncio.current_task() answers it; None where this Python hides it (the stream then runs
# the app in its own task only). Setting an entry is how a caller steps a coroutine as another task.
current_tasks: Any = _current_tasks()
# asyncio.current_task(loop), the fastest way there is (before 3.12 asyncio's own is a Python function).
current_task_of: Callable[[Any], Any] = current_tasks.get if isinstance(current_tasks, dict) else asyncio.current_task


class StepTimer:
    """Cancel the current task when no progress was made for `timeout` seconds.

    Call `progress()` whenever the app does something; `fired` tells, after a
    CancelledError, that the cancellation was ours and not the caller's.
    """

    __slots__ = ("timeout", "fired", "_loop", "_task", "_handle", "_last", "_on_fire")

    def __init__(self, timeout: float, on_fire: Callable[[], None] | None = None) -> None:
        self.timeout = timeout
        self.fired = False
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
