"""Bottle through WSGITestClient with validation on: bodies, query, headers, cookies, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib
import traceback

from asgiwsgi_testkit import WSGITestCase, WSGITestClient
from tests.compat._support import requires

try:
    import bottle
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    bottle = None

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far
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
class BottleTests(WSGITestCase):
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

    def test_signed_cookie_round_trip_across_requests(self):
        first = self.client.post("/session", form={"user": "ann"})
        self.assertCookie(first, "user")
        self.assertJSON(self.client.get("/session"), {"user": "ann"})

    def test_quoted_cookie_value_round_trips_unchanged(self):
        first = self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertJSON(self.client.get("/cookie/read"), {"note": "a,b c;d"})

    def test_redirect_not_followed_by_default(self):
        response = self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=303)  # Bottle answers HTTP/1.1 with 303
        self.assertEqual(response.headers["location"], "http://testserver/target")
        self.assertEqual(response.history, [])

    def test_redirect_followed_keeps_history(self):
        response = self.client.get("/old", follow_redirects=True)
        self.assertJSON(response, {"arrived": True})
        self.assertEqual([r.status_code for r in response.history], [303])
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
        self.assertIn("boom_view", [frame.name for frame in frames])

    def test_view_exception_kept_on_500_when_not_raised(self):
        client = WSGITestClient(self.get_app(), raise_server_exceptions=False)
        response = client.get("/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assertIn("boom_view", response.traceback)

    def test_base_url_path_becomes_script_name_for_get_url(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        body = self.assertJSON(client.get("/whoami"))
        self.assertEqual(
            body,
            {
                "script_name": "/prefix/",
                "path_info": "/whoami",
                "get_url": "/prefix/whoami",
                "url": "http://testserver/prefix/whoami",
            },
        )

    def test_redirect_under_prefix_followed_inside_prefix(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        response = client.get("/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/target", status_code=303)
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
