"""Tests for _asgi_stepped: an app coroutine that runs as its own task, stepped by the reader at hand-overs.

The stream reader built on it is tested through ASGITestClient.stream() in test_asgi_stream (also with the
driver task alone); these pin the mechanism itself and its end: the app's task identity, the hand-over to
the driver, news, and an app that will not stop."""

from __future__ import annotations

import asyncio
import unittest
from typing import Any

from asgiwsgi_testkit import AppTimeout
from asgiwsgi_testkit._asgi_stepped import HAND_OVER, SteppedApp


class Recorder(SteppedApp):
    """A SteppedApp whose news is a counter the app bumps."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.news = 0

    def _news_state(self) -> Any:
        return self.count

    def _on_news(self) -> None:
        self.news += 1


class SteppedAppTests(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self) -> None:
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_reader_steps_the_app_as_its_task_until_it_awaits_something_else(self):
        stepped = Recorder()
        seen: list[Any] = []

        async def app() -> str:
            for _ in range(3):
                seen.append(asyncio.current_task())
                stepped.count += 1
                await HAND_OVER
            await asyncio.sleep(0)  # not a hand-over: the driver task waits for it and steps the app on
            stepped.count += 1
            return "done"

        await stepped._start_app(app, (), "test app")
        if stepped._swap is None:  # the driver-only path (_asyncio_internals): the reader never steps the app
            self.assertFalse(stepped._advance())
            self.assertTrue(await stepped._end_app(1.0, "test app"))
            self.assertEqual((stepped.count, stepped._finished, stepped._error), (4, True, None))
            self.assertEqual(set(seen), {stepped._driver})
            self.assertNoTaskPending()
            return
        self.assertEqual([stepped._advance() for _ in range(3)], [True, True, True])
        self.assertEqual((stepped.count, stepped.news), (3, 0))  # the reader's own steps are no news
        self.assertTrue(stepped._advance())  # resumes the app, which now awaits the sleep
        self.assertFalse(stepped._advance())  # the driver has it: the reader would wait
        self.assertTrue(await stepped._end_app(1.0, "test app"))
        self.assertEqual((stepped.count, stepped.news, stepped._finished, stepped._error), (4, 1, True, None))
        self.assertEqual(set(seen), {stepped._driver})
        self.assertNoTaskPending()

    async def test_app_that_will_not_stop_after_being_cancelled_is_an_app_timeout(self):
        stepped = Recorder()
        stubborn = True

        async def app() -> None:
            while True:
                try:
                    await asyncio.Event().wait()
                except asyncio.CancelledError:
                    if not stubborn:
                        raise

        await stepped._start_app(app, (), "stubborn app")
        stepped._advance()  # the app now waits in its task
        with self.assertRaisesRegex(AppTimeout, r"did not return within 0\.02s after it was cancelled \(stubborn app\)") as caught:
            await stepped._end_app(0.02, "stubborn app")
        self.assertEqual(caught.exception.step, "waiting for the app to return after it was cancelled")
        stubborn = False
        stepped._driver.cancel()
        await asyncio.wait({stepped._driver})
        self.assertNoTaskPending()


if __name__ == "__main__":
    unittest.main()
