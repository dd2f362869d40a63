"""Real middleware through compose() and the recorders: Starlette's GZip and CORS (ASGI), werkzeug's ProxyFix and Dispatcher (WSGI)."""

from __future__ import annotations

import gzip
import json

from asgiwsgi_testkit import ASGITestCase, WSGITestCase
from asgiwsgi_testkit import ASGIRecorder, WSGIRecorder, compose, fixed_response_app
from tests.compat._support import NoPendingTasks, requires

try:
    import starlette
except ImportError:  # the test classes are skipped (or fail under TESTKIT_REQUIRE_FRAMEWORKS=1)
    starlette = None
else:
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware

try:
    import werkzeug
except ImportError:
    werkzeug = None
else:
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.middleware.proxy_fix import ProxyFix

BIG_TEXT = "all work and no play makes a dull test\n" * 100  # ~3.9 KB: over GZip's minimum, under its thread threshold
ORIGIN = "https://app.example"


# -- ASGI: Starlette -------------------------------------------------------------------------------


# NoPendingTasks: every test fails if a task is still pending once it and the lifespan shutdown are over.


@requires("starlette")
class StarletteGZipTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.recorder = ASGIRecorder(fixed_response_app(200, BIG_TEXT))
        return compose(self.recorder, (GZipMiddleware, {"minimum_size": 500}))

    async def test_large_body_compressed_for_accept_encoding_gzip(self):
        response = await self.client.get("/report", headers={"Accept-Encoding": "gzip"})
        self.assertStatus(response, 200)
        self.assertHeader(response, "content-encoding", "gzip")
        self.assertEqual(response.headers["content-length"], str(len(response.body)))
        self.assertLess(len(response.body), len(BIG_TEXT) // 10)
        self.assertEqual(gzip.decompress(response.body).decode(), BIG_TEXT)
        call = self.recorder.last
        self.assertEqual(call.body.decode(), BIG_TEXT)  # what the inner app sent: uncompressed
        self.assertNotIn("content-encoding", call.headers)  # GZip edited the start message in place; the record kept a copy
        self.assertEqual(call.headers["content-length"], str(len(BIG_TEXT)))
        self.assertIn((b"accept-encoding", b"gzip"), call.scope["headers"])

    async def test_body_untouched_without_accept_encoding(self):
        response = await self.client.get("/report", headers={"Accept-Encoding": "identity"})
        self.assertNoHeader(response, "content-encoding")
        self.assertEqual(response.text, BIG_TEXT)
        self.assertEqual(response.body, self.recorder.last.body)

    async def test_lifespan_passes_through_unrecorded(self):
        await self.client.get("/")
        self.assertEqual([call.scope["type"] for call in self.recorder.calls], ["http"])


@requires("starlette")
class StarletteGZipSmallBodyTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.recorder = ASGIRecorder()  # the echo app: a short JSON body
        return compose(self.recorder, (GZipMiddleware, {"minimum_size": 500}))

    async def test_small_body_not_compressed(self):
        response = await self.client.post("/small", body=b"tiny", headers={"Accept-Encoding": "gzip"})
        self.assertNoHeader(response, "content-encoding")
        self.assertEqual(self.assertJSON(response)["body"], "tiny")
        self.assertEqual(response.body, self.recorder.last.body)
        self.assertEqual(self.recorder.last.request_body, b"tiny")


@requires("starlette")
class StarletteCORSTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.recorder = ASGIRecorder()
        return compose(self.recorder, (CORSMiddleware, {"allow_origins": [ORIGIN], "allow_methods": ["GET", "POST"], "allow_headers": ["x-token"]}))

    async def test_preflight_answered_without_calling_inner_app(self):
        response = await self.client.options("/items", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-token"})
        self.assertStatus(response, 200)
        self.assertHeader(response, "access-control-allow-origin", ORIGIN)
        self.assertIn("POST", response.headers["access-control-allow-methods"])
        self.assertEqual(self.recorder.calls, [])

    async def test_simple_request_gets_allow_origin(self):
        response = await self.client.get("/items", headers={"Origin": ORIGIN})
        self.assertHeader(response, "access-control-allow-origin", ORIGIN)
        call = self.recorder.last
        self.assertIn((b"origin", ORIGIN.encode()), call.scope["headers"])  # passed through to the app
        self.assertNotIn("access-control-allow-origin", call.headers)  # added by CORS, not by the app
        self.assertEqual(response.body, call.body)

    async def test_disallowed_preflight_is_refused_without_calling_inner_app(self):
        response = await self.client.options("/items", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        self.assertStatus(response, 400)
        self.assertNoHeader(response, "access-control-allow-origin")
        self.assertEqual(self.recorder.calls, [])


# -- WSGI: werkzeug -----------------------------------------------------------------------------------


@requires("werkzeug")
class ProxyFixTests(WSGITestCase):
    def get_app(self):
        self.recorder = WSGIRecorder()
        return compose(self.recorder, (ProxyFix, {"x_for": 1, "x_proto": 1, "x_host": 1}))

    def test_forwarded_headers_become_remote_addr_scheme_and_host(self):
        headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example"}
        response = self.client.get("/checkout", headers=headers)
        environ = self.recorder.last.environ
        self.assertEqual((environ["REMOTE_ADDR"], environ["wsgi.url_scheme"], environ["HTTP_HOST"]), ("203.0.113.7", "https", "shop.example"))
        original = environ["werkzeug.proxy_fix.orig"]
        self.assertEqual((original["REMOTE_ADDR"], original["wsgi.url_scheme"], original["HTTP_HOST"]), ("127.0.0.1", "http", "testserver"))
        data = self.assertJSON(response)
        self.assertEqual((data["remote_addr"], data["url_scheme"]), ("203.0.113.7", "https"))
        self.assertIn(["host", "shop.example"], data["headers"])

    def test_environ_unchanged_without_forwarded_headers(self):
        self.client.get("/")
        environ = self.recorder.last.environ
        self.assertEqual((environ["REMOTE_ADDR"], environ["wsgi.url_scheme"], environ["HTTP_HOST"]), ("127.0.0.1", "http", "testserver"))


@requires("werkzeug")
class DispatcherTests(WSGITestCase):
    def get_app(self):
        self.front = WSGIRecorder()
        self.api = WSGIRecorder(fixed_response_app(200, b'{"api": true}', {"Content-Type": "application/json"}, interface="wsgi"))
        return compose(self.front, (DispatcherMiddleware, {"mounts": {"/api": self.api}}))

    def test_mount_moves_prefix_into_script_name(self):
        response = self.client.post("/api/items?page=2", json={"n": 1})
        self.assertEqual(self.assertJSON(response), {"api": True})
        environ = self.api.last.environ
        self.assertEqual((environ["SCRIPT_NAME"], environ["PATH_INFO"], environ["QUERY_STRING"]), ("/api", "/items", "page=2"))
        self.assertEqual(self.front.calls, [])
        self.assertTrue(self.api.last.closed)

    def test_other_paths_reach_the_front_app(self):
        data = self.client.get("/about").json()
        self.assertEqual((data["script_name"], data["path_info"]), ("", "/about"))
        self.assertEqual(self.api.calls, [])
        self.assertEqual(json.loads(self.front.last.response_body), data)
