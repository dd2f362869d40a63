"""Flask through WSGITestClient with validation on: bodies, query, headers, session, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib

from asgiwsgi_testkit import WSGITestCase
from tests.compat._support import requires
from tests.compat._wsgi_scenario import STREAMED, WSGIScenario

try:
    import flask
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    flask = None


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
class FlaskTests(WSGIScenario, WSGITestCase):
    def get_app(self):
        return create_app()

    def test_base_url_path_becomes_script_name_for_url_for(self):
        body = self.whoami_under_prefix()
        self.assertEqual(
            body,
            {
                "script_name": "/prefix",
                "path_info": "/whoami",
                "url_for": "/prefix/whoami",
                "external": "http://testserver/prefix/whoami",
            },
        )
