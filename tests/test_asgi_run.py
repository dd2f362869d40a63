"""Tests for _asgi_run: run_in_context and step_as step an app coroutine in its own context (step_as as another task); StepTimer fires only without progress."""

from __future__ import annotations

import asyncio
import contextvars
import unittest
from typing import Any

from asgiwsgi_testkit import _asgi_run
from asgiwsgi_testkit._asgi_run import StepTimer, run_in_context

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


@unittest.skipIf(_asgi_run.current_tasks is None, "this Python hides asyncio's current task; the stream falls back to its driver task")
class CurrentTasksTests(unittest.IsolatedAsyncioTestCase):
    """current_tasks: the {loop: task} asyncio.current_task() answers from, which the stream sets to step an app as its task."""

    async def test_setting_an_entry_changes_what_current_task_answers_until_restored(self):
        loop, me = asyncio.get_running_loop(), asyncio.current_task()
        host = loop.create_task(asyncio.Event().wait())
        tasks = _asgi_run.current_tasks
        seen = []

        async def app() -> None:
            seen.append(asyncio.current_task())
            await asyncio.sleep(0)
            seen.append(asyncio.current_task())

        coro = app()
        self.assertIs(tasks.get(loop), me)
        for _ in range(2):
            tasks[loop] = host
            try:
                coro.send(None)
            except StopIteration:
                pass
            finally:
                tasks[loop] = me
        self.assertEqual(seen, [host, host])
        self.assertIs(asyncio.current_task(), me)
        host.cancel()
        await asyncio.wait({host})

    def test_swap_function_stands_in_where_asyncio_keeps_no_table(self):
        swapped = []

        def swap(loop, task):
            swapped.append((loop, task))
            return None

        tasks = _asgi_run._SwappedCurrentTasks(swap)
        tasks["loop"] = "task"
        tasks.pop("loop")  # what the stream does when there was no current task to give back
        self.assertEqual(swapped, [("loop", "task"), ("loop", None)])

if __name__ == "__main__":
    unittest.main()
