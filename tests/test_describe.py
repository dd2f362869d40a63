"""Tests for _describe: status text, request lines and bounded body excerpts used in failure messages."""

from __future__ import annotations

import json
import unittest

from asgiwsgi_testkit import Headers, WSGITestResponse
from asgiwsgi_testkit._describe import (
    DEFAULT_EXCERPT,
    body_excerpt,
    describe_response,
    media_type,
    reason_phrase,
    request_line,
    status_text,
)
from asgiwsgi_testkit._request import build_request
from asgiwsgi_testkit._urls import parse_base_url

BASE = parse_base_url("http://testserver")


def response(status: int = 200, headers=None, body: bytes | None = b"", path: str = "/", base_url="http://testserver", exception=None) -> WSGITestResponse:
    request = build_request("GET", path, BASE)
    result = WSGITestResponse(status, reason_phrase(status), Headers(headers or {}), body, request)
    result._base_url = parse_base_url(base_url) if base_url is not None else None
    if exception is not None:
        result.exception = exception
    return result


class StatusTextTests(unittest.TestCase):
    def test_known_codes(self) -> None:
        self.assertEqual(reason_phrase(404), "Not Found")
        self.assertEqual(status_text(200), "200 OK")
        self.assertEqual(status_text(418), "418 I'm a Teapot")

    def test_unknown_code_has_no_reason(self) -> None:
        self.assertEqual(reason_phrase(599), "")
        self.assertEqual(status_text(599), "599")


class RequestLineTests(unittest.TestCase):
    def test_method_path_and_query(self) -> None:
        self.assertEqual(request_line(response(path="/tasks/7?verbose=1")), "GET /tasks/7?verbose=1")

    def test_full_url_when_host_differs_from_base(self) -> None:
        self.assertEqual(request_line(response(path="http://other.example:8080/x?y=1")), "GET http://other.example:8080/x?y=1")

    def test_full_url_when_scheme_differs_from_base(self) -> None:
        self.assertEqual(request_line(response(path="https://testserver/x")), "GET https://testserver/x")

    def test_path_only_when_base_unknown(self) -> None:
        self.assertEqual(request_line(response(path="http://other/x", base_url=None)), "GET /x")

    def test_never_raises(self) -> None:
        self.assertEqual(request_line(object()), "(request unknown)")
        self.assertEqual(request_line(WSGITestResponse(200, "OK", Headers(), b"")), "(request unknown)")


class BodyExcerptTests(unittest.TestCase):
    def test_streamed_body_not_read(self) -> None:
        self.assertEqual(body_excerpt(None), "  body: (not read: streamed)")

    def test_empty_body(self) -> None:
        self.assertEqual(body_excerpt(b"", "application/json"), "  body: (empty)")

    def test_binary_body_summarised(self) -> None:
        self.assertEqual(body_excerpt(b"\x89" * 5120, "image/png"), "  body: 5,120 bytes of image/png")
        self.assertEqual(body_excerpt(b"%PDF", "Application/PDF; x=1"), "  body: 4 bytes of application/pdf")

    def test_text_body_indented_four_spaces(self) -> None:
        self.assertEqual(body_excerpt(b"line one\nline two", "text/plain"), "  body (17 bytes):\n    line one\n    line two")

    def test_body_without_content_type_treated_as_text(self) -> None:
        self.assertEqual(body_excerpt(b"hi"), "  body (2 bytes):\n    hi")

    def test_textual_application_types_shown(self) -> None:
        for kind in ("application/xml", "application/javascript", "application/x-www-form-urlencoded", "application/atom+xml"):
            with self.subTest(kind=kind):
                self.assertEqual(body_excerpt(b"a=1", kind), "  body (3 bytes):\n    a=1")

    def test_json_pretty_printed(self) -> None:
        body = json.dumps({"detail": "task 7 not found", "é": [1]}, ensure_ascii=True).encode()
        expected = '  body ({:,} bytes):\n    {{\n      "detail": "task 7 not found",\n      "é": [\n        1\n      ]\n    }}'.format(len(body))
        self.assertEqual(body_excerpt(body, "application/json"), expected)

    def test_plus_json_pretty_printed(self) -> None:
        self.assertEqual(body_excerpt(b'{"a":1}', "application/problem+json"), '  body (7 bytes):\n    {\n      "a": 1\n    }')

    def test_invalid_json_shown_as_text(self) -> None:
        self.assertEqual(body_excerpt(b"{not json", "application/json"), "  body (9 bytes):\n    {not json")

    def test_decoded_by_charset(self) -> None:
        self.assertEqual(body_excerpt("café".encode("latin-1"), "text/plain; charset=ISO-8859-1"), "  body (4 bytes):\n    café")
        self.assertEqual(body_excerpt("café".encode("latin-1"), 'text/plain; Charset="latin-1"'), "  body (4 bytes):\n    café")

    def test_unknown_charset_falls_back_to_utf8_with_replacement(self) -> None:
        self.assertEqual(body_excerpt(b"caf\xc3\xa9 \xff", "text/plain; charset=bogus"), "  body (7 bytes):\n    café \ufffd")

    def test_cut_with_hint_when_longer_than_limit(self) -> None:
        excerpt = body_excerpt(b"x" * 1240, "text/plain", limit=1000)
        self.assertEqual(excerpt, "  body (1,240 bytes):\n    " + "x" * 1000 + "\n    ... [240 more characters; set self.maxBodyExcerpt = None to see all]")

    def test_default_limit_and_custom_hint(self) -> None:
        excerpt = body_excerpt(b"x" * (DEFAULT_EXCERPT + 2), "text/plain", hint="see more")
        self.assertTrue(excerpt.endswith("\n    ... [2 more characters; see more]"))

    def test_no_limit_shows_all(self) -> None:
        excerpt = body_excerpt(b"x" * 5000, "text/plain", limit=None)
        self.assertIn("x" * 5000, excerpt)
        self.assertNotIn("more characters", excerpt)

    def test_media_type_strips_parameters(self) -> None:
        self.assertEqual(media_type(" Text/HTML ; charset=utf-8"), "text/html")
        self.assertEqual(media_type(""), "")


class DescribeResponseTests(unittest.TestCase):
    def test_content_type_and_body(self) -> None:
        text = describe_response(response(404, {"Content-Type": "application/json"}, b'{"detail":"x"}'))
        self.assertEqual(text, '  content-type: application/json\n  body (14 bytes):\n    {\n      "detail": "x"\n    }')

    def test_missing_content_type_shown_as_none(self) -> None:
        self.assertEqual(describe_response(response(204)), "  content-type: (none)\n  body: (empty)")

    def test_redirect_adds_location(self) -> None:
        text = describe_response(response(302, {"Location": "/home"}))
        self.assertEqual(text.splitlines()[1], "  location: /home")

    def test_location_not_shown_outside_3xx(self) -> None:
        self.assertNotIn("location", describe_response(response(201, {"Location": "/tasks/1"})))

    def test_extra_headers_when_present(self) -> None:
        text = describe_response(response(405, {"Allow": "GET"}), headers=("allow", "etag"))
        self.assertIn("\n  allow: GET\n", text)
        self.assertNotIn("etag", text)

    def test_kept_exception_shown(self) -> None:
        text = describe_response(response(500, exception=ZeroDivisionError("division by zero")))
        self.assertIn("\n  app raised: ZeroDivisionError: division by zero\n", text)

    def test_limit_passed_to_excerpt(self) -> None:
        self.assertIn("... [5 more characters;", describe_response(response(200, {"content-type": "text/plain"}, b"x" * 15), limit=10))

    def test_streamed_response_body_not_read(self) -> None:
        self.assertTrue(describe_response(response(200, body=None)).endswith("  body: (not read: streamed)"))


if __name__ == "__main__":
    unittest.main()
