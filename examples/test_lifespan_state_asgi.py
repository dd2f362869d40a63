"""Tests for examples/lifespan_state_asgi.py: state from startup in every request, lifespan modes, shutdown running."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, LifespanError
from examples.lifespan_state_asgi import Database, create_app, plain_app

# A client made at import time, outside any event loop: its first request runs startup in the test's loop.
MODULE_APP = create_app()
MODULE_CLIENT = ASGITestClient(MODULE_APP)


class StateInRequestsTests(ASGITestCase):
    def get_app(self):
        self.service = create_app()
        return self.service

    async def asyncSetUp(self):
        self.addAsyncCleanup(self.shutdown_ran_and_no_task_left)  # registered first, so it runs after the shutdown
        await super().asyncSetUp()

    async def shutdown_ran_and_no_task_left(self):
        self.assertEqual(self.service.log, ["lifespan.startup", "lifespan.shutdown"])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_startup_ran_before_the_test(self):
        self.assertEqual(self.service.log, ["lifespan.startup"])
        self.assertIsInstance(self.client.state["db"], Database)
        self.assertEqual(self.client.state["settings"], {"page_size": 20})

    async def test_requests_use_the_database_opened_at_startup(self):
        self.assertJSON(await self.client.get("/health"), {"database": "open", "queries": 1})
        self.assertJSON(await self.client.get("/health"), {"database": "open", "queries": 2})
        self.assertEqual(self.client.state["db"].queries, 2)

    async def test_each_request_gets_a_shallow_copy_of_the_state(self):
        first = await self.client.get("/state")
        second = await self.client.get("/state")
        self.assertJSON(first, {"state": ["db", "settings"]})
        self.assertJSON(second, {"state": ["db", "settings"]})  # the first request's own key did not leak
        self.assertNotIn("seen_by_this_request", self.client.state)

    async def test_shutdown_in_the_test_closes_the_database(self):
        db = self.client.state["db"]
        await self.client.shutdown()
        self.assertFalse(db.open)


class NoLifespanModeTests(ASGITestCase):
    app = create_app()
    client_options = {"lifespan": "off"}

    async def test_off_never_sends_the_lifespan_scope(self):
        response = await self.client.get("/health")
        self.assertStatus(response, 503)
        self.assertJSON(response, {"error": "no database: lifespan startup did not run"})
        self.assertEqual(self.app.log, [])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class ModeTests(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_auto_runs_startup_and_async_with_runs_shutdown(self):
        app = create_app()
        async with ASGITestClient(app) as client:
            self.assertEqual(app.log, ["lifespan.startup"])
            health = await client.get("/health")
            db = client.state["db"]
        self.assertEqual(health.json(), {"database": "open", "queries": 1})
        self.assertEqual(app.log, ["lifespan.startup", "lifespan.shutdown"])
        self.assertFalse(db.open)
        self.assertNoTaskPending()

    async def test_auto_treats_an_app_without_lifespan_as_having_none(self):
        async with ASGITestClient(plain_app) as client:
            response = await client.get("/")
        self.assertEqual(response.json(), {"has_state": False})  # no lifespan, so no state key in the scope
        self.assertNoTaskPending()

    async def test_on_with_an_app_without_lifespan_is_lifespan_error(self):
        client = ASGITestClient(plain_app, lifespan="on")
        message = r"^lifespan='on' but the app does not support lifespan: it raised AssertionError: plain_app serves HTTP only, not 'lifespan'$"
        with self.assertRaisesRegex(LifespanError, message):
            await client.get("/")
        self.assertNoTaskPending()

    async def test_on_runs_startup_and_shutdown_for_an_app_with_lifespan(self):
        app = create_app()
        client = ASGITestClient(app, lifespan="on")
        await client.startup()
        response = await client.get("/health")
        await client.shutdown()
        self.assertEqual(response.json(), {"database": "open", "queries": 1})
        self.assertEqual(app.log, ["lifespan.startup", "lifespan.shutdown"])
        self.assertNoTaskPending()

    async def test_off_with_an_app_without_lifespan_just_serves(self):
        response = await ASGITestClient(plain_app, lifespan="off").get("/")
        self.assertEqual(response.json(), {"has_state": False})
        self.assertNoTaskPending()

    async def test_startup_failure_is_lifespan_error_in_auto_and_on(self):
        for mode in ("auto", "on"):
            with self.subTest(mode=mode):
                client = ASGITestClient(create_app(fail_startup="database unreachable"), lifespan=mode)
                message = r"^lifespan startup failed: the app sent 'lifespan\.startup\.failed' with the message:\ndatabase unreachable$"
                with self.assertRaisesRegex(LifespanError, message):
                    async with client:
                        self.fail("the block must not run")
                self.assertNoTaskPending()

    async def test_startup_failure_is_not_seen_with_lifespan_off(self):
        app = create_app(fail_startup="database unreachable")
        response = await ASGITestClient(app, lifespan="off").get("/health")
        self.assertEqual((response.status_code, app.log), (503, []))
        self.assertNoTaskPending()

    async def test_first_request_runs_startup_and_it_stays_up_until_shutdown(self):
        response = await MODULE_CLIENT.get("/health")
        self.assertEqual(response.json(), {"database": "open", "queries": 1})
        self.assertEqual(MODULE_APP.log[-1:], ["lifespan.startup"])
        await MODULE_CLIENT.shutdown()
        self.assertEqual(MODULE_APP.log[-2:], ["lifespan.startup", "lifespan.shutdown"])
        self.assertNoTaskPending()

    async def test_shutdown_runs_when_the_async_with_block_raises(self):
        app = create_app()
        with self.assertRaisesRegex(KeyError, r"^'in the test'$"):
            async with ASGITestClient(app):
                raise KeyError("in the test")
        self.assertEqual(app.log, ["lifespan.startup", "lifespan.shutdown"])
        self.assertNoTaskPending()


if __name__ == "__main__":
    unittest.main()
