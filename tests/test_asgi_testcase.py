"""Tests for ASGITestCase: the app attribute, get_app once per test, lifespan around each test, assertion helpers."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests import asgi_apps as apps


def _run(case_class, *names):
    """Run the named tests of `case_class` in their own TestResult; return the result."""
    suite = unittest.TestSuite(case_class(name) for name in names)
    result = unittest.TestResult()
    suite.run(result)
    return result


class AppAttributeTests(ASGITestCase):
    app = apps.echo_app  # a plain function: must not be bound as a method

    async def test_app_attribute_is_called_unbound(self):
        response = await self.client.post("/items", json={"a": 1}, query={"q": "1"})
        self.assertStatus(response, 200)
        self.assertContentType(response, "application/json")
        self.assertEqual(response.json()["path"], "/items")
        self.assertIsInstance(self.client, ASGITestClient)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_assertion_helpers_pass_and_fail(self):
        response = await self.client.get("/x")
        self.assertJSON(response)
        self.assertHeader(response, "content-type", "application/json")
        self.assertBodyContains(response, '"path": "/x"')
        with self.assertRaisesRegex(AssertionError, r"404"):
            self.assertStatus(response, 404)
        with self.assertRaisesRegex(AssertionError, r"x-missing"):
            self.assertHeader(response, "x-missing")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class GetAppOnceTests(ASGITestCase):
    calls = []

    def get_app(self):
        self.calls.append(self.id())
        return apps.hello_app

    async def test_get_app_called_once_per_test(self):
        first = await self.client.get("/")
        second = await self.client.get("/")
        self.assertEqual((first.text, second.text), ("Hello, world!", "Hello, world!"))
        self.assertEqual(self.calls.count(self.id()), 1)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class LifespanAroundTestTests(unittest.TestCase):
    def test_startup_before_test_and_shutdown_after_it(self):
        observed = {}

        class Inner(ASGITestCase):
            lifespan_app = apps.LifespanApp()

            def get_app(self):
                return self.lifespan_app

            async def asyncSetUp(self):
                self.addAsyncCleanup(self.after_shutdown)  # registered first, so it runs last
                await super().asyncSetUp()

            async def after_shutdown(self):
                observed["tasks_after_shutdown"] = asyncio.all_tasks() - {asyncio.current_task()}
                observed["shut_down_in_cleanup"] = self.lifespan_app.shut_down

            async def test_inside(self):
                observed["events_in_test"] = list(self.lifespan_app.events)
                observed["shut_down_in_test"] = self.lifespan_app.shut_down
                response = await self.client.get("/a")
                self.assertJSON(response, {"db": "connected", "items": ["/a"]})

        result = _run(Inner, "test_inside")
        self.assertEqual((result.testsRun, result.errors, result.failures), (1, [], []))
        self.assertEqual(observed["events_in_test"], ["lifespan.startup"])
        self.assertEqual((observed["shut_down_in_test"], observed["shut_down_in_cleanup"]), (False, True))
        self.assertEqual(Inner.lifespan_app.events, ["lifespan.startup", "lifespan.shutdown"])
        self.assertEqual(observed["tasks_after_shutdown"], set())

    def test_startup_failure_is_reported_as_error_of_that_test(self):
        class Inner(ASGITestCase):
            app = apps.startup_failed_app

            async def test_never_runs(self):
                self.fail("the test body must not run")

        result = _run(Inner, "test_never_runs")
        self.assertEqual((result.testsRun, len(result.errors), result.failures), (1, 1, []))
        self.assertIn("LifespanError: lifespan startup failed: the app sent 'lifespan.startup.failed' with the message:\ndatabase unreachable", result.errors[0][1])

    def test_missing_app_is_type_error_naming_class(self):
        class NoApp(ASGITestCase):
            async def test_nothing(self):
                pass

        result = _run(NoApp, "test_nothing")
        self.assertEqual(len(result.errors), 1)
        self.assertIn("TypeError: NoApp has no app: set an `app` class attribute or override get_app()", result.errors[0][1])


if __name__ == "__main__":
    unittest.main()
