"""asyncio's private current-task bookkeeping, in one place: how the kit steps an app *as* the app's own task.

The stream reader runs an app's coroutine in its own turn while the app sits
at a hand-over (_asgi_stepped); for what the app learns from
`asyncio.current_task()` -- where anyio and `asyncio.timeout()` send their
cancellations -- to stay the app's task, asyncio's notion of the current task
is switched for the length of the step. asyncio offers no public way to do
that, so this module is the only one in the package that touches its private
names. There are three paths, and which one a Python takes:

===========  =========================================================  ==========================
path         how the current task is switched                            taken by default on
===========  =========================================================  ==========================
``table``    set ``asyncio.tasks._current_tasks[loop]``, the dict that   CPython 3.9-3.13
             ``current_task()`` reads
``swap``     ``asyncio.tasks._swap_current_task(loop, task)``; where      CPython 3.14+ (the current
             asyncio has none (3.9-3.11) the same swap is made of         task moved into per-thread
             ``_leave_task``/``_enter_task``                              state, gh-129898)
``driver``   not switched: the app's driver task steps it (one more       any Python where both
             event-loop turn per hand-over, same behaviour)               probes fail
===========  =========================================================  ==========================

The path is chosen lazily, at the first switch, inside the running loop and
with a real task, and verified there: the switch must make
`asyncio.current_task()` answer that task and the switch back must restore
the previous one. A path whose names are missing, whose call raises or whose
answer is wrong is skipped; when none works the driver path is used, never
a crash. The environment variable ``ASGIWSGI_TESTKIT_TASK_SWITCH``
(``table``, ``swap`` or ``driver``) forces one path, so that tox runs each
on every interpreter (a forced path that fails its check falls back to
``driver`` too).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any, Callable, Optional

__all__ = ["PATHS", "LoopEntry", "forget_pending", "running_loop", "current_task_reader", "current_task_table", "reset", "switch_path", "task_switch"]

#: the paths, in the order they are tried
PATHS = ("table", "swap", "driver")
_ENV = "ASGIWSGI_TESTKIT_TASK_SWITCH"

#: swap(loop, task) -> the task it replaced; makes `task` what asyncio.current_task(loop) answers
Swap = Callable[[Any, Any], Any]

_UNRESOLVED: Any = object()
_chosen: Any = _UNRESOLVED  # (path name, swap function or None), once resolved


def _table_swap() -> Swap | None:
    """A swap over the {loop: task} dict that asyncio.current_task() reads (3.9-3.13)."""
    table = getattr(asyncio.tasks, "_current_tasks", None)
    if not isinstance(table, dict):
        return None
    get, pop = table.get, table.pop

    def swap(loop: Any, task: Any) -> Any:
        previous = get(loop)
        if task is None:
            pop(loop, None)
        else:
            table[loop] = task
        return previous

    return swap


def _function_swap() -> Swap | None:
    """asyncio's own swap function (3.12+), or one made of _leave_task/_enter_task where there is none."""
    swap = getattr(asyncio.tasks, "_swap_current_task", None)
    if swap is not None:
        return swap  # type: ignore[no-any-return]
    enter, leave = getattr(asyncio.tasks, "_enter_task", None), getattr(asyncio.tasks, "_leave_task", None)
    if enter is None or leave is None:
        return None

    def swap_by_enter_and_leave(loop: Any, task: Any) -> Any:
        previous = asyncio.current_task(loop)
        if previous is not None:
            leave(loop, previous)
        if task is not None:
            enter(loop, task)
        return previous

    return swap_by_enter_and_leave


_MAKERS: dict[str, Callable[[], Optional[Swap]]] = {"table": _table_swap, "swap": _function_swap}


def _works(swap: Swap, loop: Any, task: Any) -> bool:
    """Switch to `task` and back once; True when asyncio.current_task() followed both times."""
    try:
        previous = swap(loop, task)
        try:
            switched = asyncio.current_task(loop) is task
        finally:
            swap(loop, previous)
        return switched and asyncio.current_task(loop) is previous
    except Exception:
        return False


def _resolve(loop: Any, task: Any) -> tuple[str, Swap | None]:
    forced = os.environ.get(_ENV, "").strip().lower()
    if forced == "driver":
        return "driver", None
    names = (forced,) if forced in _MAKERS else tuple(_MAKERS)
    for name in names:
        try:
            swap = _MAKERS[name]()
        except Exception:
            swap = None
        if swap is not None and _works(swap, loop, task):
            return name, swap
    return "driver", None


def task_switch(loop: Any, task: Any) -> Swap | None:
    """The swap function for this Python, or None for the driver path; chosen and checked at the first call.

    `loop` must be the running loop and `task` a task of it other than the
    current one: the check switches to it and back.
    """
    global _chosen
    if _chosen is _UNRESOLVED:
        _chosen = _resolve(loop, task)
    return _chosen[1]  # type: ignore[no-any-return]


#: the running loop of this thread, or None (asyncio's own function: no RuntimeError to make and catch)
running_loop: Callable[[], Any] = getattr(asyncio.events, "_get_running_loop", None) or (lambda: None)


def forget_pending(task: Any) -> None:
    """Let a task whose loop is being closed around it be collected without "Task was destroyed but it is
    pending" (asyncio's run_until_complete() sets the same flag on a task it made)."""
    task._log_destroy_pending = False


class LoopEntry:
    """Make `loop` this thread's running loop, a task its current task and its async-generator hooks the
    thread's, without running the loop (`enter(task)`), and undo it (`leave(token)`).

    For SyncASGITestClient: a call whose coroutine ends without waiting for anything is stepped right
    there, as its driver task, with no loop turn. asyncio.events._set_running_loop and the loop's own
    _asyncgen_*_hook methods are what run_forever() sets up. `usable` is False on the driver path (or
    when asyncio lacks those names); the loop must not be running.
    """

    __slots__ = ("usable", "_loop", "_switch", "_hooks", "_set_running_loop")

    def __init__(self, loop: Any, task: Any) -> None:
        self._loop = loop
        self._switch = task_switch(loop, task)
        firstiter = getattr(loop, "_asyncgen_firstiter_hook", None)
        finalizer = getattr(loop, "_asyncgen_finalizer_hook", None)
        self._hooks = (firstiter, finalizer)
        self._set_running_loop = getattr(asyncio.events, "_set_running_loop", None)
        self.usable = None not in (self._switch, firstiter, finalizer, self._set_running_loop)

    def enter(self, task: Any) -> Any:
        hooks = sys.get_asyncgen_hooks()
        self._set_running_loop(self._loop)  # type: ignore[misc]
        sys.set_asyncgen_hooks(*self._hooks)
        return hooks, self._switch(self._loop, task)  # type: ignore[misc]

    def leave(self, token: Any) -> None:
        hooks, previous = token
        self._switch(self._loop, previous)  # type: ignore[misc]
        sys.set_asyncgen_hooks(*hooks)
        self._set_running_loop(None)  # type: ignore[misc]


def current_task_reader() -> Callable[[Any], Any]:
    """What answers asyncio.current_task(loop) fastest here: the table's own get() on the table path
    (before 3.12 asyncio.current_task is a Python function, and the stream asks once per chunk)."""
    if _chosen is not _UNRESOLVED and _chosen[0] == "table":
        return asyncio.tasks._current_tasks.get  # type: ignore[attr-defined,no-any-return]
    return asyncio.current_task


def current_task_table() -> dict[Any, Any] | None:
    """On the table path, the {loop: task} dict itself, for a caller that switches twice per chunk (no call at all)."""
    if _chosen is not _UNRESOLVED and _chosen[0] == "table":
        return asyncio.tasks._current_tasks  # type: ignore[attr-defined,no-any-return]
    return None


def switch_path() -> str | None:
    """The path in use ('table', 'swap' or 'driver'), or None before the first switch."""
    return None if _chosen is _UNRESOLVED else str(_chosen[0])


def reset() -> None:
    """Forget the chosen path, so the next switch probes again (for tests that force a path)."""
    global _chosen
    _chosen = _UNRESOLVED
