"""PrivateLoop: a call's first step right in the caller's thread as the driver task, the rest in the loop (SPEC 11)."""

from __future__ import annotations

import asyncio
import contextvars
import unittest

from asgiwsgi_testkit import TestkitError
from asgiwsgi_testkit._private_loop import PrivateLoop

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="caller's")


class PrivateLoopTests(unittest.TestCase):
    def setUp(self) -> None:
        self.loop = PrivateLoop("TestClient", "ASGITestClient", 1.0)
        self.addCleanup(self.loop.close)

    def test_a_call_that_never_waits_and_one_that_waits_run_as_the_same_task_and_loop(self):
        seen = []

        async def never_waits() -> str:
            seen.append((asyncio.current_task(), asyncio.get_running_loop()))
            return "at once"

        async def waits() -> str:
            seen.append((asyncio.current_task(), asyncio.get_running_loop()))
            await asyncio.sleep(0)
            await asyncio.sleep(0.001)
            seen.append((asyncio.current_task(), asyncio.get_running_loop()))
            return "later"

        self.assertEqual([self.loop.run(never_waits()), self.loop.run(waits()), self.loop.run(never_waits())], ["at once", "later", "at once"])
        self.assertEqual(len(set(seen)), 1, seen)  # one driver task, one loop
        with self.assertRaises(RuntimeError):
            asyncio.get_running_loop()  # nothing left set in the caller's thread
        self.assertIsNone(asyncio.current_task(seen[0][1]))

    def test_a_calls_context_variables_stay_its_own(self):
        async def sets(wait: bool) -> str:
            VAR.set("the call's")
            if wait:
                await asyncio.sleep(0)
            return VAR.get()

        for wait in (False, True):
            with self.subTest(wait=wait):
                self.assertEqual(self.loop.run(sets(wait)), "the call's")
                self.assertEqual(VAR.get(), "caller's")

    def test_errors_before_and_after_waiting_reach_the_caller(self):
        async def fails(wait: bool) -> None:
            if wait:
                await asyncio.sleep(0)
            raise LookupError(f"wait={wait}")

        for wait in (False, True):
            with self.subTest(wait=wait), self.assertRaisesRegex(LookupError, f"^wait={wait}$"):
                self.loop.run(fails(wait))
        self.assertEqual(self.loop.run(asyncio.sleep(0, "still usable")), "still usable")

    def test_a_cancellation_inside_the_call_reaches_it(self):
        async def cancelled_by_timeout() -> str:
            try:
                await asyncio.wait_for(asyncio.sleep(10), 0.01)
            except asyncio.TimeoutError:
                return "timed out inside"
            return "not cancelled"

        self.assertEqual(self.loop.run(cancelled_by_timeout()), "timed out inside")

    def test_closed_and_inside_a_running_loop(self):
        self.loop.close()
        with self.assertRaisesRegex(TestkitError, r"^TestClient is closed"):
            self.loop.run(asyncio.sleep(0))

        async def inside() -> None:
            with self.assertRaisesRegex(TestkitError, r"^TestClient cannot be used inside a running event loop"):
                PrivateLoop("TestClient", "ASGITestClient", 1.0).run(asyncio.sleep(0))

        asyncio.run(inside())


if __name__ == "__main__":
    unittest.main()
