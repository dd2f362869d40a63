"""Falcon (falcon.App, WSGI) through WSGITestClient, validation on: bodies, query, headers, cookies, redirects, errors, prefix, streams."""

from __future__ import annotations

import hashlib

from asgiwsgi_testkit import WSGITestCase, WSGITestClient
from tests.compat._support import requires
from tests.compat._wsgi_scenario import STREAMED, WSGIScenario

try:
    import falcon
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    falcon = None


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
class FalconTests(WSGIScenario, WSGITestCase):
    SESSION_POST = {"json": {"user": "ann"}}  # a plain cookie: Falcon has no sessions
    SESSION_COOKIE = ("user", "ann")
    COOKIE_READ_EXTRA = {"token": None}  # the secure cookie is not sent back over http
    REDIRECT_LOCATION = "http://testserver/target"

    def assert_view_frame(self, frames):
        self.assertIn(("on_get", 'raise RuntimeError("boom from the view")'), [(f.name, f.line) for f in frames])

    def assert_view_traceback(self, text):
        self.assertIn('raise RuntimeError("boom from the view")', text)

    def get_app(self):
        return create_app()

    def test_secure_cookie_sent_back_only_over_https(self):
        client = WSGITestClient(self.get_app(), base_url="https://testserver")
        client.get("/cookie")
        self.assertEqual(client.get("/cookie/read").json()["token"], "t0k3n")
        self.assertIsNone(client.get("http://testserver/cookie/read").json()["token"])

    def test_base_url_path_becomes_script_name_for_prefix(self):
        body = self.whoami_under_prefix()
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
