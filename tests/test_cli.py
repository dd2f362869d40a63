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
