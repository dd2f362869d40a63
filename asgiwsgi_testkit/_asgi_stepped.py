"""An app coroutine that runs as a task of its own, yet can be stepped in a reader's turn: `SteppedApp`.

Theory of operation. A driver Task owns the app's coroutine, as a server's
task does, so cancellations (anyio cancel scopes, TaskGroup, asyncio.timeout)
reach the app through it. When the app suspends at a hand-over (`await
HAND_OVER`: it has something for the reader and waits for it to be taken)
the driver parks, and the reader may step the coroutine itself *as that
task* (`_asyncio_internals.task_switch`), which costs no event-loop turn. As soon as
the app awaits anything else the reader hands the wait to the driver, which
waits for it, steps the app on and reports news through `_on_news()`.

Subclasses (the stream reader) say what is news (`_news_state()`) and what
the app's end means (`_app_ended()`).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import types
from typing import TYPE_CHECKING, Any, Callable, Generator

from ._app_task import DISCONNECT_GRACE, finish_app_task
from ._asyncio_internals import current_task_reader, current_task_table, task_switch

__all__ = ["HAND_OVER", "LOOP_TURN", "SteppedApp"]


class _Awaitable(tuple):  # type: ignore[type-arg]  # a plain tuple of what the awaiting coroutine yields
    """A tuple awaited as its items: each is yielded to whoever steps the coroutine (no Python frame)."""

    __slots__ = ()
    if TYPE_CHECKING:

        def __await__(self) -> Generator[Any, None, None]: ...

    else:
        __await__ = tuple.__iter__


_AT_HAND_OVER = object()  # what the app's coroutine yields at a hand-over
HAND_OVER = _Awaitable((_AT_HAND_OVER,))  # awaited only by the app's own coroutine (its task is the driver)
LOOP_TURN = _Awaitable((None,))  # a bare yield: the awaiting task runs again on the next loop turn
_RESUME = object()  # told to the parked driver: run the app on (the reader left, or cannot step it)
_FINISHED = object()  # told to the parked driver: the app returned while the reader stepped it
_ENDED = object()  # _step(): the app's coroutine returned or raised


def _cancel_instead(awaited: Any, cancellation: BaseException) -> bool:
    """Cancel the future the app awaits, as Task.cancel() does; False when it cannot take the cancellation."""
    if not asyncio.isfuture(awaited):
        return False
    return awaited.cancel(cancellation.args[0] if cancellation.args else None)


@types.coroutine
def _suspend(awaited: Any) -> Any:
    """Wait, in the driver task, for what the app's coroutine yielded (a Future, or None for one loop turn)."""
    return (yield awaited)


class SteppedApp:
    """The app side of a conversation a reader pulls from: the app's coroutine, its driver task, and who steps it."""

    def __init__(self) -> None:
        self._loop: Any = None
        self._context: Any = None
        self._coro: Any = None
        self._resume: Any = None  # self._coro.send(None), made once
        self._driver: asyncio.Task[None] | None = None
        self._park: asyncio.Future[Any] | None = None  # pending while the driver sleeps and the app sits at a hand-over
        self._handed: Any = _AT_HAND_OVER  # what the reader handed the parked driver to wait for
        self._stepping = False  # True while the reader or the driver runs a step of the app's coroutine
        self._finished = False
        self._error: BaseException | None = None
        self._closing = False
        self._swap: Any = None  # _asyncio_internals' switch of the current task; None: the driver steps the app
        self._table: dict[Any, Any] | None = None  # on the table path, the dict it switches (set inline: the stream's hot path)
        self._current_task_of: Any = asyncio.current_task

    # -- what a subclass says ------------------------------------------------------------

    def _news_state(self) -> Any:
        """What changes when the app did something the reader waits for (compared around each driver step)."""
        return None

    def _on_news(self) -> None:
        """The driver stepped the app and there is news, or the app ended."""

    def _app_ended(self, outcome: BaseException) -> None:
        """The app's coroutine returned (StopIteration) or raised `outcome`."""
        self._finished = True
        if not isinstance(outcome, StopIteration):
            self._error = outcome
        park = self._park
        if park is not None and not park.done():
            park.set_result(_FINISHED)
        self._on_news()

    # -- starting and stepping -----------------------------------------------------------

    async def _start_app(self, app: Callable[..., Any], args: tuple[Any, ...], name: str) -> None:
        """Create the app's coroutine in a copy of the context and its driver task; return once the driver parked."""
        loop = self._loop = asyncio.get_running_loop()
        context = self._context = contextvars.copy_context()
        self._coro = context.run(app, *args)
        self._resume = functools.partial(self._coro.send, None)
        self._driver = loop.create_task(self._drive(), name=name)
        self._swap = task_switch(loop, self._driver)
        self._table = current_task_table()
        self._current_task_of = current_task_reader()
        await asyncio.sleep(0)  # the driver parks: from now on the app runs as that task

    def _step(self, error: BaseException | None = None) -> Any:
        """Run the app's coroutine until it waits; what it waits for, or _ENDED."""
        self._stepping = True
        try:
            if error is None:
                return self._context.run(self._resume)
            return self._context.run(self._coro.throw, error)
        except BaseException as outcome:
            self._app_ended(outcome)
            return _ENDED
        finally:
            self._stepping = False

    def _advance(self) -> bool:
        """Step the app in the reader's turn if it sits at a hand-over; False when the reader must wait instead."""
        park = self._park
        if park is None or park.done():
            return False  # the driver task runs the app (or will): wait for its news
        swap = self._swap
        if swap is None:
            park.set_result(_RESUME)  # the driver path (_asyncio_internals): the driver steps the app
            return False
        loop, table = self._loop, self._table
        if table is not None:  # what swap() does on this path, without two calls per step
            previous = table[loop]
            table[loop] = self._driver
        else:
            previous = swap(loop, self._driver)  # the app runs as its own task, whoever steps it
        self._stepping = True
        ended: BaseException | None = None
        awaited: Any = None
        try:
            awaited = self._context.run(self._resume)
        except BaseException as outcome:
            ended = outcome
        finally:
            self._stepping = False
            if table is not None:
                table[loop] = previous
            else:
                swap(loop, previous)
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
            before = self._news_state()
            awaited = self._step(error)
            if awaited is _ENDED:
                if isinstance(self._error, (KeyboardInterrupt, SystemExit)):
                    raise self._error  # out of the loop at once, as from any Task
                return
            if self._news_state() != before:
                self._on_news()  # a step that changed nothing for the reader is no progress

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

    # -- ending --------------------------------------------------------------------------

    async def _end_app(self, timeout: float, what: str, grace: float = DISCONNECT_GRACE, listened: Any = None) -> bool:
        """Let the app end in its task (_app_task.finish_app_task: grace, cancel, bound); False when it was cancelled.

        If the reader's own task is cancelled meanwhile (a cancel scope around
        it), the app is ended all the same, then the cancellation goes on; an
        app that swallows its cancellation is an AppTimeout naming `what`.
        """
        self._closing = True
        driver = self._driver
        if driver is None:
            raise RuntimeError("_end_app() before _start_app()")
        park = self._park
        if park is not None and not park.done():
            park.set_result(_RESUME)
        if self._finished and not driver.done():
            await asyncio.sleep(0)  # the driver was told the app returned: this turn it returns too
        return await finish_app_task(driver, timeout=timeout, what=what, grace=grace, listened=listened, coro=self._coro)
