"""Quart through ASGITestCase, validation on: bodies, query, session, redirects, errors, prefix, serving hooks, streams."""

from __future__ import annotations

import hashlib

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests.compat._support import NoPendingTasks, requires
from tests.compat._asgi_scenario import ENDLESS, STREAMED, ASGIScenario

try:
    import quart
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    quart = None


def create_app(events: list[str]):
    """A fresh Quart app; `events` records before_serving / after_serving."""
    app = quart.Quart(__name__)
    app.secret_key = "compat-tests"
    app.config["PROPAGATE_EXCEPTIONS"] = True  # as under a debugger: the view's exception reaches the server
    request = quart.request

    @app.before_serving
    async def open_resources():
        events.append("startup")
        app.config["GREETING"] = "hello from before_serving"

    @app.after_serving
    async def close_resources():
        events.append("shutdown")

    @app.get("/items")
    async def list_items():
        return {"items": ["a", "b"], "method": request.method}

    @app.post("/items")
    async def create_item():
        return {"received": await request.get_json()}, 201

    @app.post("/form")
    async def form():
        data = await request.form
        return {"name": data["name"], "tags": data.getlist("tag")}

    @app.post("/upload")
    async def upload():
        files = await request.files
        data = files["upload"].read()
        return {
            "filename": files["upload"].filename,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "note": (await request.form)["note"],
        }

    @app.get("/query")
    async def query():
        return {"tags": request.args.getlist("tag"), "name": request.args.get("name")}

    @app.get("/headers")
    async def headers():
        return {"tags": request.headers.getlist("X-Tag")}

    @app.post("/session")
    async def set_session():
        quart.session["user"] = (await request.form)["user"]
        return {"stored": True}

    @app.get("/session")
    async def read_session():
        return {"user": quart.session.get("user")}

    @app.get("/cookie")
    async def set_cookie():
        response = quart.jsonify(set=True)
        response.set_cookie("note", "a,b c;d")  # needs quoting: Werkzeug sends "a\054b c\073d"
        return response

    @app.get("/cookie/read")
    async def read_cookie():
        return {"note": request.cookies.get("note")}

    @app.get("/old")
    async def old():
        return quart.redirect(quart.url_for("target"))

    @app.get("/target")
    async def target():
        return {"arrived": True}

    @app.get("/boom")
    async def boom_view():
        raise RuntimeError("boom from the view")

    @app.get("/whoami")
    async def whoami():
        return {
            "root_path": request.root_path,
            "path": request.path,
            "url_for": quart.url_for("whoami"),
            "external": quart.url_for("whoami", _external=True),
        }

    @app.get("/state")
    async def state():
        return {"greeting": app.config["GREETING"]}

    @app.get("/stream")
    async def stream():
        async def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n".encode()

        return generate(), 200, {"Content-Type": "text/plain"}

    @app.get("/endless")
    async def endless():
        async def generate():
            while True:
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                yield f"{len(ENDLESS)}\n".encode()

        return generate(), 200, {"Content-Type": "text/plain"}

    return app


@requires("quart")
class QuartTests(ASGIScenario, NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.events: list[str] = []
        return create_app(self.events)

    async def test_repeated_request_headers_reach_view_separately(self):
        response = await self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tags": ["a", "b"]})

    async def test_base_url_path_becomes_root_path_for_url_for(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            body = self.assertJSON(await client.get("/whoami"))
        self.assertEqual(
            body,
            {
                "root_path": "/prefix",
                "path": "/whoami",
                "url_for": "/prefix/whoami",
                "external": "http://testserver/prefix/whoami",
            },
        )

    async def test_before_serving_state_visible_in_view(self):
        self.assertEqual(self.events, ["startup"])  # ASGITestCase ran startup in asyncSetUp
        self.assertJSON(await self.client.get("/state"), {"greeting": "hello from before_serving"})

    async def test_after_serving_runs_on_leaving_async_with(self):
        events: list[str] = []
        async with ASGITestClient(create_app(events)) as client:
            self.assertJSON(await client.get("/state"), {"greeting": "hello from before_serving"})
            self.assertEqual(events, ["startup"])
        self.assertEqual(events, ["startup", "shutdown"])
