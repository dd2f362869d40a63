"""Bottle through WSGITestClient with validation on: bodies, query, headers, cookies, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib

from asgiwsgi_testkit import WSGITestCase
from tests.compat._support import requires
from tests.compat._wsgi_scenario import STREAMED, WSGIScenario

try:
    import bottle
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    bottle = None

SECRET = "compat-tests"


def create_app():
    """A fresh Bottle app for each test; its "session" is a signed cookie."""
    app = bottle.Bottle()
    app.catchall = False  # the view's exception reaches the server, as under a debugger
    request, response = bottle.request, bottle.response

    @app.get("/items")
    def list_items():
        return {"items": ["a", "b"], "method": request.method}

    @app.post("/items")
    def create_item():
        response.status = 201
        return {"received": request.json}

    @app.post("/form")
    def form():
        fields = request.forms.decode()  # Bottle keeps latin-1 "native strings" until asked
        return {"name": fields.get("name"), "tags": fields.getall("tag")}

    @app.post("/upload")
    def upload():
        stored = request.files.get("upload")
        data = stored.file.read()
        return {
            "filename": stored.raw_filename,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "note": request.forms.get("note"),
        }

    @app.get("/query")
    def query():
        values = request.query.decode()
        return {"tags": values.getall("tag"), "name": values.get("name")}

    @app.get("/headers")
    def headers():
        return {"tag": request.get_header("X-Tag")}

    @app.post("/session")
    def set_session():
        response.set_cookie("user", request.forms.get("user"), secret=SECRET, path="/")
        return {"stored": True}

    @app.get("/session")
    def read_session():
        return {"user": request.get_cookie("user", secret=SECRET)}

    @app.get("/cookie")
    def set_cookie():
        response.set_cookie("note", "a,b c;d", path="/")  # needs quoting: SimpleCookie sends "a\054b c\073d"
        return {"set": True}

    @app.get("/cookie/read")
    def read_cookie():
        return {"note": request.get_cookie("note")}

    @app.get("/old")
    def old():
        bottle.redirect(app.get_url("target"))

    @app.get("/target", name="target")
    def target():
        return {"arrived": True}

    @app.get("/boom")
    def boom_view():
        raise RuntimeError("boom from the view")

    @app.get("/whoami", name="whoami")
    def whoami():
        return {
            "script_name": request.script_name,
            "path_info": request.path,
            "get_url": app.get_url("whoami"),
            "url": request.url,
        }

    @app.get("/stream")
    def stream():
        response.content_type = "text/plain"

        def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n"

        return generate()

    return app


@requires("bottle")
class BottleTests(WSGIScenario, WSGITestCase):
    SESSION_COOKIE = ("user",)  # a signed cookie: Bottle has no sessions
    REDIRECT_STATUS = 303  # Bottle answers HTTP/1.1 with 303
    REDIRECT_LOCATION = "http://testserver/target"

    def get_app(self):
        return create_app()

    def test_base_url_path_becomes_script_name_for_get_url(self):
        body = self.whoami_under_prefix()
        self.assertEqual(
            body,
            {
                "script_name": "/prefix/",
                "path_info": "/whoami",
                "get_url": "/prefix/whoami",
                "url": "http://testserver/prefix/whoami",
            },
        )
