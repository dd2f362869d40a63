"""Tests for _errors: the exception hierarchy, structured attributes and request context."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import AppTimeout, LifespanError, ProtocolError, TestkitError, WebSocketClosed, WebSocketDenied


class HierarchyTests(unittest.TestCase):
    def test_every_error_is_a_testkit_error(self) -> None:
        for cls in (ProtocolError, AppTimeout, LifespanError, WebSocketDenied, WebSocketClosed):
            with self.subTest(cls=cls.__name__):
                self.assertTrue(issubclass(cls, TestkitError))
        self.assertTrue(issubclass(TestkitError, Exception))

    def test_app_timeout_is_also_timeout_error(self) -> None:
        self.assertTrue(issubclass(AppTimeout, TimeoutError))
        with self.assertRaises(TimeoutError):
            raise AppTimeout("slow")

    def test_testkit_error_not_collected_by_pytest(self) -> None:
        self.assertIs(TestkitError.__dict__["__test__"], False)


class AttributeTests(unittest.TestCase):
    def test_protocol_error_attributes(self) -> None:
        error = ProtocolError("bad status [wsgi.status.type]", rule="wsgi.status.type", value=200, expected="a str like '200 OK'")
        self.assertEqual((str(error), error.rule, error.value, error.expected), ("bad status [wsgi.status.type]", "wsgi.status.type", 200, "a str like '200 OK'"))

    def test_protocol_error_defaults(self) -> None:
        error = ProtocolError("x")
        self.assertEqual((error.rule, error.value, error.expected), ("", None, ""))

    def test_app_timeout_attributes(self) -> None:
        event = {"type": "http.response.start"}
        error = AppTimeout("late", step="waiting for http.response.body", timeout=2.5, last_event=event)
        self.assertEqual((str(error), error.step, error.timeout, error.last_event), ("late", "waiting for http.response.body", 2.5, event))
        self.assertEqual((AppTimeout("x").step, AppTimeout("x").timeout, AppTimeout("x").last_event), ("", 0.0, None))

    def test_websocket_denied_attributes(self) -> None:
        self.assertEqual((WebSocketDenied("no").status_code, WebSocketDenied("no").response), (403, None))
        marker = object()
        error = WebSocketDenied("no", status_code=401, response=marker)
        self.assertEqual((error.status_code, error.response), (401, marker))

    def test_websocket_closed_attributes(self) -> None:
        self.assertEqual((WebSocketClosed("x").code, WebSocketClosed("x").reason), (1000, ""))
        error = WebSocketClosed("bye", code=4001, reason="kicked")
        self.assertEqual((str(error), error.code, error.reason), ("bye", 4001, "kicked"))

    def test_lifespan_error_message(self) -> None:
        self.assertEqual(str(LifespanError("lifespan startup failed: 'db'")), "lifespan startup failed: 'db'")


class AddContextTests(unittest.TestCase):
    def test_adds_indented_line_once(self) -> None:
        error = ProtocolError("app broke a rule [r]", rule="r")
        error.add_context("request: GET /x")
        error.add_context("request: GET /x")
        self.assertEqual(str(error), "app broke a rule [r]\n  request: GET /x")
        self.assertEqual(error.rule, "r")

    def test_keeps_other_args(self) -> None:
        error = ProtocolError("a")
        error.args = ("a", "second")
        error.add_context("request: GET /")
        self.assertEqual(error.args, ("a\n  request: GET /", "second"))

    def test_works_without_args(self) -> None:
        error = ProtocolError("x")
        error.args = ()
        error.add_context("request: GET /")
        self.assertEqual(error.args, ("\n  request: GET /",))


if __name__ == "__main__":
    unittest.main()
