"""Quart through ASGITestCase, validation on: bodies, query, session, redirects, errors, prefix, serving hooks, streams."""

from __future__ import annotations

import asyncio
import hashlib
import traceback

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests.compat._support import NoPendingTasks, requires

try:
    import quart
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    quart = None

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far
ENDLESS: list[str] = []  # what the endless stream has produced so far


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
class QuartTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.events: list[str] = []
        return create_app(self.events)

    async def test_json_get_returns_view_data(self):
        response = await self.client.get("/items")
        self.assertStatus(response, 200)
        self.assertJSON(response, {"items": ["a", "b"], "method": "GET"})

    async def test_json_post_reaches_view_parsed(self):
        response = await self.client.post("/items", json={"title": "café", "done": False})
        self.assertStatus(response, 201)
        self.assertJSON(response, {"received": {"title": "café", "done": False}})

    async def test_form_post_reads_fields_and_repeats(self):
        response = await self.client.post("/form", form={"name": "Zoë", "tag": ["a", "b"]})
        self.assertJSON(response, {"name": "Zoë", "tags": ["a", "b"]})

    async def test_multipart_upload_arrives_byte_exact(self):
        response = await self.client.post(
            "/upload", form={"note": "binary"}, files={"upload": ("data.bin", UPLOAD, "application/octet-stream")}
        )
        self.assertJSON(
            response,
            {"filename": "data.bin", "size": len(UPLOAD), "sha256": hashlib.sha256(UPLOAD).hexdigest(), "note": "binary"},
        )

    async def test_query_repeated_and_non_ascii_values_in_path(self):
        response = await self.client.get("/query?tag=a&tag=b&name=café")
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    async def test_query_repeated_and_non_ascii_values_as_mapping(self):
        response = await self.client.get("/query", query={"tag": ["a", "b"], "name": "café"})
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    async def test_repeated_request_headers_reach_view_separately(self):
        response = await self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tags": ["a", "b"]})

    async def test_session_cookie_round_trip_across_requests(self):
        first = await self.client.post("/session", form={"user": "ann"})
        self.assertCookie(first, "session")
        self.assertJSON(await self.client.get("/session"), {"user": "ann"})

    async def test_quoted_cookie_value_round_trips_unchanged(self):
        first = await self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertJSON(await self.client.get("/cookie/read"), {"note": "a,b c;d"})

    async def test_redirect_not_followed_by_default(self):
        response = await self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=302)
        self.assertEqual(response.history, [])

    async def test_redirect_followed_keeps_history(self):
        response = await self.client.get("/old", follow_redirects=True)
        self.assertJSON(response, {"arrived": True})
        self.assertEqual([r.status_code for r in response.history], [302])
        self.assertEqual(response.request.url, "http://testserver/target")

    async def test_unknown_path_gives_404(self):
        self.assertStatus(await self.client.get("/missing"), 404)

    async def test_view_exception_propagates_with_view_frame(self):
        try:
            await self.client.get("/boom")
        except RuntimeError as exc:  # not assertRaises: it drops the traceback
            caught = exc
        else:
            self.fail("the view's RuntimeError did not propagate")
        self.assertEqual(str(caught), "boom from the view")
        frames = traceback.extract_tb(caught.__traceback__)
        self.assertIn("boom_view", [frame.name for frame in frames])

    async def test_view_exception_kept_on_500_when_not_raised(self):
        async with ASGITestClient(self.get_app(), raise_server_exceptions=False) as client:
            response = await client.get("/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assertIn("boom_view", response.traceback)

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

    async def test_redirect_under_prefix_followed_inside_prefix(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            response = await client.get("/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/target", status_code=302)
        self.assertJSON(response, {"arrived": True})

    async def test_before_serving_state_visible_in_view(self):
        self.assertEqual(self.events, ["startup"])  # ASGITestCase ran startup in asyncSetUp
        self.assertJSON(await self.client.get("/state"), {"greeting": "hello from before_serving"})

    async def test_after_serving_runs_on_leaving_async_with(self):
        events: list[str] = []
        async with ASGITestClient(create_app(events)) as client:
            self.assertJSON(await client.get("/state"), {"greeting": "hello from before_serving"})
            self.assertEqual(events, ["startup"])
        self.assertEqual(events, ["startup", "shutdown"])

    async def test_stream_yields_generator_lines_on_demand(self):
        STREAMED.clear()
        async with self.client.stream("GET", "/stream") as response:
            self.assertStatus(response, 200)
            lines = response.aiter_lines()
            self.assertEqual(await lines.__anext__(), "line 1")
            self.assertLess(len(STREAMED), 3)
            self.assertEqual([line async for line in lines], ["line 2", "line 3"])

    async def test_stream_aiter_bytes_gives_whole_body(self):
        async with self.client.stream("GET", "/stream") as response:
            body = b"".join([chunk async for chunk in response.aiter_bytes()])
        self.assertEqual(body, b"line 1\nline 2\nline 3\n")

    async def test_endless_stream_left_early_leaves_nothing_pending(self):
        ENDLESS.clear()
        before = asyncio.all_tasks() - {asyncio.current_task()}
        self.assertLessEqual(len(before), 1)  # at most the lifespan task
        async with self.client.stream("GET", "/endless") as response:
            numbers = []
            async for line in response.aiter_lines():
                numbers.append(line)
                if len(numbers) == 3:
                    break
            self.assertLessEqual(len(ENDLESS), 5)  # back-pressure: the app runs at most about two chunks ahead
        self.assertEqual(numbers, ["1", "2", "3"])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, before)
        await self.client.shutdown()
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())
        self.assertEqual(self.events, ["startup", "shutdown"])
