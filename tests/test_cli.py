"""Tests for the command line (`python -m asgiwsgi_testkit`, SPEC section 10)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import unittest

from asgiwsgi_testkit._cli import load_app, main

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wsgi_app(environ, start_response):
    body = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {environ.get('CONTENT_TYPE', '-')} {environ['wsgi.input'].read().decode() or '-'} {environ.get('HTTP_X_A', '-')}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Kind", "wsgi")])
    return [body]


async def asgi_app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                STARTED.append(True)
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    event = await receive()
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"method":"%s","body":"%s"}' % (scope["method"].encode(), event["body"].replace(b'"', b"'"))})


STARTED: list = []


def value_error_app(environ, start_response):
    raise ValueError("the app's own bad value")


def create_app():
    """A factory: `tests.test_cli:create_app` without () is not an app."""
    return wsgi_app


def raising_app(environ, start_response):
    raise ZeroDivisionError("boom")


async def broken_asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.body", "body": b"early"})


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


class UsageTests(unittest.TestCase):
    """The command line does what its usage says (issue 12, item 6)."""

    def test_usage_says_one_request(self):
        usage = subprocess.run([sys.executable, "-m", "asgiwsgi_testkit", "--help"], capture_output=True, text=True, cwd=PROJECT_ROOT).stdout
        self.assertIn("usage: python -m asgiwsgi_testkit MODULE:APP [METHOD] PATH [options]", usage)
        self.assertIn("one request per run", usage)

    def test_two_paths_a_method_without_path_a_path_without_slash_and_a_misspelt_method(self):
        cases = {
            ("/a", "/b"): "expected [METHOD] PATH (one request per run), got two paths: '/a' and '/b'",
            ("GET",): "the method 'GET' needs a PATH after it, e.g. GET /",
            ("tasks",): "PATH must start with '/' or be an absolute http(s) URL, not 'tasks' (did you mean '/tasks'?)",
            ("GTE", "/tasks"): "unknown method 'GTE': did you mean GET?",
        }
        for target, text in cases.items():
            with self.subTest(target=target):
                status, _, err = run("tests.test_cli:wsgi_app", *target)
                self.assertEqual((status, err), (2, f"error: {text}\n"))

    def test_a_custom_method_is_sent(self):
        self.assertEqual(run("tests.test_cli:wsgi_app", "PURGE", "/x")[1], "PURGE /x - - -\n")

    def test_the_apps_own_value_error_exits_1_with_its_traceback(self):
        status, _, err = run("tests.test_cli:value_error_app", "/")
        self.assertEqual(status, 1)
        self.assertIn("Traceback (most recent call last)", err)
        self.assertTrue(err.rstrip().endswith("ValueError: the app's own bad value"), err)

    def test_a_factory_without_parentheses_is_told_to_add_them(self):
        status, _, err = run("tests.test_cli:create_app", "/")
        self.assertEqual(status, 2)
        self.assertIn("'tests.test_cli:create_app' takes no arguments, so it is an app factory, not an app", err)
        self.assertIn("write 'tests.test_cli:create_app()' to call it", err)
        self.assertEqual(run("tests.test_cli:create_app()", "/")[:2], (0, "GET / - - -\n"))


class CommandLineTests(unittest.TestCase):
    def test_wsgi_get_prints_body(self):
        status, out, _ = run("tests.test_cli:wsgi_app", "/hello")
        self.assertEqual((status, out), (0, "GET /hello - - -\n"))

    def test_include_prints_status_line_and_headers_first(self):
        status, out, _ = run("tests.test_cli:wsgi_app", "--include", "/x")
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("HTTP/1.1 200 OK\nContent-Type: text/plain\nX-Kind: wsgi\n\n"), out)

    def test_data_and_header_sent_with_post_by_default(self):
        status, out, _ = run("tests.test_cli:wsgi_app", "/x", "--data", "hi", "--header", "X-A: 1")
        self.assertEqual((status, out), (0, "POST /x - hi 1\n"))

    def test_asgi_app_detected_with_lifespan_and_json(self):
        STARTED.clear()
        status, out, _ = run("tests.test_cli:asgi_app", "put", "/t", "--json", '{"a": 1}')
        self.assertEqual((status, out), (0, '{"method":"PUT","body":"{\'a\':1}"}\n'))
        self.assertEqual(STARTED, [True])

    def test_app_exception_exits_1_with_traceback(self):
        status, _, err = run("tests.test_cli:raising_app", "/")
        self.assertEqual(status, 1)
        self.assertIn("ZeroDivisionError: boom", err)

    def test_spec_violation_exits_2_with_validator_message(self):
        status, _, err = run("tests.test_cli:broken_asgi_app", "/")
        self.assertEqual(status, 2)
        self.assertIn("asgi.http.start-first", err)
        self.assertIn("ProtocolError", err)

    def test_bad_app_spec_exits_2(self):
        for spec, text in (("nocolon", "MODULE:APP"), ("tests.test_cli:missing", "missing"), ("no_such_module_x:app", "no_such_module_x")):
            with self.subTest(spec=spec):
                status, _, err = run(spec, "/")
                self.assertEqual(status, 2)
                self.assertIn(text, err)

    def test_bad_header_and_two_bodies_exit_2(self):
        self.assertIn("Name: value", run("tests.test_cli:wsgi_app", "/", "-H", "nocolon")[2])
        self.assertIn("only one of --json and --data", run("tests.test_cli:wsgi_app", "/", "--json", "1", "--data", "x")[2])
        self.assertIn("[METHOD] PATH", run("tests.test_cli:wsgi_app", "GET", "/", "extra")[2])

    def test_factory_spec_is_called(self):
        status, out, _ = run("examples.tasks_asgi:create_app()", "/tasks", "--json", '{"title": "x"}', "-i")
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("HTTP/1.1 201 Created\n"), out)
        self.assertIn('"title": "x"', out.replace('":"', '": "'))

    def test_load_app_follows_dotted_attributes(self):
        self.assertIs(load_app("tests.test_cli:CommandLineTests.run"), CommandLineTests.run)

    def test_module_entry_point_runs(self):
        result = subprocess.run([sys.executable, "-m", "asgiwsgi_testkit", "tests.test_cli:wsgi_app", "/m"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
        self.assertEqual((result.returncode, result.stdout), (0, "GET /m - - -\n"), result.stderr)


if __name__ == "__main__":
    unittest.main()
