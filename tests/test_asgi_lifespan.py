"""Tests for _asgi_lifespan through ASGITestClient: modes auto/on/off, failures, state sharing, implicit startup."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import AppTimeout, ASGITestClient, LifespanError
from tests import asgi_apps as apps


class LifespanTestBase(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class ModeTests(LifespanTestBase):
    async def test_auto_with_app_raising_on_lifespan_means_no_lifespan(self):
        async def app(scope, receive, send):
            recorded.append(scope["type"])
            await apps.lifespan_raising_app(scope, receive, send)

        recorded = []
        client = ASGITestClient(app)
        first, second = await client.get("/"), await client.get("/")
        await client.shutdown()
        self.assertEqual((first.text, second.text), ("Hello, world!", "Hello, world!"))
        self.assertEqual(recorded, ["lifespan", "http", "http"])  # startup tried once, not per request
        self.assertNoTaskPending()

    async def test_auto_with_app_returning_on_lifespan_means_no_lifespan(self):
        app = apps.LifespanRecorder()
        client = ASGITestClient(app)
        async with client:
            response = await client.get("/")
        self.assertEqual((response.status_code, app.scope_types), (200, ["lifespan", "http"]))
        self.assertNoTaskPending()

    async def test_on_with_app_raising_on_lifespan_is_lifespan_error(self):
        client = ASGITestClient(apps.lifespan_raising_app, lifespan="on")
        with self.assertRaisesRegex(LifespanError, r"^lifespan='on' but the app does not support lifespan: it raised RuntimeError: no lifespan here$"):
            await client.get("/")
        self.assertNoTaskPending()

    async def test_on_with_app_returning_on_lifespan_is_lifespan_error(self):
        client = ASGITestClient(apps.hello_app, lifespan="on")
        with self.assertRaisesRegex(LifespanError, r"it returned without sending 'lifespan\.startup\.complete'$"):
            await client.startup()
        self.assertNoTaskPending()

    async def test_off_never_sends_lifespan_scope(self):
        app = apps.LifespanRecorder()
        client = ASGITestClient(app, lifespan="off")
        async with client:
            response = await client.get("/")
        self.assertEqual((response.status_code, app.scope_types), (200, ["http"]))
        self.assertNoTaskPending()

    async def test_on_with_lifespan_app_runs_startup_and_shutdown(self):
        app = apps.LifespanApp()
        async with ASGITestClient(app, lifespan="on") as client:
            response = await client.get("/a")
        self.assertEqual((response.json()["db"], app.events), ("connected", ["lifespan.startup", "lifespan.shutdown"]))
        self.assertNoTaskPending()


class FailureTests(LifespanTestBase):
    async def test_startup_failed_is_lifespan_error_in_auto_and_on(self):
        for mode in ("auto", "on"):
            with self.subTest(mode=mode):
                client = ASGITestClient(apps.startup_failed_app, lifespan=mode)
                with self.assertRaisesRegex(LifespanError, r"^lifespan startup failed: the app sent 'lifespan\.startup\.failed' with the message:\ndatabase unreachable$"):
                    await client.get("/")
        self.assertNoTaskPending()

    async def test_shutdown_failed_is_lifespan_error_in_auto_and_on(self):
        for mode in ("auto", "on"):
            with self.subTest(mode=mode):
                client = ASGITestClient(apps.shutdown_failed_app, lifespan=mode)
                await client.startup()
                self.assertEqual((await client.get("/")).status_code, 200)
                with self.assertRaisesRegex(LifespanError, r"^lifespan shutdown failed: the app sent 'lifespan\.shutdown\.failed' with the message:\ncould not flush$"):
                    await client.shutdown()
        self.assertNoTaskPending()

    async def test_silent_lifespan_times_out_naming_step(self):
        async def app(scope, receive, send):
            await asyncio.Event().wait()

        client = ASGITestClient(app, timeout=0.1)
        with self.assertRaisesRegex(AppTimeout, r"within 0\.1s waiting for lifespan\.startup\.complete \(lifespan\)$") as caught:
            await client.startup()
        self.assertEqual(caught.exception.step, "waiting for lifespan.startup.complete")
        self.assertNoTaskPending()


class StateTests(LifespanTestBase):
    async def test_startup_state_shallow_copied_into_each_request(self):
        app = apps.LifespanApp()
        async with ASGITestClient(app) as client:
            first = await client.get("/a")
            second = await client.get("/b")
            state = dict(client.state)
        self.assertEqual(first.json(), {"db": "connected", "items": ["/a"]})
        self.assertEqual(second.json(), {"db": "connected", "items": ["/a", "/b"]})  # same list object
        self.assertEqual(state, {"db": "connected", "items": ["/a", "/b"]})  # 'added' stayed in each copy
        self.assertNoTaskPending()

    async def test_request_before_startup_runs_startup_first(self):
        app = apps.LifespanApp()
        client = ASGITestClient(app)
        response = await client.get("/a")
        events_before_shutdown = list(app.events)
        await client.shutdown()
        self.assertEqual((response.json()["db"], events_before_shutdown), ("connected", ["lifespan.startup"]))
        self.assertEqual((app.events[-1], app.shut_down), ("lifespan.shutdown", True))
        self.assertNoTaskPending()

    async def test_async_with_runs_startup_then_shutdown(self):
        app = apps.LifespanApp()
        client = ASGITestClient(app)
        async with client as entered:
            inside = (entered is client, list(app.events), app.shut_down)
        self.assertEqual(inside, (True, ["lifespan.startup"], False))
        self.assertEqual((app.events, app.shut_down), (["lifespan.startup", "lifespan.shutdown"], True))
        self.assertNoTaskPending()

    async def test_shutdown_without_startup_does_nothing(self):
        app = apps.LifespanApp()
        await ASGITestClient(app).shutdown()
        self.assertEqual(app.events, [])
        self.assertNoTaskPending()


if __name__ == "__main__":
    unittest.main()
