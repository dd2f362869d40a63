"""Lifespan: run an app's startup and shutdown, in modes "auto", "on" and "off" (SPEC section 5).

`Lifespan.startup()` starts the app on the lifespan scope in its own task and
waits for `lifespan.startup.complete`; the task stays up until `shutdown()`.
In "auto", an app that raises or returns before startup completes has no
lifespan; "on" makes that an error; `*.failed` is a LifespanError in every mode.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from typing import Any

from ._asgi_run import start_app_task
from ._asgi_scope import lifespan_scope
from ._asgi_states import INITIAL, advance, server_event
from ._errors import AppTimeout, LifespanError

__all__ = ["LIFESPAN_MODES", "Lifespan"]

LIFESPAN_MODES = ("auto", "on", "off")


# Apps that "auto" found without lifespan (Django, Channels, ...): later clients of the same app object skip
# the probe, which costs a Task per client (per test with ASGITestCase). Weak, so apps are not kept alive.
_WITHOUT_LIFESPAN: weakref.WeakSet = weakref.WeakSet()


def _known_without_lifespan(app: Any) -> bool:
    try:
        return app is not None and app in _WITHOUT_LIFESPAN
    except TypeError:  # not weak-referenceable
        return False


def _remember_without_lifespan(app: Any) -> None:
    try:
        if app is not None:
            _WITHOUT_LIFESPAN.add(app)
    except TypeError:
        pass


class Lifespan:
    """One app's lifespan conversation; `state` is the dict shared with every request."""

    def __init__(self, app: Any, mode: str, timeout: float, identity: Any = None) -> None:
        self.app = app
        self.mode = mode
        self.timeout = timeout
        self.state: dict[str, Any] = {}
        #: the user's app object, remembered when "auto" finds it has no lifespan
        self._identity = identity
        self.supported = mode != "off" and not (mode == "auto" and _known_without_lifespan(identity))
        self.started = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._phase = INITIAL["lifespan"]
        self._inbox: deque[dict[str, Any]] = deque()
        self._receiving: asyncio.Future | None = None
        self._changed: asyncio.Future | None = None
        self._failure: str | None = None

    # -- the app's side ------------------------------------------------------------

    async def _receive(self) -> dict[str, Any]:
        while not self._inbox:
            self._receiving = asyncio.get_running_loop().create_future()
            await self._receiving
        return self._inbox.popleft()

    async def _send(self, message: Any) -> None:
        self._phase = advance("lifespan", self._phase, message)
        if message["type"].endswith(".failed"):
            text = message.get("message", "")
            self._failure = text if isinstance(text, str) else repr(text)
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)

    def _on_task_done(self, task: asyncio.Task) -> None:
        self._notify()

    def _deliver(self, message_type: str) -> None:
        self._phase = server_event("lifespan", self._phase, message_type)
        self._inbox.append({"type": message_type})
        if self._receiving is not None and not self._receiving.done():
            self._receiving.set_result(None)

    # -- the server's side -----------------------------------------------------------

    def needs_startup(self) -> bool:
        """True when a request should run startup first (never run, or its loop has closed)."""
        if not self.supported:
            return False
        if not self.started:
            return True
        return self.loop is not None and self.loop.is_closed()

    async def _wait_for(self, done_phases: tuple[str, ...], step: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        task = self._task
        if self._phase in done_phases or task.done():  # type: ignore[union-attr]
            return
        # One turn of the loop first: an app that answers without waiting for anything has answered by then,
        # and no future, timer or done callback gets made (each captures a stack in a debug-mode loop).
        await asyncio.sleep(0)
        if self._phase in done_phases or task.done():  # type: ignore[union-attr]
            return
        task.add_done_callback(self._on_task_done)  # type: ignore[union-attr]
        while self._phase not in done_phases and not self._task.done():  # type: ignore[union-attr]
            self._changed = loop.create_future()
            remaining = deadline - loop.time()
            if remaining <= 0:
                await self._abandon()
                msg = f"ASGI app made no progress within {self.timeout}s {step} (lifespan)"
                raise AppTimeout(msg, step=step, timeout=self.timeout)
            await asyncio.wait({self._changed}, timeout=remaining)

    async def startup(self) -> None:
        """Send `lifespan.startup` and wait for the app's answer (see the module docstring for modes)."""
        if self.mode == "off" or (self.mode == "auto" and _known_without_lifespan(self._identity)):
            self.supported = False
            return
        loop = asyncio.get_running_loop()
        self.loop, self.started, self.state = loop, True, {}
        self._phase, self._inbox, self._failure = INITIAL["lifespan"], deque(), None
        self._task = start_app_task(self.app, lifespan_scope(self.state), self._receive, self._send)
        self._deliver("lifespan.startup")
        await self._wait_for(("running", "failed"), "waiting for lifespan.startup.complete")
        if self._phase == "failed":
            await self._finish_task()
            raise LifespanError(f"lifespan startup failed: {self._failure!r} (the app sent 'lifespan.startup.failed')")
        if self._phase != "running":
            self._unsupported(self._task)

    def _unsupported(self, task: asyncio.Task) -> None:
        error = None if task.cancelled() else task.exception()
        self.supported = False
        self.started = False
        if self.mode == "auto":
            _remember_without_lifespan(self._identity)
        if self.mode == "on":
            what = f"raised {type(error).__name__}: {error}" if error is not None else "returned without sending 'lifespan.startup.complete'"
            raise LifespanError(f"lifespan='on' but the app does not support lifespan: it {what}") from error

    async def shutdown(self) -> None:
        """Send `lifespan.shutdown`, wait for the answer and for the app to return."""
        task = self._task
        if task is None or not self.started:
            return
        self.started = False
        if task.done():
            self._task = None
            return
        self._deliver("lifespan.shutdown")
        await self._wait_for(("stopped",), "waiting for lifespan.shutdown.complete")
        await self._finish_task()
        error = None if task.cancelled() or not task.done() else task.exception()
        if error is not None and self._phase != "stopped":
            raise LifespanError(f"lifespan shutdown failed: the app raised {type(error).__name__}: {error}") from error
        if self._failure is not None:
            raise LifespanError(f"lifespan shutdown failed: {self._failure!r} (the app sent 'lifespan.shutdown.failed')")

    async def _finish_task(self) -> None:
        """Wait (bounded) for the lifespan task to return; cancel it if it lingers."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            task.cancel()
            await asyncio.wait({task})

    async def _abandon(self) -> None:
        task, self._task = self._task, None
        self.started = False
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})
