"""Tests for _request: build_request (Host, headers, cookies, body framing) and SentRequest."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit._cookies import CookieJar
from asgiwsgi_testkit._request import SentRequest, build_request, check_method, request_from_parts
from asgiwsgi_testkit._urls import parse_base_url

BASE = parse_base_url("http://testserver")


class MethodTests(unittest.TestCase):
    def test_method_upper_cased(self) -> None:
        self.assertEqual(check_method("get"), "GET")
        self.assertEqual(build_request("patch", "/", BASE).method, "PATCH")

    def test_extension_method_allowed(self) -> None:
        self.assertEqual(check_method("PROPFIND"), "PROPFIND")

    def test_non_str_method_is_typeerror(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^method must be a str such as 'GET', not bytes: b'GET'$"):
            build_request(b"GET", "/", BASE)

    def test_non_token_method_is_valueerror(self) -> None:
        for method in ("GET /x", "", "GE\r\nT", "GÉT"):
            with self.subTest(method=method):
                with self.assertRaisesRegex(ValueError, r"^method .* is not an HTTP token \(RFC 9110 9\.1\)$"):
                    build_request(method, "/", BASE)


class HeaderTests(unittest.TestCase):
    def test_host_comes_first(self) -> None:
        request = build_request("GET", "/", BASE, default_headers=[("user-agent", "kit")], headers={"X-A": "1"})
        self.assertEqual(request.headers.raw, [("host", "testserver"), ("user-agent", "kit"), ("X-A", "1")])

    def test_host_from_absolute_url_with_port(self) -> None:
        self.assertEqual(build_request("GET", "http://other:8080/x", BASE).headers["host"], "other:8080")
        self.assertEqual(build_request("GET", "https://other:443/x", BASE).headers["host"], "other")

    def test_given_host_replaces_default(self) -> None:
        request = build_request("GET", "/", BASE, headers={"Host": "virtual.example"})
        self.assertEqual(request.headers.get_all("host"), ["virtual.example"])

    def test_given_headers_override_defaults_by_name(self) -> None:
        defaults = [("user-agent", "kit"), ("accept", "*/*"), ("accept", "text/html")]
        request = build_request("GET", "/", BASE, default_headers=defaults, headers=[("Accept", "application/json")])
        self.assertEqual(request.headers.get_all("accept"), ["application/json"])
        self.assertEqual(request.headers["user-agent"], "kit")

    def test_repeated_given_headers_kept(self) -> None:
        request = build_request("GET", "/", BASE, headers=[("x-a", "1"), ("X-A", "2")])
        self.assertEqual(request.headers.get_all("x-a"), ["1", "2"])

    def test_header_injection_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, r"^headers= value of header 'x-a' contains a CR, LF"):
            build_request("GET", "/", BASE, headers={"x-a": "1\r\nx-b: 2"})

    def test_content_type_from_body_unless_given(self) -> None:
        self.assertEqual(build_request("POST", "/", BASE, json={}).headers["content-type"], "application/json")
        request = build_request("POST", "/", BASE, json={}, headers={"Content-Type": "application/vnd.api+json"})
        self.assertEqual(request.headers.get_all("content-type"), ["application/vnd.api+json"])


class BodyFramingTests(unittest.TestCase):
    def test_bodiless_get_has_no_content_length(self) -> None:
        for method in ("GET", "HEAD", "DELETE", "OPTIONS"):
            with self.subTest(method=method):
                request = build_request(method, "/", BASE)
                self.assertNotIn("content-length", request.headers)
                self.assertNotIn("transfer-encoding", request.headers)

    def test_empty_post_put_patch_send_content_length_zero(self) -> None:
        for method in ("POST", "PUT", "PATCH"):
            with self.subTest(method=method):
                self.assertEqual(build_request(method, "/", BASE).headers["content-length"], "0")

    def test_body_sets_content_length(self) -> None:
        self.assertEqual(build_request("DELETE", "/", BASE, body="é").headers["content-length"], "2")
        self.assertEqual(build_request("POST", "/", BASE, body=b"abc").headers["content-length"], "3")

    def test_streamed_body_sent_chunked(self) -> None:
        request = build_request("POST", "/", BASE, body=[b"a", b"b"])
        self.assertEqual(request.headers["transfer-encoding"], "chunked")
        self.assertNotIn("content-length", request.headers)

    def test_given_content_length_or_transfer_encoding_not_doubled(self) -> None:
        request = build_request("POST", "/", BASE, body=b"abc", headers={"Content-Length": "3"})
        self.assertEqual(request.headers.get_all("content-length"), ["3"])
        request = build_request("POST", "/", BASE, body=iter([b"a"]), headers={"Transfer-Encoding": "chunked"})
        self.assertEqual(request.headers.get_all("transfer-encoding"), ["chunked"])
        self.assertNotIn("content-length", request.headers)

    def test_two_body_arguments_typeerror(self) -> None:
        with self.assertRaisesRegex(TypeError, r"request\(\) got both json= and form="):
            build_request("POST", "/", BASE, json={}, form={})


class CookieTests(unittest.TestCase):
    def setUp(self) -> None:
        self.jar = CookieJar()
        self.jar.set("session", "jar")
        self.jar.set("theme", "dark")

    def test_jar_cookies_sent(self) -> None:
        self.assertEqual(build_request("GET", "/", BASE, jar=self.jar).headers["cookie"], "session=jar; theme=dark")

    def test_no_cookie_header_without_cookies(self) -> None:
        self.assertNotIn("cookie", build_request("GET", "/", BASE, jar=CookieJar()).headers)
        self.assertNotIn("cookie", build_request("GET", "/", BASE).headers)

    def test_jar_cookies_only_for_matching_host(self) -> None:
        self.assertNotIn("cookie", build_request("GET", "http://elsewhere/", BASE, jar=self.jar).headers)

    def test_hand_written_cookie_header_merged_with_jar(self) -> None:
        request = build_request("GET", "/", BASE, jar=self.jar, headers=[("Cookie", "a=1"), ("cookie", "b=2")])
        self.assertEqual(request.headers.get_all("cookie"), ["a=1; b=2; session=jar; theme=dark"])

    def test_per_request_cookies_override_jar_cookies_of_same_name(self) -> None:
        request = build_request("GET", "/", BASE, jar=self.jar, cookies={"session": "mine", "extra": "x"})
        self.assertEqual(request.headers["cookie"], "theme=dark; session=mine; extra=x")

    def test_per_request_cookies_as_pairs(self) -> None:
        request = build_request("GET", "/", BASE, jar=self.jar, cookies=[("theme", "light")])
        self.assertEqual(request.headers["cookie"], "session=jar; theme=light")

    def test_per_request_cookies_not_persisted(self) -> None:
        build_request("GET", "/", BASE, jar=self.jar, cookies={"session": "mine", "extra": "x"})
        self.assertEqual(dict((name, self.jar[name]) for name in self.jar), {"session": "jar", "theme": "dark"})

    def test_per_request_cookies_without_jar(self) -> None:
        self.assertEqual(build_request("GET", "/", BASE, cookies={"a": "1"}).headers["cookie"], "a=1")

    def test_per_request_cookies_with_empty_jar(self) -> None:
        self.assertEqual(build_request("GET", "/", BASE, jar=CookieJar(), cookies={"a": "1"}).headers["cookie"], "a=1")

    def test_per_request_cookies_refuse_header_injection(self) -> None:
        with self.assertRaisesRegex(ValueError, r"^cookies= value of header 'cookie' contains a CR, LF or control character"):
            build_request("GET", "/", BASE, cookies={"a": "1\r\nX-Evil: 1"})

    def test_per_request_cookies_bad_type(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^cookies= must be a mapping or a sequence of \(name, value\) pairs, not str$"):
            build_request("GET", "/", BASE, cookies="a=1")

    def test_cookie_header_comes_last(self) -> None:
        request = build_request("POST", "/", BASE, jar=self.jar, json=1)
        self.assertEqual(request.headers.keys()[-1], "cookie")


class SentRequestTests(unittest.TestCase):
    def test_url_path_and_body(self) -> None:
        request = build_request("post", "/tasks?page=2", BASE, query={"q": "a b"}, body=b"x")
        self.assertIsInstance(request, SentRequest)
        self.assertEqual(request.url, "http://testserver/tasks?page=2&q=a+b")
        self.assertEqual(request.path, "/tasks?page=2&q=a+b")
        self.assertEqual(request.body, b"x")
        self.assertFalse(request.streamed)
        self.assertEqual(request.content, b"x")

    def test_body_is_empty_bytes_when_none_given(self) -> None:
        self.assertEqual(build_request("GET", "/", BASE).body, b"")

    def test_streamed_body_is_none(self) -> None:
        chunks = [b"a"]
        request = build_request("POST", "/", BASE, body=chunks)
        self.assertIsNone(request.body)
        self.assertTrue(request.streamed)
        self.assertIs(request.content, chunks)

    def test_repr_shows_method_and_url(self) -> None:
        self.assertEqual(repr(build_request("GET", "https://x:8443/a?b=1", BASE)), "<SentRequest GET https://x:8443/a?b=1>")

    def test_root_path_from_base_url(self) -> None:
        request = build_request("GET", "/x", parse_base_url("http://testserver/app"))
        self.assertEqual((request.target.root_path, request.path), ("/app", "/app/x"))

    def test_url_and_path_show_the_query_as_sent(self) -> None:
        request = build_request("GET", "/x", BASE, query=b"?a='b'")
        self.assertEqual((request.url, request.path), ("http://testserver/x??a='b'", "/x??a='b'"))
        self.assertEqual(build_request("GET", "/x?p='1'", BASE, query="??").path, "/x?p='1'&??")



class RequestFromPartsTests(unittest.TestCase):
    def test_describes_environ_or_scope_built_elsewhere(self) -> None:
        request = request_from_parts("GET", "https", "h", 8443, "/my app", "/a b/é;x=1", "q=1", [("host", "h:8443")])
        self.assertEqual(request.url, "https://h:8443/my%20app/a%20b/%C3%A9;x=1?q=1")
        self.assertEqual((request.target.root_path, request.path), ("/my%20app", "/my%20app/a%20b/%C3%A9;x=1?q=1"))
        self.assertEqual(request.headers.raw, [("host", "h:8443")])
        self.assertIsNone(request.body)

    def test_without_root_path_and_existing_escapes_kept(self) -> None:
        request = request_from_parts("POST", "http", "testserver", 80, "", "/a%2Fb", "", [])
        self.assertEqual((request.target.root_path, request.url), ("", "http://testserver/a%2Fb"))

    def test_query_kept_as_the_environ_or_scope_has_it(self) -> None:
        request = request_from_parts("GET", "http", "testserver", 80, "", "/x", "?a='b'", [])
        self.assertEqual((request.url, request.path), ("http://testserver/x??a='b'", "/x??a='b'"))

if __name__ == "__main__":
    unittest.main()
