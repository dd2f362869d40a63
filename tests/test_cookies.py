"""Tests for _cookies: Set-Cookie parsing, domain/path/expiry/Secure matching and the jar's dict-like API."""

from __future__ import annotations

import time
import unittest
from email.utils import formatdate
from typing import Any

from asgiwsgi_testkit import ASGITestClient, WSGITestClient
from asgiwsgi_testkit._cookies import Cookie, CookieJar, default_path, domain_matches, parse_set_cookie, path_matches

NOW = 1_700_000_000.0
PAST = formatdate(time.time() - 3600, usegmt=True)
FUTURE = formatdate(time.time() + 3600, usegmt=True)


def jar_with(*set_cookies: str, host: str = "testserver", path: str = "/") -> CookieJar:
    jar = CookieJar()
    jar.extract(list(set_cookies), host, path)
    return jar


class MatchingRuleTests(unittest.TestCase):
    def test_domain_matches_host_only_exactly(self) -> None:
        self.assertTrue(domain_matches("Example.org", "example.org", host_only=True))
        self.assertFalse(domain_matches("www.example.org", "example.org", host_only=True))

    def test_domain_matches_subdomains_when_not_host_only(self) -> None:
        self.assertTrue(domain_matches("www.example.org", "example.org", host_only=False))
        self.assertFalse(domain_matches("badexample.org", "example.org", host_only=False))

    def test_path_matches_at_slash_boundary(self) -> None:
        self.assertTrue(path_matches("/a", "/a"))
        self.assertTrue(path_matches("/a/b", "/a"))
        self.assertTrue(path_matches("/a/b", "/a/"))
        self.assertTrue(path_matches("/anything", "/"))
        self.assertFalse(path_matches("/ab", "/a"))
        self.assertFalse(path_matches("/b", "/a"))

    def test_default_path_is_directory_of_request_path(self) -> None:
        self.assertEqual(default_path("/a/b"), "/a")
        self.assertEqual(default_path("/a/b/"), "/a/b")
        self.assertEqual(default_path("/a"), "/")
        self.assertEqual(default_path(""), "/")
        self.assertEqual(default_path("a/b"), "/")

    def test_cookie_matches_checks_expiry_secure_domain_and_path(self) -> None:
        cookie = Cookie("n", "v", "testserver", path="/app", expires=NOW + 10, secure=True)
        self.assertTrue(cookie.matches("testserver", "/app/x", "https", NOW))
        self.assertTrue(cookie.matches("testserver", "/app", "wss", NOW))
        self.assertFalse(cookie.matches("testserver", "/app", "https", NOW + 10))
        self.assertFalse(cookie.matches("testserver", "/app", "http", NOW))
        self.assertFalse(cookie.matches("other", "/app", "https", NOW))
        self.assertFalse(cookie.matches("testserver", "/", "https", NOW))


class ParseSetCookieTests(unittest.TestCase):
    def test_name_value_and_defaults(self) -> None:
        cookie = parse_set_cookie(" sid = abc ", "TestServer", "/a/b", NOW)
        self.assertEqual(cookie, Cookie("sid", "abc", "testserver", host_only=True, path="/a"))

    def test_quoted_value_unquoted_and_empty_value_kept(self) -> None:
        self.assertEqual(parse_set_cookie('a="x y"', "h", "/", NOW).value, "x y")
        self.assertEqual(parse_set_cookie('a="', "h", "/", NOW).value, '"')
        self.assertEqual(parse_set_cookie("a=", "h", "/", NOW).value, "")

    def test_attributes_parsed_case_insensitively(self) -> None:
        cookie = parse_set_cookie("a=1; PATH=/p; SECURE; HttpOnly; SameSite=Lax; Unknown=1", "h", "/", NOW)
        self.assertEqual((cookie.path, cookie.secure, cookie.http_only, cookie.same_site), ("/p", True, True, "Lax"))

    def test_path_not_starting_with_slash_uses_default(self) -> None:
        self.assertEqual(parse_set_cookie("a=1; Path=rel", "h", "/x/y", NOW).path, "/x")

    def test_domain_attribute_makes_domain_cookie(self) -> None:
        cookie = parse_set_cookie("a=1; Domain=.Example.org", "www.example.org", "/", NOW)
        self.assertEqual((cookie.domain, cookie.host_only), ("example.org", False))

    def test_empty_domain_attribute_ignored(self) -> None:
        cookie = parse_set_cookie("a=1; Domain=", "www.example.org", "/", NOW)
        self.assertEqual((cookie.domain, cookie.host_only), ("www.example.org", True))

    def test_foreign_domain_ignored(self) -> None:
        self.assertIsNone(parse_set_cookie("a=1; Domain=evil.example", "testserver", "/", NOW))
        self.assertIsNone(parse_set_cookie("a=1; Domain=www.example.org", "example.org", "/", NOW))

    def test_expires_parsed_and_bad_date_ignored(self) -> None:
        cookie = parse_set_cookie("a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "h", "/", NOW)
        self.assertEqual(cookie.expires, 1445412480.0)
        self.assertEqual(parse_set_cookie("a=1; Expires=Wed, 21-Oct-2015 07:28:00 GMT", "h", "/", NOW).expires, 1445412480.0)
        self.assertIsNone(parse_set_cookie("a=1; Expires=soon", "h", "/", NOW).expires)

    def test_max_age_sets_expiry_relative_to_now(self) -> None:
        self.assertEqual(parse_set_cookie("a=1; Max-Age=60", "h", "/", NOW).expires, NOW + 60)

    def test_max_age_zero_or_negative_expires_at_once(self) -> None:
        self.assertEqual(parse_set_cookie("a=1; Max-Age=0", "h", "/", NOW).expires, 0.0)
        self.assertEqual(parse_set_cookie("a=1; Max-Age=-5", "h", "/", NOW).expires, 0.0)

    def test_max_age_beats_expires_in_either_order(self) -> None:
        for header in ("a=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60"):
            with self.subTest(header=header):
                self.assertEqual(parse_set_cookie(header, "h", "/", NOW).expires, NOW + 60)

    def test_malformed_max_age_ignored(self) -> None:
        cookie = parse_set_cookie("a=1; Max-Age=soon; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "h", "/", NOW)
        self.assertEqual(cookie.expires, 1445412480.0)

    def test_missing_name_value_or_empty_name_is_ignored_as_browsers_do(self) -> None:
        # RFC 6265 5.2: no "=" in the name-value-pair, or an empty name: "ignore the set-cookie-string entirely"
        for header in ("novalue", "=abc", " = abc; Path=/", "; Path=/", "", "novalue; Secure"):
            with self.subTest(header=header):
                self.assertIsNone(parse_set_cookie(header, "h", "/", NOW))

    def test_unparsable_expires_ignored_not_raised(self) -> None:
        for date in ("Wed, 09 Jun 99999 10:18:14 GMT", "Wed, 09 Jun 9999999999999999 10:18:14 GMT"):
            with self.subTest(date=date):
                self.assertIsNone(parse_set_cookie(f"a=1; Expires={date}", "h", "/", NOW).expires)

    def test_max_age_must_be_digits_with_optional_minus(self) -> None:
        for arg in ("+60", "6_0", "60s", "\u0666\u0660", "- 1", ""):
            with self.subTest(arg=arg):
                self.assertIsNone(parse_set_cookie(f"a=1; Max-Age={arg}", "h", "/", NOW).expires)

    def test_huge_max_age_is_far_future_not_overflow(self) -> None:
        self.assertEqual(parse_set_cookie("a=1; Max-Age=" + "9" * 400, "h", "/", NOW).expires, NOW + 10**12)


class JarMappingTests(unittest.TestCase):
    """The jar as the README documents it: item access, assignment and deletion, items() (issue 12, item 4)."""

    def test_item_assignment_is_set_for_the_default_domain_and_root_path(self):
        jar = CookieJar(default_domain="shop.example")
        jar["session"] = "abc"
        self.assertEqual((jar["session"], jar.items(), jar.header_for("shop.example", "/x", "http")), ("abc", [("session", "abc")], "session=abc"))
        with self.assertRaisesRegex(TypeError, r"^a cookie's name and value must be str, not str 'n' and int 1$"):
            jar["n"] = 1  # type: ignore[assignment]

    def test_item_deletion_forgets_every_cookie_of_the_name_and_names_a_missing_one(self):
        jar = CookieJar()
        jar.set("a", "1")
        jar.set("a", "2", domain="other.example")
        del jar["a"]
        self.assertEqual(list(jar), [])
        with self.assertRaisesRegex(KeyError, "no cookie 'a' in the jar"):
            del jar["a"]


class JarTests(unittest.TestCase):
    def test_extract_returns_what_was_set_and_stores_it(self) -> None:
        jar = CookieJar()
        self.assertEqual(jar.extract(["a=1", "b=2; Path=/x"], "testserver", "/"), {"a": "1", "b": "2"})
        self.assertEqual(jar.header_for("testserver", "/x", "http"), "b=2; a=1")

    def test_extract_nothing(self) -> None:
        self.assertEqual(CookieJar().extract([], "h", "/"), {})

    def test_extract_without_store_leaves_jar_empty(self) -> None:
        jar = CookieJar()
        self.assertEqual(jar.extract(["a=1"], "h", "/", store=False), {"a": "1"})
        self.assertEqual(len(jar), 0)

    def test_extract_skips_foreign_domain(self) -> None:
        jar = CookieJar()
        self.assertEqual(jar.extract(["a=1; Domain=evil.example", "b=2"], "testserver", "/"), {"b": "2"})
        self.assertEqual(list(jar), ["b"])

    def test_extract_skips_malformed_headers_and_keeps_the_rest(self) -> None:
        jar = CookieJar()
        self.assertEqual(jar.extract(["ok=1", "broken", "=nameless", "next=2; Path=/"], "h", "/"), {"ok": "1", "next": "2"})
        self.assertEqual(jar.header_for("h", "/", "http"), "ok=1; next=2")
        self.assertEqual(CookieJar().extract(["broken"], "h", "/", store=False), {})

    def test_secure_cookie_set_over_http_is_returned_but_not_stored(self) -> None:
        for scheme in ("http", "ws"):
            with self.subTest(scheme=scheme):
                jar = CookieJar()
                self.assertEqual(jar.extract(["s=1; Secure", "p=2"], "testserver", "/", scheme=scheme), {"s": "1", "p": "2"})
                self.assertEqual(list(jar), ["p"])
                self.assertEqual(jar.header_for("testserver", "/", "https"), "p=2")

    def test_secure_cookie_set_over_https_or_wss_is_stored(self) -> None:
        for scheme in ("https", "wss"):
            with self.subTest(scheme=scheme):
                jar = CookieJar()
                jar.extract(["s=1; Secure"], "testserver", "/", scheme=scheme)
                self.assertEqual(jar.header_for("testserver", "/", "https"), "s=1")

    def test_secure_cookie_stored_when_the_scheme_is_unknown(self) -> None:
        jar = CookieJar()
        jar.extract(["s=1; Secure"], "testserver", "/")
        self.assertEqual(list(jar), ["s"])

    def test_secure_deletion_over_http_does_not_reach_the_jar(self) -> None:
        jar = CookieJar()
        jar.extract(["s=1; Secure"], "testserver", "/", scheme="https")
        self.assertEqual(jar.extract(["s=; Secure; Max-Age=0"], "testserver", "/", scheme="http"), {"s": ""})
        self.assertEqual(jar["s"], "1")

    def test_host_only_cookie_not_sent_to_subdomain(self) -> None:
        jar = jar_with("a=1", host="example.org")
        self.assertEqual(jar.header_for("example.org", "/", "http"), "a=1")
        self.assertEqual(jar.header_for("www.example.org", "/", "http"), "")

    def test_domain_cookie_sent_to_subdomains(self) -> None:
        jar = jar_with("a=1; Domain=example.org", host="example.org")
        self.assertEqual(jar.header_for("www.example.org", "/", "http"), "a=1")
        self.assertEqual(jar.header_for("other.org", "/", "http"), "")

    def test_path_limits_where_cookie_is_sent(self) -> None:
        jar = jar_with("a=1; Path=/admin")
        self.assertEqual(jar.header_for("testserver", "/admin/users", "http"), "a=1")
        self.assertEqual(jar.header_for("testserver", "/administrator", "http"), "")
        self.assertEqual(jar.header_for("testserver", "/", "http"), "")

    def test_default_path_from_request_path(self) -> None:
        jar = jar_with("a=1", path="/shop/cart")
        self.assertEqual(jar.header_for("testserver", "/shop/items", "http"), "a=1")
        self.assertEqual(jar.header_for("testserver", "/", "http"), "")

    def test_longer_path_first_then_insertion_order(self) -> None:
        jar = jar_with("short=1; Path=/", "first=2; Path=/a/b", "long=3; Path=/a/b", "mid=4; Path=/a")
        self.assertEqual(jar.header_for("testserver", "/a/b/c", "http"), "first=2; long=3; mid=4; short=1")

    def test_secure_cookie_sent_only_over_https_and_wss(self) -> None:
        jar = jar_with("s=1; Secure", "p=2")
        self.assertEqual(jar.header_for("testserver", "/", "http"), "p=2")
        self.assertEqual(jar.header_for("testserver", "/", "ws"), "p=2")
        self.assertEqual(jar.header_for("testserver", "/", "https"), "s=1; p=2")
        self.assertEqual(jar.header_for("testserver", "/", "wss"), "s=1; p=2")

    def test_expires_in_past_deletes(self) -> None:
        jar = jar_with("a=1")
        self.assertEqual(jar.extract([f"a=; Expires={PAST}"], "testserver", "/"), {"a": ""})
        self.assertNotIn("a", jar)
        self.assertEqual(jar.header_for("testserver", "/", "http"), "")

    def test_expires_in_future_kept(self) -> None:
        jar = jar_with(f"a=1; Expires={FUTURE}")
        self.assertEqual(jar["a"], "1")
        self.assertEqual(jar.header_for("testserver", "/", "http"), "a=1")

    def test_max_age_zero_deletes(self) -> None:
        jar = jar_with("a=1", "b=2")
        jar.extract(["a=gone; Max-Age=0"], "testserver", "/")
        self.assertEqual(list(jar), ["b"])

    def test_max_age_beats_future_expires_when_deleting(self) -> None:
        jar = jar_with("a=1")
        jar.extract([f"a=1; Expires={FUTURE}; Max-Age=0"], "testserver", "/")
        self.assertNotIn("a", jar)

    def test_max_age_beats_past_expires_when_keeping(self) -> None:
        jar = jar_with(f"a=1; Expires={PAST}; Max-Age=3600")
        self.assertEqual(jar["a"], "1")

    def test_deletion_only_hits_same_domain_and_path(self) -> None:
        jar = jar_with("a=1; Path=/x", "a=2")
        jar.extract(["a=; Max-Age=0; Path=/x"], "testserver", "/")
        self.assertEqual(jar.header_for("testserver", "/x", "http"), "a=2")

    def test_expired_cookie_in_jar_not_sent_or_listed(self) -> None:
        jar = CookieJar()
        jar.set("a", "1")
        jar._cookies[("testserver", "/", "a")].expires = time.time() - 1
        self.assertEqual(jar.header_for("testserver", "/", "http"), "")
        self.assertEqual(jar.cookies(), [])

    def test_quoted_value_sent_back_quoted(self) -> None:
        jar = jar_with('q="a b"', "p=1")
        self.assertEqual(jar["q"], "a b")
        self.assertEqual(jar.header_for("testserver", "/", "http"), 'q="a b"; p=1')

    def test_empty_jar_header_is_empty(self) -> None:
        self.assertEqual(CookieJar().header_for("testserver", "/", "http"), "")


class JarDictAPITests(unittest.TestCase):
    def test_set_without_domain_goes_to_the_default_domain(self) -> None:
        jar = CookieJar(default_domain="API.Example.org")
        jar.set("a", "1")
        self.assertEqual(jar.default_domain, "api.example.org")
        self.assertEqual(jar.header_for("api.example.org", "/", "http"), "a=1")
        self.assertEqual(jar.header_for("testserver", "/", "http"), "")
        self.assertEqual(jar.header_for("www.api.example.org", "/", "http"), "")  # host-only, as a cookie set without Domain

    def test_set_with_a_domain_is_a_domain_cookie_as_httpx_and_browsers_keep_it(self) -> None:
        jar = CookieJar()
        jar.set("a", "1", domain=".Shop.example")
        self.assertEqual(jar.header_for("shop.example", "/", "http"), "a=1")
        self.assertEqual(jar.header_for("www.shop.example", "/", "http"), "a=1")
        self.assertEqual(jar.header_for("notshop.example", "/", "http"), "")
        self.assertEqual(jar.header_for("testserver", "/", "http"), "")

    def test_default_domain_is_testserver(self) -> None:
        jar = CookieJar()
        jar.set("a", "1")
        self.assertEqual(jar.header_for("testserver", "/", "http"), "a=1")

    def test_set_get_contains_iter_len(self) -> None:
        jar = CookieJar()
        jar.set("a", "1")
        jar.set("b", "2", domain="Example.ORG", path="/p")
        self.assertEqual(jar["a"], "1")
        self.assertEqual(jar.get("b"), "2")
        self.assertIn("a", jar)
        self.assertNotIn("c", jar)
        self.assertEqual(list(jar), ["a", "b"])
        self.assertEqual(len(jar), 2)
        self.assertEqual(jar.header_for("example.org", "/p", "http"), "b=2")

    def test_same_name_on_two_paths_counted_once(self) -> None:
        jar = CookieJar()
        jar.set("a", "1", path="/")
        jar.set("a", "2", path="/x")
        self.assertEqual(list(jar), ["a"])
        self.assertEqual(len(jar), 1)
        self.assertEqual(len(jar.cookies()), 2)
        self.assertEqual(jar["a"], "1")

    def test_missing_cookie_keyerror_names_it_and_lists_jar(self) -> None:
        jar = jar_with("a=1", "b=2")
        with self.assertRaisesRegex(KeyError, r"no cookie 'zz' in the jar \(it holds: a, b\)"):
            jar["zz"]

    def test_missing_cookie_in_empty_jar_says_none(self) -> None:
        with self.assertRaisesRegex(KeyError, r"\(it holds: none\)"):
            CookieJar()["a"]

    def test_get_default(self) -> None:
        self.assertIsNone(CookieJar().get("a"))
        self.assertEqual(CookieJar().get("a", "d"), "d")

    def test_delete_removes_every_cookie_of_that_name(self) -> None:
        jar = CookieJar()
        jar.set("a", "1", path="/")
        jar.set("a", "2", path="/x")
        jar.set("b", "3")
        jar.delete("a")
        jar.delete("missing")
        self.assertEqual(list(jar), ["b"])

    def test_clear(self) -> None:
        jar = jar_with("a=1")
        jar.clear()
        self.assertEqual(len(jar), 0)

    def test_repr_lists_cookies_with_domain_and_path(self) -> None:
        jar = jar_with("a=1; Path=/p")
        self.assertEqual(repr(jar), "<CookieJar a='1' (testserver/p)>")
        self.assertRegex(repr(CookieJar()), r"^<CookieJar\s*>$")


MALFORMED = [("Set-Cookie", "novalue"), ("Set-Cookie", "=nameless; Path=/"), ("Set-Cookie", "session=abc; Path=/")]


def malformed_wsgi_app(environ: dict, start_response: Any) -> list:
    if environ["PATH_INFO"] == "/read":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ.get("HTTP_COOKIE", "").encode("latin-1")]
    start_response("200 OK", [("Content-Type", "text/plain")] + MALFORMED)
    return [b"set"]


async def malformed_asgi_app(scope: dict, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        raise RuntimeError("http only")
    if scope["path"] == "/read":
        cookie = dict(scope["headers"]).get(b"cookie", b"")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": cookie})
        return
    headers = [(name.lower().encode(), value.encode()) for name, value in MALFORMED]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"set"})


class MalformedSetCookieThroughClientTests(unittest.IsolatedAsyncioTestCase):
    """RFC 6265 5.2: a Set-Cookie without name=value is ignored by the jar, never an error, also with validation on."""

    def test_wsgi_client_ignores_it_and_keeps_the_header(self) -> None:
        for validate in (True, False):
            with self.subTest(validate=validate):
                client = WSGITestClient(malformed_wsgi_app, validate=validate)
                response = client.get("/set")
                self.assertEqual(response.headers.get_all("set-cookie"), ["novalue", "=nameless; Path=/", "session=abc; Path=/"])
                self.assertEqual((response.cookies, list(client.cookies)), ({"session": "abc"}, ["session"]))
                self.assertEqual(client.get("/read").text, "session=abc")
                self.assertEqual(WSGITestClient(malformed_wsgi_app, cookies=False, validate=validate).get("/set").cookies, {"session": "abc"})

    async def test_asgi_client_ignores_it_and_keeps_the_header(self) -> None:
        for validate in (True, False):
            with self.subTest(validate=validate):
                async with ASGITestClient(malformed_asgi_app, validate=validate) as client:
                    response = await client.get("/set")
                    self.assertEqual(response.headers.get_all("set-cookie"), ["novalue", "=nameless; Path=/", "session=abc; Path=/"])
                    self.assertEqual((response.cookies, list(client.cookies)), ({"session": "abc"}, ["session"]))
                    self.assertEqual((await client.get("/read")).text, "session=abc")


if __name__ == "__main__":
    unittest.main()
