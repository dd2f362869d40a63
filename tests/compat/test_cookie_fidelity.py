"""Cookies as browsers keep them, with Flask (WSGI) and Starlette (ASGI) setting them (issue 10, item 8).

A malformed Set-Cookie is ignored by the jar (RFC 6265 5.2) and stays on the
response; assertCookie's failure lists the raw headers; a Secure cookie set
over http:// is not stored; a cookie the test puts in the jar goes to the
base_url host.

ClientCore hands the jar the request's scheme (`CookieJar.extract(...,
scheme=)`) and the base_url host (`CookieJar(default_domain=)`).
"""

from __future__ import annotations

import unittest
from urllib.parse import urlsplit

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, ResponseAssertions, WSGITestClient
from asgiwsgi_testkit._cookies import CookieJar
from tests.compat._support import NoPendingTasks, requires

try:
    import flask
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    flask = None

try:
    import starlette
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    starlette = None
else:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

MALFORMED = ["novalue", "=nameless; Path=/"]  # RFC 6265 5.2: no "=", an empty name


def create_flask_app():
    app = flask.Flask(__name__)

    @app.get("/set")
    def set_cookies():
        response = flask.make_response("set")
        response.set_cookie("session", "abc")
        response.set_cookie("token", "t0k", secure=True, samesite="Lax")
        for value in MALFORMED:
            response.headers.add("Set-Cookie", value)
        return response

    @app.get("/read")
    def read():
        return dict(flask.request.cookies)

    return app


def create_starlette_app():
    async def set_cookies(request):
        response = PlainTextResponse("set")
        response.set_cookie("session", "abc")
        response.set_cookie("token", "t0k", secure=True)
        response.raw_headers.extend((b"set-cookie", value.encode()) for value in MALFORMED)
        return response

    async def read(request):
        return JSONResponse(dict(request.cookies))

    return Starlette(routes=[Route("/set", set_cookies), Route("/read", read)])


def jar_of(response) -> CookieJar:
    """What the jar keeps of `response` when it is told the request's scheme (as ClientCore does)."""
    jar = CookieJar()
    url = urlsplit(response.request.url)
    jar.extract(response.headers.get_all("set-cookie"), url.hostname, url.path, scheme=url.scheme)
    return jar


@requires("flask")
class FlaskCookieTests(ResponseAssertions, unittest.TestCase):
    def test_malformed_set_cookie_ignored_by_the_jar_and_kept_on_the_response(self):
        client = WSGITestClient(create_flask_app())  # validation on
        response = client.get("/set")
        self.assertEqual(response.headers.get_all("set-cookie")[-2:], MALFORMED)
        self.assertEqual(response.cookies, {"session": "abc", "token": "t0k"})
        self.assertEqual(client.get("/read").json(), {"session": "abc"})  # token is Secure: not sent over http

    def test_assert_cookie_failure_lists_the_raw_set_cookie_headers(self):
        response = WSGITestClient(create_flask_app()).get("/set")
        with self.assertRaises(AssertionError) as caught:
            self.assertCookie(response, "novalue")
        lines = str(caught.exception).splitlines()
        self.assertEqual(lines[0], "GET /set -> 200 OK set no cookie 'novalue' (it set: 'session', 'token')")
        self.assertEqual(lines[1:5], [f"  set-cookie: {value}" for value in response.headers.get_all("set-cookie")])
        self.assertIn("  set-cookie: token=t0k; Secure; Path=/; SameSite=Lax", lines)

    def test_secure_cookie_kept_and_sent_over_https_only(self):
        https = WSGITestClient(create_flask_app(), base_url="https://testserver")
        https.get("/set")
        self.assertEqual(https.get("/read").json(), {"session": "abc", "token": "t0k"})
        self.assertEqual(list(jar_of(WSGITestClient(create_flask_app()).get("/set"))), ["session"])

    def test_secure_cookie_set_over_http_not_stored_by_the_client(self):
        client = WSGITestClient(create_flask_app())
        client.get("/set")
        self.assertEqual(list(client.cookies), ["session"])

    def test_cookie_set_by_the_test_sent_to_testserver(self):
        client = WSGITestClient(create_flask_app())
        client.cookies.set("theme", "dark")
        self.assertEqual(client.get("/read").json(), {"theme": "dark"})

    def test_cookie_set_by_the_test_sent_to_the_base_url_host(self):
        client = WSGITestClient(create_flask_app(), base_url="http://api.example.org")
        client.cookies.set("theme", "dark")
        self.assertEqual(client.get("/read").json(), {"theme": "dark"})


@requires("starlette")
class StarletteCookieTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        return create_starlette_app()

    async def test_malformed_set_cookie_ignored_by_the_jar_and_kept_on_the_response(self):
        response = await self.client.get("/set")  # validation on
        self.assertEqual(response.headers.get_all("set-cookie")[-2:], MALFORMED)
        self.assertEqual(response.cookies, {"session": "abc", "token": "t0k"})
        self.assertCookie(response, "token", "t0k")  # what the app set, even though the jar keeps it out over http
        self.assertEqual((await self.client.get("/read")).json(), {"session": "abc"})

    async def test_assert_cookie_failure_lists_the_raw_set_cookie_headers(self):
        response = await self.client.get("/set")
        with self.assertRaises(AssertionError) as caught:
            self.assertCookie(response, "session", "other")
        lines = str(caught.exception).splitlines()
        self.assertEqual(lines[0], "GET /set -> 200 OK set cookie 'session' to 'abc', expected 'other'")
        self.assertEqual(lines[1:5], [f"  set-cookie: {value}" for value in response.headers.get_all("set-cookie")])

    async def test_secure_cookie_kept_and_sent_over_https_only(self):
        async with ASGITestClient(create_starlette_app(), base_url="https://testserver") as https:
            await https.get("/set")
            self.assertEqual((await https.get("/read")).json(), {"session": "abc", "token": "t0k"})
        self.assertEqual(list(jar_of(await self.client.get("/set"))), ["session"])

    async def test_secure_cookie_set_over_http_not_stored_by_the_client(self):
        await self.client.get("/set")
        self.assertEqual(list(self.client.cookies), ["session"])

    async def test_cookie_set_by_the_test_sent_to_the_base_url_host(self):
        async with ASGITestClient(create_starlette_app(), base_url="http://api.example.org") as client:
            client.cookies.set("theme", "dark")
            self.assertEqual((await client.get("/read")).json(), {"theme": "dark"})


if __name__ == "__main__":
    unittest.main()
