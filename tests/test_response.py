"""Tests for _response: response attributes, text/json decoding, cookies, streaming reads and line splitting."""

from __future__ import annotations

import io
import unittest

from asgiwsgi_testkit import Headers, ProtocolError, WSGITestResponse
from asgiwsgi_testkit._request import build_request
from asgiwsgi_testkit._response import TestResponseBase, iter_lines_of
from asgiwsgi_testkit._urls import parse_base_url

BASE = parse_base_url("http://testserver")


def make(status=200, reason="OK", headers=None, body=b"", path="/", **kwargs) -> WSGITestResponse:
    return WSGITestResponse(status, reason, Headers(headers or {}), body, build_request("GET", path, BASE), **kwargs)


class AttributeTests(unittest.TestCase):
    def test_status_joins_code_and_reason(self) -> None:
        self.assertEqual(make(404, "Not Found").status, "404 Not Found")
        self.assertEqual(make(299, "").status, "299")

    def test_body_and_request(self) -> None:
        response = make(body=b"abc", path="/x?y=1")
        self.assertEqual(response.body, b"abc")
        self.assertEqual(response.request.url, "http://testserver/x?y=1")
        self.assertEqual(response.history, [])
        self.assertIsNone(response.exception)
        self.assertEqual(response.traceback, "")

    def test_content_type_is_media_type_without_parameters(self) -> None:
        self.assertEqual(make(headers={"Content-Type": "Text/HTML; charset=utf-8"}).content_type, "text/html")
        self.assertEqual(make().content_type, "")

    def test_charset(self) -> None:
        self.assertEqual(make(headers={"content-type": 'text/plain; charset="ISO-8859-1"'}).charset, "ISO-8859-1")
        self.assertEqual(make(headers={"content-type": "text/plain; format=flowed; CHARSET=koi8-r"}).charset, "koi8-r")
        self.assertEqual(make(headers={"content-type": "text/plain; format=flowed"}).charset, "")
        self.assertEqual(make(headers={"content-type": "text/plain"}).charset, "")

    def test_is_redirect(self) -> None:
        for status in (301, 302, 303, 307, 308):
            with self.subTest(status=status):
                self.assertTrue(make(status, headers={"location": "/"}).is_redirect)
        self.assertFalse(make(302).is_redirect)
        self.assertFalse(make(300, headers={"location": "/"}).is_redirect)
        self.assertFalse(make(201, headers={"location": "/"}).is_redirect)

    def test_repr_shows_status_method_and_path(self) -> None:
        self.assertEqual(repr(make(201, "Created", path="/tasks?x=1")), "<WSGITestResponse [201 Created] GET /tasks?x=1>")

    def test_base_class_is_not_collected_by_pytest(self) -> None:
        self.assertIs(TestResponseBase.__test__, False)


class ASGITrailersTests(unittest.TestCase):
    def test_no_trailers_is_one_empty_headers_that_can_be_replaced(self) -> None:
        from asgiwsgi_testkit import ASGITestResponse

        response = ASGITestResponse(200, Headers(), b"", None)
        self.assertEqual((type(response.trailers), len(response.trailers)), (Headers, 0))
        response.trailers.add("x-late", "1")  # the same object on every access
        self.assertEqual(response.trailers["x-late"], "1")
        response.trailers = Headers({"x-sum": "abc"})
        self.assertEqual(response.trailers.multi_items(), [("x-sum", "abc")])
        self.assertEqual(ASGITestResponse(200, Headers(), b"", None, Headers({"a": "1"})).trailers["a"], "1")


class TextAndJSONTests(unittest.TestCase):
    def test_text_utf8_by_default(self) -> None:
        self.assertEqual(make(body="café".encode()).text, "café")

    def test_text_decoded_by_charset(self) -> None:
        response = make(headers={"content-type": "text/plain; charset=latin-1"}, body="café".encode("latin-1"))
        self.assertEqual(response.text, "café")

    def test_text_unknown_charset_falls_back_to_utf8(self) -> None:
        response = make(headers={"content-type": "text/plain; charset=nope"}, body=b"caf\xc3\xa9\xff")
        self.assertEqual(response.text, "café\ufffd")

    def test_json_parses_body(self) -> None:
        self.assertEqual(make(body=b'{"a": [1, "\xc3\xa9"]}').json(), {"a": [1, "é"]})

    def test_json_error_names_request_status_and_body(self) -> None:
        response = make(500, "Internal Server Error", {"content-type": "text/html"}, b"<h1>oops</h1>", path="/tasks")
        with self.assertRaisesRegex(
            ValueError,
            r"^GET /tasks -> 500 Internal Server Error: body is not JSON \(Expecting value: line 1 column 1 \(char 0\)\); "
            r"content-type 'text/html', body starts b'<h1>oops</h1>'$",
        ):
            response.json()

    def test_json_error_excerpt_is_bounded(self) -> None:
        with self.assertRaises(ValueError) as caught:
            make(body=b"x" * 1000).json()
        self.assertIn("body starts b'" + "x" * 200 + "'", str(caught.exception))
        self.assertNotIn("x" * 201, str(caught.exception))


class CookiesTests(unittest.TestCase):
    def test_cookies_lists_what_response_set(self) -> None:
        response = make(headers=[("set-cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; HttpOnly")])
        self.assertEqual(response.cookies, {"a": "1", "b": "2"})

    def test_deleted_cookie_shows_empty_value(self) -> None:
        self.assertEqual(make(headers=[("set-cookie", "a=; Max-Age=0")]).cookies, {"a": ""})

    def test_foreign_domain_cookie_not_listed(self) -> None:
        self.assertEqual(make(headers=[("set-cookie", "a=1; Domain=elsewhere.example")]).cookies, {})

    def test_no_cookies(self) -> None:
        self.assertEqual(make().cookies, {})

    def test_cookies_without_request_assume_testserver(self) -> None:
        response = WSGITestResponse(200, "OK", Headers([("set-cookie", "a=1; Domain=testserver")]), b"")
        self.assertEqual(response.cookies, {"a": "1"})

    def test_malformed_set_cookie_is_ignored_as_browsers_do(self) -> None:
        response = make(headers=[("set-cookie", "garbage"), ("set-cookie", "a=1")])
        self.assertEqual(response.cookies, {"a": "1"})
        self.assertEqual(response.headers.get_all("set-cookie"), ["garbage", "a=1"])


class StreamingTests(unittest.TestCase):
    def streamed(self, chunks, headers=None):
        self.closed = 0

        def close() -> None:
            self.closed += 1

        return make(headers=headers, body=None, chunks=iter(chunks), close=close)

    def test_body_of_streamed_response_raises_until_read(self) -> None:
        response = self.streamed([b"a", b"b"])
        with self.assertRaisesRegex(ValueError, r"^the body of a streamed response \(<WSGITestResponse \[200 OK\] GET />\) is not read yet: iterate iter_bytes\(\)/iter_lines\(\) or call read\(\) inside the stream\(\) block$"):
            response.body
        self.assertEqual(response.read(), b"ab")
        self.assertEqual(response.body, b"ab")
        self.assertEqual(response.read(), b"ab")
        self.assertEqual(self.closed, 1)

    def test_iter_bytes_advances_lazily_and_closes(self) -> None:
        pulled = []

        def chunks():
            for chunk in (b"a", b"b"):
                pulled.append(chunk)
                yield chunk

        response = make(body=None, chunks=chunks(), close=lambda: pulled.append("closed"))
        iterator = response.iter_bytes()
        self.assertEqual(pulled, [])
        self.assertEqual(next(iterator), b"a")
        self.assertEqual(pulled, [b"a"])
        self.assertEqual(list(iterator), [b"b"])
        self.assertEqual(pulled, [b"a", b"b", "closed"])

    def test_iter_bytes_failure_closes_and_propagates(self) -> None:
        def chunks():
            yield b"a"
            raise ZeroDivisionError("boom")

        self.closed = 0
        response = make(body=None, chunks=chunks(), close=lambda: setattr(self, "closed", self.closed + 1))
        with self.assertRaisesRegex(ZeroDivisionError, "^boom$"):
            list(response.iter_bytes())
        self.assertEqual(self.closed, 1)

    def test_stopping_part_way_leaves_rest_for_read(self) -> None:
        response = self.streamed([b"a", b"b", b"c"])
        for chunk in response.iter_bytes():
            self.assertEqual(chunk, b"a")
            break
        self.assertEqual(self.closed, 0)
        self.assertEqual(response.read(), b"bc")
        self.assertEqual(self.closed, 1)

    def test_iter_bytes_after_close_raises(self) -> None:
        response = self.streamed([b"a"])
        response.close()
        response.close()
        self.assertEqual(self.closed, 1)
        with self.assertRaisesRegex(ValueError, r"the stream was closed; iterate inside the stream\(\) block"):
            list(response.iter_bytes())

    def test_iter_bytes_of_read_body(self) -> None:
        self.assertEqual(list(make(body=b"abc").iter_bytes()), [b"abc"])
        self.assertEqual(list(make(body=b"").iter_bytes()), [])

    def test_iter_lines_uses_charset(self) -> None:
        response = self.streamed([b"caf\xe9\nna", b"\xefve\r\n"], headers={"content-type": "text/plain; charset=latin-1"})
        self.assertEqual(list(response.iter_lines()), ["café", "naïve"])

    def test_close_without_close_callable(self) -> None:
        response = make(body=None, chunks=iter([b"a"]))
        response.close()
        with self.assertRaises(ValueError):
            response.read()

    def test_errors_text(self) -> None:
        self.assertEqual(make(errors=io.StringIO("warn\n")).errors, "warn\n")
        self.assertEqual(make(errors="plain").errors, "plain")
        self.assertEqual(make().errors, "")


class IterLinesOfTests(unittest.TestCase):
    def lines(self, *chunks: bytes, charset: str = "utf-8") -> list:
        return list(iter_lines_of(iter(chunks), charset))

    def test_lf_crlf_and_cr(self) -> None:
        self.assertEqual(self.lines(b"a\nb\r\nc\rd"), ["a", "b", "c", "d"])

    def test_crlf_split_across_chunks_is_one_line_end(self) -> None:
        self.assertEqual(self.lines(b"a\r", b"\nb"), ["a", "b"])
        self.assertEqual(self.lines(b"a\r", b"", b"\nb\r", b"\n"), ["a", "b"])

    def test_cr_at_chunk_end_followed_by_text(self) -> None:
        self.assertEqual(self.lines(b"a\r", b"b"), ["a", "b"])

    def test_line_split_across_chunks(self) -> None:
        self.assertEqual(self.lines(b"he", b"llo\nwor", b"ld"), ["hello", "world"])

    def test_trailing_line_end_gives_no_extra_line(self) -> None:
        self.assertEqual(self.lines(b"a\n"), ["a"])
        self.assertEqual(self.lines(b"a\r\n"), ["a"])
        self.assertEqual(self.lines(b"a\r"), ["a"])

    def test_empty_lines_kept(self) -> None:
        self.assertEqual(self.lines(b"\n\na\n"), ["", "", "a"])
        self.assertEqual(self.lines(b"\r"), [""])
        self.assertEqual(self.lines(b"a\r\r"), ["a", ""])

    def test_no_chunks_or_empty_chunks_give_no_lines(self) -> None:
        self.assertEqual(self.lines(), [])
        self.assertEqual(self.lines(b"", b""), [])

    def test_multibyte_character_split_across_chunks(self) -> None:
        self.assertEqual(self.lines(b"caf\xc3", b"\xa9\n"), ["café"])

    def test_incomplete_character_at_end_replaced(self) -> None:
        self.assertEqual(self.lines(b"a\r", b"\xc3"), ["a", "\ufffd"])
        self.assertEqual(self.lines(b"a\xc3"), ["a\ufffd"])


if __name__ == "__main__":
    unittest.main()
