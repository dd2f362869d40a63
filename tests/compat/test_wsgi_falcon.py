"""Falcon (falcon.App, WSGI) through WSGITestClient, validation on: bodies, query, headers, cookies, redirects, errors, prefix, streams."""

from __future__ import annotations

import hashlib
import traceback

from asgiwsgi_testkit import WSGITestCase, WSGITestClient
from tests.compat._support import requires

try:
    import falcon
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    falcon = None

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far


class Items:
    def on_get(self, req, resp):
        resp.media = {"items": ["a", "b"], "method": req.method}

    def on_post(self, req, resp):
        resp.status = 201
        resp.media = {"received": req.get_media()}


class Form:
    def on_post(self, req, resp):
        fields = req.get_media()  # Falcon parses application/x-www-form-urlencoded into a dict
        resp.media = {"name": fields["name"], "tags": fields["tag"]}


class Upload:
    def on_post(self, req, resp):
        result = {}
        for part in req.get_media():  # a multipart form: its parts, in order
            if part.name == "upload":
                data = part.stream.read()
                result.update(filename=part.filename, size=len(data), sha256=hashlib.sha256(data).hexdigest())
            elif part.name == "note":
                result["note"] = part.text
        resp.media = result


class Query:
    def on_get(self, req, resp):
        resp.media = {"tags": req.get_param_as_list("tag"), "name": req.get_param("name")}


class HeaderEcho:
    def on_get(self, req, resp):
        resp.media = {"tag": req.get_header("X-Tag")}


class Session:
    def on_post(self, req, resp):
        resp.set_cookie("user", req.get_media()["user"], secure=False, path="/")  # Falcon's default is Secure
        resp.media = {"stored": True}

    def on_get(self, req, resp):
        resp.media = {"user": req.cookies.get("user")}


class Cookie:
    def on_get(self, req, resp):
        resp.set_cookie("note", "a,b c;d", secure=False, path="/")  # needs quoting: SimpleCookie sends "a\054b c\073d"
        resp.set_cookie("token", "t0k3n", path="/")  # Secure by default in Falcon
        resp.media = {"set": True}


class CookieRead:
    def on_get(self, req, resp):
        resp.media = {"note": req.cookies.get("note"), "token": req.cookies.get("token")}


class Old:
    def on_get(self, req, resp):
        raise falcon.HTTPFound(req.prefix + "/target")


class Target:
    def on_get(self, req, resp):
        resp.media = {"arrived": True}


class Boom:
    def on_get(self, req, resp):
        raise RuntimeError("boom from the view")


class WhoAmI:
    def on_get(self, req, resp):
        resp.media = {
            "script_name": req.env["SCRIPT_NAME"],
            "path_info": req.path,
            "root_path": req.root_path,
            "prefix": req.prefix,
            "url": req.url,
        }


class Stream:
    def on_get(self, req, resp):
        def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n".encode()

        resp.content_type = falcon.MEDIA_TEXT
        resp.stream = generate()


def reraise(req, resp, ex, params):
    """Let an unexpected exception reach the server, as under a debugger (Falcon would answer 500)."""
    raise ex


def create_app():
    """A fresh Falcon WSGI app for each test."""
    app = falcon.App()
    app.add_error_handler(Exception, reraise)  # HTTPError (404, ...) keeps its own, more specific handler
    for path, resource in [
        ("/items", Items()),
        ("/form", Form()),
        ("/upload", Upload()),
        ("/query", Query()),
        ("/headers", HeaderEcho()),
        ("/session", Session()),
        ("/cookie", Cookie()),
        ("/cookie/read", CookieRead()),
        ("/old", Old()),
        ("/target", Target()),
        ("/boom", Boom()),
        ("/whoami", WhoAmI()),
        ("/stream", Stream()),
    ]:
        app.add_route(path, resource)
    return app


@requires("falcon")
class FalconTests(WSGITestCase):
    def get_app(self):
        return create_app()

    def test_json_get_returns_view_data(self):
        response = self.client.get("/items")
        self.assertStatus(response, 200)
        self.assertJSON(response, {"items": ["a", "b"], "method": "GET"})

    def test_json_post_reaches_view_parsed(self):
        response = self.client.post("/items", json={"title": "café", "done": False})
        self.assertStatus(response, 201)
        self.assertJSON(response, {"received": {"title": "café", "done": False}})

    def test_form_post_reads_fields_and_repeats(self):
        response = self.client.post("/form", form={"name": "Zoë", "tag": ["a", "b"]})
        self.assertJSON(response, {"name": "Zoë", "tags": ["a", "b"]})

    def test_multipart_upload_arrives_byte_exact(self):
        response = self.client.post(
            "/upload", form={"note": "binary"}, files={"upload": ("data.bin", UPLOAD, "application/octet-stream")}
        )
        self.assertJSON(
            response,
            {"filename": "data.bin", "size": len(UPLOAD), "sha256": hashlib.sha256(UPLOAD).hexdigest(), "note": "binary"},
        )

    def test_query_repeated_and_non_ascii_values_in_path(self):
        response = self.client.get("/query?tag=a&tag=b&name=café")
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    def test_query_repeated_and_non_ascii_values_as_mapping(self):
        response = self.client.get("/query", query={"tag": ["a", "b"], "name": "café"})
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    def test_repeated_request_headers_reach_view_joined(self):
        response = self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tag": "a, b"})

    def test_cookie_round_trip_across_requests(self):
        first = self.client.post("/session", json={"user": "ann"})
        self.assertCookie(first, "user", "ann")
        self.assertJSON(self.client.get("/session"), {"user": "ann"})

    def test_quoted_cookie_value_round_trips_unchanged(self):
        first = self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertEqual(self.client.get("/cookie/read").json()["note"], "a,b c;d")

    def test_secure_cookie_sent_back_only_over_https(self):
        client = WSGITestClient(self.get_app(), base_url="https://testserver")
        client.get("/cookie")
        self.assertEqual(client.get("/cookie/read").json()["token"], "t0k3n")
        self.assertIsNone(client.get("http://testserver/cookie/read").json()["token"])

    def test_redirect_not_followed_by_default(self):
        response = self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=302)
        self.assertEqual(response.headers["location"], "http://testserver/target")
        self.assertEqual(response.history, [])

    def test_redirect_followed_keeps_history(self):
        response = self.client.get("/old", follow_redirects=True)
        self.assertJSON(response, {"arrived": True})
        self.assertEqual([r.status_code for r in response.history], [302])
        self.assertEqual(response.request.url, "http://testserver/target")

    def test_unknown_path_gives_404(self):
        self.assertStatus(self.client.get("/missing"), 404)

    def test_view_exception_propagates_with_view_frame(self):
        try:
            self.client.get("/boom")
        except RuntimeError as exc:  # not assertRaises: it drops the traceback
            caught = exc
        else:
            self.fail("the view's RuntimeError did not propagate")
        self.assertEqual(str(caught), "boom from the view")
        frames = traceback.extract_tb(caught.__traceback__)
        self.assertIn(("on_get", 'raise RuntimeError("boom from the view")'), [(f.name, f.line) for f in frames])

    def test_view_exception_kept_on_500_when_not_raised(self):
        client = WSGITestClient(self.get_app(), raise_server_exceptions=False)
        response = client.get("/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assertIn('raise RuntimeError("boom from the view")', response.traceback)

    def test_base_url_path_becomes_script_name_for_prefix(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        body = self.assertJSON(client.get("/whoami"))
        self.assertEqual(
            body,
            {
                "script_name": "/prefix",
                "path_info": "/whoami",
                "root_path": "/prefix",
                "prefix": "http://testserver/prefix",
                "url": "http://testserver/prefix/whoami",
            },
        )

    def test_redirect_under_prefix_followed_inside_prefix(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        response = client.get("/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/target", status_code=302)
        self.assertJSON(response, {"arrived": True})

    def test_stream_yields_generator_lines_on_demand(self):
        STREAMED.clear()
        with self.client.stream("GET", "/stream") as response:
            self.assertStatus(response, 200)
            lines = response.iter_lines()
            self.assertEqual(next(lines), "line 1")
            self.assertLess(len(STREAMED), 3)
            self.assertEqual(list(lines), ["line 2", "line 3"])

    def test_stream_iter_bytes_gives_whole_body(self):
        with self.client.stream("GET", "/stream") as response:
            body = b"".join(response.iter_bytes())
        self.assertEqual(body, b"line 1\nline 2\nline 3\n")
