"""PrivateLoop: the one event loop a synchronous client owns, run only inside its calls (SPEC section 11).

The loop is made at first use and runs, in the calling thread, only while a
call runs a coroutine to its end (no thread, no second loop per call), so what
the app creates on it stays usable from one request to the next. Each call
is a task of its own, which stops the loop in the turn it ends (one loop turn
fewer than run_until_complete). A task per call, not one long-lived task for
all: anyio ties its worker threads (FastAPI's sync endpoints) to the task that
started them, and stops them when it ends, so none is left to keep the
interpreter from exiting when a client is never closed. `close()`
ends what is left on it as `asyncio.run()` would, but bounded: leftover tasks
are cancelled and awaited (an app that swallows that is an AppTimeout), async
generators finalised, the default executor joined, the loop closed. The
module changes no global state: no policy, no `set_event_loop()`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine

from ._app_task import finish_app_task
from ._errors import TestkitError

__all__ = ["PrivateLoop"]


async def _stopping_when_done(coro: Coroutine[Any, Any, Any], loop: asyncio.AbstractEventLoop) -> Any:
    """`coro`'s result; stops the loop in the same turn it ends."""
    try:
        return await coro
    finally:
        loop.stop()


class PrivateLoop:
    """A client's own event loop: `run(coro)` in the calling thread, `close()` once; `owner` names the client in errors."""

    __slots__ = ("owner", "use_instead", "timeout", "reopens", "_loop", "_closed")

    def __init__(self, owner: str, use_instead: str, timeout: float, *, reopens: bool = False) -> None:
        self.owner = owner
        self.use_instead = use_instead
        self.timeout = timeout
        #: after close(), a new loop at the next call (Starlette's TestClient may be used again after `with`)
        self.reopens = reopens
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @property
    def is_open(self) -> bool:
        return self._loop is not None and not self._loop.is_closed()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run `coro` to its end on this loop, as its own task; its result, or what it raised."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            coro.close()  # never awaited, on purpose: no "was never awaited" warning
            raise TestkitError(f"{self.owner} cannot be used inside a running event loop (an async test or a coroutine): use {self.use_instead} there and await its methods")
        loop = self._loop
        if loop is None:
            if self._closed and not self.reopens:
                coro.close()
                raise TestkitError(f"{self.owner} is closed: make a new client (close() and the end of `with client:` end its event loop)")
            loop = self._loop = asyncio.new_event_loop()
            self._closed = False
        task = loop.create_task(_stopping_when_done(coro, loop))
        while not task.done():  # (run_forever returns early only if something else stopped the loop)
            loop.run_forever()
        return task.result()

    def close(self) -> None:
        """Cancel and await what is left on the loop (bounded), finalise async generators, join the executor, close it. Idempotent."""
        loop, self._loop = self._loop, None
        self._closed = True
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
        """close() from a finalizer: only when no loop runs in this thread; True when the loop was open."""
        if not self.is_open:
            return False
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                self.close()
            except Exception:  # a finalizer must not raise; the ResourceWarning already said what to do
                pass
        return True
