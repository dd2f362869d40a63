"""Lifespan: run an app's startup and shutdown, in modes "auto", "on" and "off" (SPEC section 5).

`Lifespan.startup()` starts the app on the lifespan scope in its own task and
waits for `lifespan.startup.complete`; the task stays up until `shutdown()`.
In "auto", an app that raises or returns before startup completes has no
lifespan; "on" makes that an error; `*.failed` is a LifespanError in every mode,
whose message is the app's own text and whose `__cause__` is the exception the
app raised with it. The app's task is ended through _app_task (bounded). A
lifespan still up when its event loop ends is the kit's leftover, not the
app's fault: the loop's cancellation of the app's receive() counts as
`lifespan.shutdown`, so the `lifespan.shutdown.failed` that frameworks answer
with is taken quietly (_asgi_validate does the same).
"""

from __future__ import annotations

import asyncio
import traceback
import weakref
from collections import deque
from typing import Any

from ._app_task import finish_app_task, start_app_task
from ._asgi_scope import lifespan_scope
from ._asgi_states import INITIAL, advance, server_event
from ._errors import AppTimeout, LifespanError

__all__ = ["LIFESPAN_MODES", "Lifespan"]

LIFESPAN_MODES = ("auto", "on", "off")


# Apps that "auto" found without lifespan (Django, Channels, ...): later clients of the same app object skip
# the probe, which costs a Task per client (per test with ASGITestCase). Weak, so apps are not kept alive.
_WITHOUT_LIFESPAN: weakref.WeakSet[Any] = weakref.WeakSet()


# Lifespan tasks still running. A loop keeps only weak references to its tasks; a lifespan that a lazy first
# request started on a client nobody shut down would otherwise be collected while pending ("Task was destroyed").
_UP: set[Any] = set()


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
        #: a request runs startup first when it has not run (False: only startup() does, as inside Starlette's `with TestClient`)
        self.start_on_request = True
        #: the exception the app raised on the lifespan scope before startup completed, in mode "auto"
        self.unsupported_because: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._phase = INITIAL["lifespan"]
        self._inbox: deque[dict[str, Any]] = deque()
        self._receiving: asyncio.Future[Any] | None = None
        self._changed: asyncio.Future[Any] | None = None
        self._failure: str | None = None
        self._ended_by_loop = False  # the app's receive() was cancelled: its loop is ending, not a test

    # -- the app's side ------------------------------------------------------------

    async def _receive(self) -> dict[str, Any]:
        while not self._inbox:
            self._receiving = asyncio.get_running_loop().create_future()
            try:
                await self._receiving
            except (asyncio.CancelledError, GeneratorExit):
                # Nobody but the loop's own teardown cancels this wait (asyncio.run, IsolatedAsyncioTestCase, or
                # the task's collection): that ends the lifespan as a shutdown would, and the app may answer as to one.
                self._ended_by_loop = True
                self._phase = server_event("lifespan", self._phase, "lifespan.shutdown")
                raise
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

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        self._notify()
        if self._ended_by_loop and not task.cancelled():
            task.exception()  # what the app raised as its loop ended is not the test's news (nor asyncio's log's)

    def _deliver(self, message_type: str) -> None:
        self._phase = server_event("lifespan", self._phase, message_type)
        self._inbox.append({"type": message_type})
        if self._receiving is not None and not self._receiving.done():
            self._receiving.set_result(None)

    # -- the server's side -----------------------------------------------------------

    def is_up(self) -> bool:
        """True while the app's lifespan task runs in a loop that is still open (nobody shut it down yet)."""
        task = self._task
        return self.started and task is not None and not task.done() and not (self.loop is not None and self.loop.is_closed())

    def needs_startup(self) -> bool:
        """True when a request should run startup first (never run, or its loop has closed)."""
        if not self.supported or not self.start_on_request:
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
        while self._phase not in done_phases and not self._task.done():  # type: ignore[union-attr]
            self._changed = loop.create_future()
            remaining = deadline - loop.time()
            if remaining <= 0:
                await self._abandon(step)
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
        self._ended_by_loop = False
        self._task = start_app_task(self.app, lifespan_scope(self.state), self._receive, self._send, name="asgiwsgi_testkit lifespan")
        self._task.add_done_callback(self._on_task_done)
        _UP.add(self._task)  # held until it ends: a loop holds its tasks weakly, and a client left unclosed holds nothing
        self._task.add_done_callback(_UP.discard)
        self._deliver("lifespan.startup")
        await self._wait_for(("running", "failed"), "waiting for lifespan.startup.complete")
        if self._phase == "failed":
            cause = await self._finish_task("lifespan startup failed")
            raise LifespanError(_failure_text("startup", self._failure, cause)) from cause
        if self._phase != "running":
            self._unsupported(self._task)

    def _unsupported(self, task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()
        self.unsupported_because = error  # what "auto" took for "no lifespan" (Starlette's TestClient raises it)
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
        error = await self._finish_task("lifespan shutdown")
        if error is not None and self._phase != "stopped":
            raise LifespanError(f"lifespan shutdown failed: the app raised {type(error).__name__}: {error}") from error
        if self._failure is not None:
            raise LifespanError(_failure_text("shutdown", self._failure, error)) from error

    async def _finish_task(self, what: str) -> BaseException | None:
        """Wait (bounded) for the lifespan task to return, cancelling it if it lingers; what it raised, if anything."""
        task, self._task = self._task, None
        if task is None:
            return None
        await finish_app_task(task, timeout=self.timeout, what=what, grace=self.timeout)
        return None if task.cancelled() else task.exception()

    async def _abandon(self, step: str) -> None:
        """The app made no progress: cancel it (bounded; an app that swallows that is an AppTimeout too)."""
        task, self._task = self._task, None
        self.started = False
        if task is not None and not task.done():
            await finish_app_task(task, timeout=self.timeout, what=f"lifespan, {step}", grace=0)


def _failure_text(phase: str, message: str | None, cause: BaseException | None) -> str:
    """A LifespanError's message: the app's own text on its own line(s), not a repr.

    Frameworks (Starlette) send a whole traceback as the message; when the
    exception it shows is chained as __cause__, its last line says enough.
    """
    text = (message or "").strip()
    if cause is not None and text.startswith("Traceback (most recent call last):"):
        text = "".join(traceback.format_exception_only(type(cause), cause)).strip()
    if not text:
        return f"lifespan {phase} failed: the app sent 'lifespan.{phase}.failed' without a message"
    return f"lifespan {phase} failed: the app sent 'lifespan.{phase}.failed' with the message:\n{text}"
