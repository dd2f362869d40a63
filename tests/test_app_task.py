"""Tests for _app_task and _asyncio_internals: run_in_context, StepTimer, wait_bounded, finish_app_task, and the three ways to switch the current task."""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
import types
import unittest
from typing import Any

from unittest import mock

from asgiwsgi_testkit import AppTimeout, _asyncio_internals
from asgiwsgi_testkit._app_task import StepTimer, finish_app_task, run_in_context, start_app_task, wait_bounded

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


class RunInContextTests(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskLeft(self) -> None:
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_app_var_invisible_to_caller_and_caller_var_visible_to_app(self):
        request_id.set("caller")
        seen: list[str] = []

        async def app() -> str:
            seen.append(request_id.get())
            request_id.set("app")
            await asyncio.sleep(0)  # a bare yield: the next step must still run in the app's context
            seen.append(request_id.get())
            return "done"

        result = await run_in_context(app(), contextvars.copy_context())
        self.assertEqual(result, "done")
        self.assertEqual(seen, ["caller", "app"])
        self.assertEqual(request_id.get(), "caller")
        self.assertNoTaskLeft()

    async def test_app_runs_in_callers_task_without_new_task(self):
        caller = asyncio.current_task()
        tasks: list[Any] = []

        async def app() -> None:
            tasks.append(asyncio.current_task())
            future = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(future.set_result, None)
            await future
            tasks.append(asyncio.current_task())

        await run_in_context(app(), contextvars.copy_context())
        self.assertEqual(tasks, [caller, caller])
        self.assertNoTaskLeft()

    async def test_future_result_sent_back_into_app(self):
        async def app() -> int:
            future = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(future.set_result, 41)
            return (await future) + 1

        self.assertEqual(await run_in_context(app(), contextvars.copy_context()), 42)
        self.assertNoTaskLeft()

    async def test_app_exception_propagates_unchanged(self):
        boom = ValueError("boom")

        async def app() -> None:
            await asyncio.sleep(0)
            raise boom

        with self.assertRaisesRegex(ValueError, "^boom$") as caught:
            await run_in_context(app(), contextvars.copy_context())
        self.assertIs(caught.exception, boom)
        self.assertNoTaskLeft()

    async def test_cancellation_delivered_into_app_and_finally_runs(self):
        entered = asyncio.Event()
        never = asyncio.Event()
        finished: list[str] = []

        async def app() -> None:
            try:
                entered.set()
                await never.wait()
            except asyncio.CancelledError:
                finished.append("cancelled")
                raise
            finally:
                finished.append("finally")

        task = asyncio.ensure_future(run_in_context(app(), contextvars.copy_context()))
        await entered.wait()
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
        self.assertEqual(finished, ["cancelled", "finally"])
        self.assertTrue(task.cancelled())
        self.assertNoTaskLeft()

    async def test_app_exception_raised_from_handled_cancellation_propagates(self):
        entered = asyncio.Event()

        async def app() -> None:
            try:
                entered.set()
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                raise RuntimeError("cleanup failed") from None

        task = asyncio.ensure_future(run_in_context(app(), contextvars.copy_context()))
        await entered.wait()
        task.cancel()
        with self.assertRaisesRegex(RuntimeError, "^cleanup failed$"):
            await task
        self.assertNoTaskLeft()


class StepTimerTests(unittest.IsolatedAsyncioTestCase):
    TIMEOUT = 0.05

    def assertNoTaskLeft(self) -> None:
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_fires_and_cancels_task_after_timeout_without_progress(self):
        loop = asyncio.get_running_loop()
        timers: list[StepTimer] = []

        async def stuck() -> None:
            timers.append(StepTimer(self.TIMEOUT))
            await asyncio.Event().wait()

        started = loop.time()
        task = asyncio.ensure_future(stuck())
        with self.assertRaises(asyncio.CancelledError):
            await task
        self.assertGreaterEqual(loop.time() - started, self.TIMEOUT)
        self.assertTrue(timers[0].fired)
        self.assertNoTaskLeft()

    async def test_progress_postpones_firing(self):
        loop = asyncio.get_running_loop()
        fired_at: list[float] = []
        done = asyncio.Event()
        timer = StepTimer(self.TIMEOUT, on_fire=lambda: (fired_at.append(loop.time()), done.set()))
        progress_at: list[float] = []

        def progress() -> None:
            progress_at.append(loop.time())
            timer.progress()

        loop.call_later(self.TIMEOUT * 0.6, progress)
        await done.wait()
        self.assertEqual(len(progress_at), 1)
        self.assertGreaterEqual(fired_at[0], progress_at[0] + self.TIMEOUT)
        self.assertTrue(timer.fired)
        self.assertNoTaskLeft()

    async def test_on_fire_called_instead_of_cancelling(self):
        done = asyncio.Event()
        timer = StepTimer(self.TIMEOUT, on_fire=done.set)
        await done.wait()  # the test's own task was not cancelled
        self.assertTrue(timer.fired)
        self.assertNoTaskLeft()

    async def test_stopped_timer_never_fires(self):
        calls: list[str] = []
        stopped = StepTimer(self.TIMEOUT, on_fire=lambda: calls.append("stopped"))
        stopped.stop()
        done = asyncio.Event()
        later = StepTimer(self.TIMEOUT, on_fire=done.set)  # its deadline is after the stopped one's
        await done.wait()
        self.assertTrue(later.fired)
        self.assertEqual(calls, [])
        self.assertFalse(stopped.fired)
        self.assertNoTaskLeft()

    async def test_rearm_gives_one_more_period(self):
        fired = asyncio.Event()
        count: list[int] = []

        def on_fire() -> None:
            count.append(1)
            fired.set()

        timer = StepTimer(self.TIMEOUT, on_fire=on_fire)
        await fired.wait()
        fired.clear()
        timer.rearm()
        self.assertFalse(timer.fired)
        await fired.wait()
        self.assertTrue(timer.fired)
        self.assertEqual(len(count), 2)
        timer.stop()
        self.assertNoTaskLeft()

    @unittest.skipUnless(hasattr(asyncio.Task, "uncancel"), "Task.uncancel() is new in Python 3.11")
    async def test_uncancel_resets_cancel_count_after_firing(self):
        counts: list[int] = []

        async def stuck() -> None:
            timer = StepTimer(self.TIMEOUT)
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                counts.append(asyncio.current_task().cancelling())
                timer.uncancel()
                counts.append(asyncio.current_task().cancelling())

        await asyncio.ensure_future(stuck())
        self.assertEqual(counts, [1, 0])
        self.assertNoTaskLeft()


class TaskSwitchTests(unittest.IsolatedAsyncioTestCase):
    """_asyncio_internals: each path, forced as tox forces it, switches the current task and back, or falls back to the driver."""

    def setUp(self) -> None:
        _asyncio_internals.reset()
        self.addCleanup(_asyncio_internals.reset)

    async def switched(self, forced: str) -> tuple[Any, Any]:
        """Force a path, resolve it with a real task, and step a coroutine as that task once: (path, what it saw)."""
        loop, me = asyncio.get_running_loop(), asyncio.current_task()
        host = loop.create_task(asyncio.Event().wait())
        self.addCleanup(host.cancel)
        with mock.patch.dict("os.environ", {"ASGIWSGI_TESTKIT_TASK_SWITCH": forced}):
            swap = _asyncio_internals.task_switch(loop, host)
        seen: list[Any] = []
        if swap is not None:
            previous = swap(loop, host)
            seen.append(asyncio.current_task())
            swap(loop, previous)
        self.assertIs(asyncio.current_task(), me)
        return _asyncio_internals.switch_path(), seen[0] if seen else None

    async def test_table_path_where_asyncio_keeps_the_dict(self):
        path, seen = await self.switched("table")
        if isinstance(getattr(asyncio.tasks, "_current_tasks", None), dict):
            self.assertEqual(path, "table")
            self.assertIsNot(seen, asyncio.current_task())
            self.assertIsNotNone(seen)
        else:  # pragma: no cover - a Python whose current_task() does not read the dict
            self.assertEqual(path, "driver")

    async def test_swap_path_runs_on_every_python(self):
        path, seen = await self.switched("swap")
        self.assertEqual(path, "swap")  # asyncio's _swap_current_task, or one made of _leave_task/_enter_task
        self.assertIsNotNone(seen)
        self.assertIsNot(seen, asyncio.current_task())

    async def test_driver_path_switches_nothing(self):
        self.assertEqual(await self.switched("driver"), ("driver", None))

    async def test_a_swap_that_lies_is_refused_and_the_driver_path_taken(self):
        for broken in (lambda loop, task: None, mock.Mock(side_effect=RuntimeError("moved in 3.15"))):
            with self.subTest(broken=broken):
                _asyncio_internals.reset()
                with mock.patch.dict(_asyncio_internals._MAKERS, {"table": lambda: broken, "swap": lambda: None}):
                    path, seen = await self.switched("")
                self.assertEqual((path, seen), ("driver", None))

    async def test_missing_names_fall_back_without_a_crash(self):
        bare = types.SimpleNamespace(tasks=types.SimpleNamespace(), current_task=asyncio.current_task)  # an asyncio without them
        with mock.patch.object(_asyncio_internals, "asyncio", bare):
            path, _ = await self.switched("")
        self.assertEqual(path, "driver")

    async def test_path_is_chosen_once_lazily(self):
        self.assertIsNone(_asyncio_internals.switch_path())
        await self.switched("swap")
        with mock.patch.dict("os.environ", {"ASGIWSGI_TESTKIT_TASK_SWITCH": "driver"}):
            _asyncio_internals.task_switch(asyncio.get_running_loop(), None)
        self.assertEqual(_asyncio_internals.switch_path(), "swap")


class FinishAppTaskTests(unittest.IsolatedAsyncioTestCase):
    """finish_app_task: grace, then the timeout for an app that listened, then cancel, then AppTimeout; never unbounded."""

    def assertNoTaskLeft(self) -> None:
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_app_that_returns_within_the_grace_is_not_cancelled(self):
        stop = asyncio.Event()

        async def app() -> str:
            await stop.wait()
            return "returned"

        task = start_app_task(app)
        asyncio.get_running_loop().call_soon(stop.set)
        self.assertTrue(await finish_app_task(task, timeout=5, what="test", grace=5))
        self.assertEqual(task.result(), "returned")

    async def test_app_that_does_not_listen_is_cancelled_after_the_grace_not_the_timeout(self):
        task = start_app_task(asyncio.Event().wait)
        loop = asyncio.get_running_loop()
        began = loop.time()
        self.assertFalse(await finish_app_task(task, timeout=30, what="test", grace=0.01))
        self.assertLess(loop.time() - began, 1.0)
        self.assertTrue(task.cancelled())
        self.assertNoTaskLeft()

    async def test_app_that_listened_gets_the_timeout_to_return(self):
        winding_down = asyncio.Event()

        async def app() -> str:
            await asyncio.sleep(0.05)  # longer than the grace, well within the timeout
            return "cleaned up"

        task = start_app_task(app)
        self.assertTrue(await finish_app_task(task, timeout=5, what="test", grace=0.001, listened=lambda: True))
        self.assertEqual(task.result(), "cleaned up")
        self.assertFalse(winding_down.is_set())

    async def test_app_that_swallows_cancellation_is_an_app_timeout_and_is_not_left_pending(self):
        swallowed = []

        async def app() -> None:
            while True:
                try:
                    await asyncio.Event().wait()
                except asyncio.CancelledError:
                    swallowed.append(1)

        task = start_app_task(app)
        with self.assertRaisesRegex(AppTimeout, r"did not return within 0\.05s after it was cancelled \(WebSocket /x\): it swallowed the CancelledError$") as caught:
            await finish_app_task(task, timeout=0.05, what="WebSocket /x", grace=0.01)
        self.assertEqual(caught.exception.step, "waiting for the app to return after it was cancelled")
        self.assertEqual(swallowed, [1])
        self.assertTrue(task.done())
        self.assertNoTaskLeft()

    async def test_caller_cancelled_while_finishing_ends_the_app_then_goes_on(self):
        app_task = start_app_task(asyncio.Event().wait)

        async def finisher() -> None:
            await finish_app_task(app_task, timeout=5, what="test", grace=30)

        outer = asyncio.ensure_future(finisher())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        outer.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await outer
        self.assertTrue(app_task.cancelled())
        self.assertNoTaskLeft()

    async def test_wait_bounded_never_cancels_what_it_waits_for(self):
        task = start_app_task(asyncio.Event().wait)
        self.assertFalse(await wait_bounded(task, 0.01))
        self.assertFalse(task.done())
        task.cancel()
        self.assertTrue(await wait_bounded(task, 1))



@unittest.skipUnless(os.environ.get("ASGIWSGI_TESTKIT_TASK_SWITCH"), "no stepping path forced (tox's -table/-swap/-driver environments force one)")
class ForcedPathTests(unittest.IsolatedAsyncioTestCase):
    """Under tox's forced environments, a stream really runs on the forced path (so each path's suite is what it says)."""

    async def test_a_stream_uses_the_forced_path(self):
        from asgiwsgi_testkit import ASGITestClient

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for _ in range(3):
                await send({"type": "http.response.body", "body": b"x", "more_body": True})
            await send({"type": "http.response.body", "body": b""})

        _asyncio_internals.reset()
        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            self.assertEqual(await response.aread(), b"xxx")
        forced = os.environ["ASGIWSGI_TESTKIT_TASK_SWITCH"]
        has_table = isinstance(getattr(asyncio.tasks, "_current_tasks", None), dict) and sys.version_info < (3, 14)
        self.assertEqual(_asyncio_internals.switch_path(), forced if forced != "table" or has_table else "driver")


if __name__ == "__main__":
    unittest.main()
