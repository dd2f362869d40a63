"""Tests for _testcase: WSGITestCase finds the app, builds self.client, and offers the assertion helpers."""

from __future__ import annotations

import unittest
from typing import Any

from asgiwsgi_testkit import ResponseAssertions, WSGITestCase, WSGITestClient

from tests import apps


def run_case(case_class: type, *names: str) -> unittest.TestResult:
    """Run some tests of an inner TestCase class and return the result."""
    result = unittest.TestResult()
    suite = unittest.TestSuite(case_class(name) for name in (names or unittest.defaultTestLoader.getTestCaseNames(case_class)))
    suite.run(result)
    return result


class PlainFunctionApp(WSGITestCase):
    app = apps.hello_app

    def test_plain_function_app_not_bound(self):
        self.assertIs(self.get_app(), apps.hello_app)
        self.assertIs(self.client.app, apps.hello_app)
        self.assertEqual(self.client.get("/").body, b"Hello, world!")

    def test_client_is_a_wsgi_test_client_and_helpers_exist(self):
        self.assertIsInstance(self.client, WSGITestClient)
        self.assertIsInstance(self, ResponseAssertions)
        self.assertIs(self.client, self.client)
        self.assertStatus(self.client.get("/"), 200)


class InheritedApp(PlainFunctionApp):
    def test_app_inherited_from_base_class(self):
        self.assertIs(self.get_app(), apps.hello_app)


class StaticMethodApp(WSGITestCase):
    app = staticmethod(apps.echo_app)

    def test_staticmethod_app_unwrapped(self):
        self.assertIs(self.get_app(), apps.echo_app)
        self.assertEqual(self.client.get("/x").json()["path"], "/x")


class TestCaseBehaviourTests(unittest.TestCase):
    def test_app_assigned_after_class_creation(self):
        class Late(WSGITestCase):
            def test_it(self):
                self.assertEqual(self.client.get("/late").json()["path"], "/late")

        Late.app = apps.echo_app
        result = run_case(Late)
        self.assertEqual((result.testsRun, result.errors, result.failures), (1, [], []))

    def test_get_app_called_exactly_once_per_test(self):
        calls = []

        class Factory(WSGITestCase):
            def get_app(self):
                calls.append(self.id())
                return apps.StreamApp(1)

            def test_one(self):
                self.client.get("/")
                self.client.get("/")

            def test_two(self):
                self.assertEqual(self.client.get("/").body, b"chunk 0\n")

        result = run_case(Factory)
        self.assertTrue(result.wasSuccessful(), result.errors + result.failures)
        self.assertEqual(sorted(name.rsplit(".", 1)[-1] for name in calls), ["test_one", "test_two"])

    def test_get_app_gives_each_test_fresh_state(self):
        seen = []

        class Fresh(WSGITestCase):
            def get_app(self):
                return apps.ClosingApp()

            def test_a(self):
                self.client.get("/")
                seen.append(self.client.app.close_calls)

            def test_b(self):
                self.client.get("/")
                seen.append(self.client.app.close_calls)

        self.assertTrue(run_case(Fresh).wasSuccessful())
        self.assertEqual(seen, [1, 1])

    def test_client_options_reach_the_client(self):
        class Options(WSGITestCase):
            app = apps.echo_app
            client_options = {"base_url": "http://testserver/mount", "headers": {"X-Default": "1"}}

            def test_it(self):
                seen = self.client.get("/x").json()
                self.assertEqual((seen["script_name"], seen["headers"]["HTTP_X_DEFAULT"]), ("/mount", "1"))

        result = run_case(Options)
        self.assertTrue(result.wasSuccessful(), result.errors + result.failures)

    def test_create_client_overridden(self):
        class Custom(WSGITestCase):
            app = apps.raise_before_start_app

            def create_client(self):
                return WSGITestClient(self.get_app(), raise_server_exceptions=False)

            def test_it(self):
                self.assertStatus(self.client.get("/"), 500)

        result = run_case(Custom)
        self.assertTrue(result.wasSuccessful(), result.errors + result.failures)

    def test_missing_app_is_type_error_in_setup(self):
        class NoApp(WSGITestCase):
            def test_it(self):
                pass  # pragma: no cover - setUp fails first

        result = run_case(NoApp)
        self.assertEqual(len(result.errors), 1)
        self.assertIn("TypeError: NoApp has no app: set an `app` class attribute or override get_app()", result.errors[0][1])

    def test_app_none_in_subclass_hides_base_app(self):
        class Base(WSGITestCase):
            app = apps.hello_app

        class Unset(Base):
            app = None

            def test_it(self):
                pass  # pragma: no cover - setUp fails first

        result = run_case(Unset)
        self.assertIn("TypeError: Unset has no app", result.errors[0][1])

    def test_client_options_not_a_dict_is_type_error(self):
        class BadOptions(WSGITestCase):
            app = apps.hello_app
            client_options = [("base_url", "http://x")]

            def test_it(self):
                pass  # pragma: no cover - setUp fails first

        result = run_case(BadOptions)
        self.assertIn("TypeError: BadOptions.client_options must be a dict, not list", result.errors[0][1])

    def test_setup_without_super_still_gets_a_client(self):
        class NoSuper(WSGITestCase):
            app = apps.hello_app

            def setUp(self):
                self.ready = True

            def test_it(self):
                self.assertTrue(self.ready)
                self.assertEqual(self.client.get("/").status_code, 200)

        result = run_case(NoSuper)
        self.assertTrue(result.wasSuccessful(), result.errors + result.failures)

    def test_client_assignable(self):
        replacement: Any = WSGITestClient(apps.echo_app)

        class Assign(WSGITestCase):
            app = apps.hello_app

            def test_it(self):
                self.client = replacement
                self.assertIs(self.client, replacement)

        self.assertTrue(run_case(Assign).wasSuccessful())

    def test_pytest_does_not_collect_client(self):
        self.assertIs(WSGITestClient.__test__, False)


if __name__ == "__main__":
    unittest.main()
