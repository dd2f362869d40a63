"""Flask through WSGITestClient with validation on: bodies, query, headers, session, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib
import traceback

from asgiwsgi_testkit import WSGITestCase, WSGITestClient
from tests.compat._support import requires

try:
    import flask
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    flask = None

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far


def create_app():
    """A fresh Flask app for each test (its session lives in a signed cookie)."""
    app = flask.Flask(__name__)
    app.secret_key = "compat-tests"
    app.config["PROPAGATE_EXCEPTIONS"] = True  # as under a debugger: the view's exception reaches the server
    request = flask.request

    @app.get("/items")
    def list_items():
        return flask.jsonify(items=["a", "b"], method=request.method)

    @app.post("/items")
    def create_item():
        return flask.jsonify(received=request.get_json()), 201

    @app.post("/form")
    def form():
        return flask.jsonify(name=request.form["name"], tags=request.form.getlist("tag"))

    @app.post("/upload")
    def upload():
        stored = request.files["upload"]
        data = stored.read()
        return flask.jsonify(
            filename=stored.filename,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            note=request.form["note"],
        )

    @app.get("/query")
    def query():
        return flask.jsonify(tags=request.args.getlist("tag"), name=request.args.get("name"))

    @app.get("/headers")
    def headers():
        return flask.jsonify(tag=request.headers.get("X-Tag"))

    @app.post("/session")
    def set_session():
        flask.session["user"] = request.form["user"]
        return flask.jsonify(stored=True)

    @app.get("/session")
    def read_session():
        return flask.jsonify(user=flask.session.get("user"))

    @app.get("/cookie")
    def set_cookie():
        response = flask.jsonify(set=True)
        response.set_cookie("note", "a,b c;d")  # needs quoting: Werkzeug sends "a\054b c\073d"
        return response

    @app.get("/cookie/read")
    def read_cookie():
        return flask.jsonify(note=request.cookies.get("note"))

    @app.get("/old")
    def old():
        return flask.redirect(flask.url_for("target"))

    @app.get("/target")
    def target():
        return flask.jsonify(arrived=True)

    @app.get("/boom")
    def boom_view():
        raise RuntimeError("boom from the view")

    @app.get("/whoami")
    def whoami():
        return flask.jsonify(
            script_name=request.environ["SCRIPT_NAME"],
            path_info=request.environ["PATH_INFO"],
            url_for=flask.url_for("whoami"),
            external=flask.url_for("whoami", _external=True),
        )

    @app.get("/stream")
    def stream():
        def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n"

        return flask.Response(generate(), mimetype="text/plain")

    return app


@requires("flask")
class FlaskTests(WSGITestCase):
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

    def test_session_cookie_round_trip_across_requests(self):
        first = self.client.post("/session", form={"user": "ann"})
        self.assertCookie(first, "session")
        self.assertJSON(self.client.get("/session"), {"user": "ann"})

    def test_quoted_cookie_value_round_trips_unchanged(self):
        first = self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertJSON(self.client.get("/cookie/read"), {"note": "a,b c;d"})

    def test_redirect_not_followed_by_default(self):
        response = self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=302)
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
        self.assertIn("boom_view", [frame.name for frame in frames])

    def test_view_exception_kept_on_500_when_not_raised(self):
        client = WSGITestClient(self.get_app(), raise_server_exceptions=False)
        response = client.get("/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assertIn("boom_view", response.traceback)

    def test_base_url_path_becomes_script_name_for_url_for(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        body = self.assertJSON(client.get("/whoami"))
        self.assertEqual(
            body,
            {
                "script_name": "/prefix",
                "path_info": "/whoami",
                "url_for": "/prefix/whoami",
                "external": "http://testserver/prefix/whoami",
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
