"""Tests for the public surface: __all__ against SPEC section 2, Test* classes and a cheap, asyncio-free import."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import textwrap
import unittest

import asgiwsgi_testkit

#: SPEC section 2 names the WSGI side and the shared vocabulary provide (errors included).
WSGI_AND_SHARED = frozenset({
    "Headers",
    "ResponseAssertions",
    "WSGITestCase",
    "WSGITestClient",
    "WSGITestResponse",
    "call_wsgi",
    "make_environ",
    "validate_wsgi",
    # errors
    "AppTimeout",
    "LifespanError",
    "ProtocolError",
    "TestkitError",
    "WebSocketClosed",
    "WebSocketDenied",
})
#: SPEC section 2 names of the ASGI side; checked once ASGITestClient is exported.
ASGI = frozenset({
    "ASGITestCase",
    "ASGITestClient",
    "ASGITestResponse",
    "call_asgi",
    "make_scope",
    "validate_asgi",
    "SyncASGITestClient",  # SPEC section 11
})
#: SPEC section 2 names that land with WebSocket sessions and the middleware kit (SPEC sections 6, 7).
MIDDLEWARE = frozenset({"compose", "WebSocketSession", "make_websocket_scope"})
#: what the kit publishes beyond SPEC section 2: the middleware kit's terminal apps and recorders (SPEC section 7).
EXTRAS = frozenset({"ASGIRecorder", "WSGIRecorder", "echo_app", "fixed_response_app"})
#: internals STYLE 4.1 keeps private: they must never leak into __all__.
PRIVATE = frozenset({"SentRequest", "build_request", "ClientCore", "RedirectTracker", "CookieJar", "UNSET", "Target"})

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def package_modules() -> list:
    """Every module of the package, imported."""
    names = [info.name for info in pkgutil.iter_modules(asgiwsgi_testkit.__path__)]
    return [asgiwsgi_testkit] + [importlib.import_module(f"asgiwsgi_testkit.{name}") for name in sorted(names)]


def run_python(code: str) -> str:
    """Run `code` in a fresh interpreter with the checkout importable; return its stdout."""
    env = dict(os.environ, PYTHONPATH=PROJECT_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"subprocess failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


class AllTests(unittest.TestCase):
    def test_all_is_exactly_spec_names_plus_middleware_extras(self) -> None:
        self.assertEqual(set(asgiwsgi_testkit.__all__), WSGI_AND_SHARED | ASGI | MIDDLEWARE | EXTRAS)

    def test_all_is_sorted_without_duplicates(self) -> None:
        names = list(asgiwsgi_testkit.__all__)
        self.assertEqual(names, sorted(names))
        self.assertEqual(len(names), len(set(names)))

    def test_every_name_in_all_imports(self) -> None:
        for name in asgiwsgi_testkit.__all__:
            with self.subTest(name=name):
                namespace: dict = {}
                exec(f"from asgiwsgi_testkit import {name}", namespace)
                self.assertIs(namespace[name], getattr(asgiwsgi_testkit, name))
                self.assertIn(name, dir(asgiwsgi_testkit))

    def test_wsgi_and_shared_spec_names_exported(self) -> None:
        self.assertEqual(sorted(WSGI_AND_SHARED - set(asgiwsgi_testkit.__all__)), [])

    def test_asgi_spec_names_exported_once_asgi_side_exists(self) -> None:
        if not hasattr(asgiwsgi_testkit, "ASGITestClient"):
            self.skipTest("the ASGI side is not exported yet")
        self.assertEqual(sorted(ASGI - set(asgiwsgi_testkit.__all__)), [])

    def test_websocket_and_middleware_names_exported_once_they_exist(self) -> None:
        if not hasattr(asgiwsgi_testkit, "compose"):
            self.skipTest("compose(), WebSocketSession and make_websocket_scope are not exported yet")
        self.assertEqual(sorted(MIDDLEWARE - set(asgiwsgi_testkit.__all__)), [])

    def test_no_private_names_exported(self) -> None:
        exported = set(asgiwsgi_testkit.__all__)
        self.assertEqual(sorted(exported & PRIVATE), [])
        self.assertEqual([name for name in exported if name.startswith("_")], [])

    def test_errors_come_from_one_module(self) -> None:
        from asgiwsgi_testkit import _errors

        self.assertEqual(sorted(_errors.__all__), sorted(n for n in WSGI_AND_SHARED if n.endswith(("Error", "Timeout", "Denied", "Closed"))))
        for name in _errors.__all__:
            self.assertIs(getattr(asgiwsgi_testkit, name), getattr(_errors, name))

    def test_unknown_attribute_is_attribute_error(self) -> None:
        with self.assertRaisesRegex(AttributeError, r"^module 'asgiwsgi_testkit' has no attribute 'nope'$"):
            asgiwsgi_testkit.nope

    def test_version_is_a_str(self) -> None:
        self.assertRegex(asgiwsgi_testkit.__version__, r"^\d+\.\d+\.\d+")


class TestClassCollectionTests(unittest.TestCase):
    def test_every_test_named_class_sets_test_false(self) -> None:
        found = []
        for module in package_modules():
            for name, value in vars(module).items():
                if inspect.isclass(value) and value.__module__ == module.__name__ and name.startswith("Test"):
                    found.append(name)
                    with self.subTest(cls=f"{module.__name__}.{name}"):
                        self.assertIs(value.__dict__.get("__test__"), False)
        self.assertIn("TestkitError", found)

    def test_public_test_named_classes_set_test_false(self) -> None:
        for name in asgiwsgi_testkit.__all__:
            value = getattr(asgiwsgi_testkit, name)
            if inspect.isclass(value) and name.startswith("Test"):
                with self.subTest(name=name):
                    self.assertIs(value.__test__, False)

    def test_test_case_classes_stay_collectable(self) -> None:
        for name in ("WSGITestCase", "ASGITestCase"):
            if not hasattr(asgiwsgi_testkit, name):
                continue
            cls = getattr(asgiwsgi_testkit, name)
            with self.subTest(name=name):
                self.assertTrue(getattr(cls, "__test__", True))
                subclass = type("ExampleTests", (cls,), {"app": None})
                self.assertTrue(getattr(subclass, "__test__", True))


class CheapImportTests(unittest.TestCase):
    def test_import_does_not_import_asyncio_or_unittest(self) -> None:
        output = run_python(
            """
            import sys
            import asgiwsgi_testkit
            print(sorted(m for m in ("asyncio", "unittest") if m in sys.modules))
            """
        )
        self.assertEqual(output.strip(), "[]")

    def test_wsgi_client_and_test_case_do_not_import_asyncio(self) -> None:
        output = run_python(
            """
            import io
            import sys
            import unittest

            from asgiwsgi_testkit import WSGITestCase, WSGITestClient

            def app(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"hello"]

            assert WSGITestClient(app).get("/").body == b"hello"

            class HelloTests(WSGITestCase):
                def test_hello(self):
                    self.assertStatus(self.client.get("/"), 200)
                    self.assertBodyContains(self.client.get("/"), "hello")

            HelloTests.app = app
            suite = unittest.defaultTestLoader.loadTestsFromTestCase(HelloTests)
            result = unittest.TextTestRunner(stream=io.StringIO()).run(suite)
            print(result.testsRun, result.wasSuccessful(), "asyncio" in sys.modules)
            """
        )
        self.assertEqual(output.split(), ["1", "True", "False"])


if __name__ == "__main__":
    unittest.main()
