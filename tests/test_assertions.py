"""Tests for _assertions: the helpers pass on matching responses and work in any TestCase (failure text is in test_messages)."""

from __future__ import annotations

import unittest
from typing import Any

from asgiwsgi_testkit import ResponseAssertions, WSGITestCase, WSGITestResponse
from asgiwsgi_testkit._headers import Headers

from tests import apps


class PassingHelperTests(WSGITestCase):
    app = apps.showcase_app

    def test_assert_status_passes_on_match(self):
        self.assertIsNone(self.assertStatus(self.client.get("/tasks/7"), 404))

    def test_assert_json_returns_parsed_body(self):
        self.assertEqual(self.assertJSON(self.client.get("/tasks")), [{"id": 7, "title": "write tests"}])

    def test_assert_json_with_expected_returns_parsed_body(self):
        body = self.assertJSON(self.client.get("/tasks/7"), {"detail": "task 7 not found"})
        self.assertEqual(body, {"detail": "task 7 not found"})

    def test_assert_json_accepts_plus_json_media_type(self):
        self.assertEqual(self.assertJSON(self.client.get("/problem"), {"title": "bad"}), {"title": "bad"})

    def test_assert_json_expected_none_compares(self):
        with self.assertRaises(AssertionError):
            self.assertJSON(self.client.get("/tasks"), None)

    def test_assert_header_presence_and_value(self):
        response = self.client.get("/page")
        self.assertHeader(response, "CACHE-CONTROL")
        self.assertHeader(response, "cache-control", "no-store")
        self.assertHeader(response, "Vary", "Cookie")

    def test_assert_no_header_passes_when_absent(self):
        self.assertIsNone(self.assertNoHeader(self.client.get("/page"), "ETag"))

    def test_assert_content_type_ignores_parameters_and_case(self):
        response = self.client.get("/page")
        self.assertContentType(response, "text/html")
        self.assertContentType(response, "TEXT/HTML; charset=latin-1")

    def test_assert_body_contains_text_decoded_by_charset(self):
        self.assertBodyContains(self.client.get("/page"), "caf\u00e9")
        self.assertBodyContains(self.client.get("/latin"), "caf\u00e9")

    def test_assert_body_contains_bytes(self):
        self.assertBodyContains(self.client.get("/latin"), b"caf\xe9")
        self.assertBodyContains(self.client.get("/page"), bytearray(b"Welcome"))

    def test_assert_body_contains_other_type_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^assertBodyContains\(\) needs str or bytes, not int$"):
            self.assertBodyContains(self.client.get("/page"), 7)

    def test_assert_redirects_matches_location_as_sent_or_resolved(self):
        response = self.client.post("/login")
        self.assertRedirects(response, "/welcome")
        self.assertRedirects(response, "http://testserver/welcome")
        self.assertRedirects(response, "/welcome", 303)
        self.assertRedirects(self.client.get("/moved"), "/new", status_code=301)

    def test_assert_redirects_without_request_compares_location_as_sent(self):
        response = WSGITestResponse(302, "Found", Headers([("Location", "/a")]), b"")
        self.assertRedirects(response, "/a")
        with self.assertRaisesRegex(AssertionError, r"^\(request unknown\) -> 302 Found redirects to '/a', expected '/b'"):
            self.assertRedirects(response, "/b")

    def test_assert_redirects_fails_on_3xx_without_location(self):
        response = WSGITestResponse(304, "Not Modified", Headers(), b"")
        with self.assertRaisesRegex(AssertionError, r"304 Not Modified, expected a redirect to '/x'"):
            self.assertRedirects(response, "/x")

    def test_assert_cookie_presence_and_value(self):
        response = self.client.get("/session")
        self.assertCookie(response, "session")
        self.assertCookie(response, "session", "s1")

    def test_assert_cookie_passes_beside_malformed_and_secure_set_cookies(self):
        response = WSGITestResponse(200, "OK", Headers([("Set-Cookie", "broken"), ("Set-Cookie", "token=t; Secure"), ("Set-Cookie", "=x")]), b"")
        self.assertEqual(response.cookies, {"token": "t"})  # what the app set; a browser ignores the other two
        self.assertCookie(response, "token", "t")
        self.assertEqual(response.headers.get_all("set-cookie"), ["broken", "token=t; Secure", "=x"])  # kept as sent


class HelperRobustnessTests(unittest.TestCase):
    def test_mixin_works_in_a_plain_test_case(self):
        class Plain(ResponseAssertions, unittest.TestCase):
            def test_it(self):
                self.assertStatus(WSGITestResponse(201, "Created", Headers(), b""), 201)

        result = unittest.TestResult()
        Plain("test_it").run(result)
        self.assertTrue(result.wasSuccessful())

    def test_response_without_request_described_by_repr(self):
        class Case(ResponseAssertions, unittest.TestCase):
            def runTest(self) -> None:  # pragma: no cover - never run
                pass

        response = WSGITestResponse(500, "Internal Server Error", Headers([("Content-Type", "text/plain")]), b"oops")
        with self.assertRaises(AssertionError) as caught:
            Case().assertStatus(response, 200)
        self.assertEqual(str(caught.exception), "(request unknown) -> 500 Internal Server Error, expected 200 OK\n"
                                                "  content-type: text/plain\n  body (4 bytes):\n    oops")

    def test_assert_cookie_failure_survives_headers_that_break(self):
        class Odd:
            status_code = 200
            status = "200 OK"
            cookies: dict = {}

            @property
            def headers(self) -> Any:
                raise RuntimeError("no headers")

        class Case(ResponseAssertions, unittest.TestCase):
            def runTest(self) -> None:  # pragma: no cover - never run
                pass

        with self.assertRaisesRegex(AssertionError, r"set no cookie 'a' \(it set: nothing\)\n  \(response could not be described"):
            Case().assertCookie(Odd(), "a")

    def test_head_falls_back_to_repr_when_status_breaks(self):
        class Odd:
            status_code = 418
            headers = Headers()

            @property
            def status(self) -> Any:
                raise RuntimeError("no status")

            def __repr__(self) -> str:
                return "<Odd response>"

        self.assertEqual(ResponseAssertions._head(Odd()), "<Odd response>")

    def test_custom_failure_exception_used(self):
        class Failure(Exception):
            pass

        class Case(ResponseAssertions, unittest.TestCase):
            failureException = Failure

            def runTest(self) -> None:  # pragma: no cover - never run
                pass

        with self.assertRaisesRegex(Failure, r"^\(request unknown\) -> 200 OK, expected 404 Not Found"):
            Case().assertStatus(WSGITestResponse(200, "OK", Headers(), b""), 404)


if __name__ == "__main__":
    unittest.main()
