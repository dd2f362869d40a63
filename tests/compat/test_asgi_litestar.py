"""Litestar through ASGITestCase, validation on: bodies, query, session, redirects, errors, prefix, lifespan hooks, streams."""

from __future__ import annotations

import asyncio
import hashlib
import traceback
from typing import Any

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests.compat._support import NoPendingTasks, requires

try:
    import litestar
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    litestar = None
else:
    from litestar import Litestar, Request, Response, get, post
    from litestar.datastructures import Cookie, State
    from litestar.middleware.session.server_side import ServerSideSessionConfig
    from litestar.params import JSONBody
    from litestar.response import Redirect, Stream

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far
ENDLESS: list[str] = []  # what the endless stream has produced so far


def reraise(request: Any, exc: Exception) -> Any:
    """Let an unexpected exception reach the server, as under a debugger (Litestar would answer 500)."""
    raise exc


def create_app(events: list[str], propagate: bool = True):
    """A fresh Litestar app; `events` records on_startup / on_shutdown."""

    def open_resources(app: Litestar) -> None:
        events.append("startup")
        app.state.greeting = "hello from on_startup"

    async def close_resources(app: Litestar) -> None:
        events.append("shutdown")

    @get("/items")
    async def list_items(request: Request) -> dict:
        return {"items": ["a", "b"], "method": request.method}

    @post("/items")
    async def create_item(data: JSONBody[dict]) -> dict:  # 201 is Litestar's default for POST
        return {"received": data}

    @post("/form", status_code=200)
    async def form(request: Request) -> dict:
        data = await request.form()
        return {"name": data["name"], "tags": data.getall("tag")}

    @post("/upload", status_code=200)
    async def upload(request: Request) -> dict:
        data = await request.form()
        content = await data["upload"].read()
        return {
            "filename": data["upload"].filename,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "note": data["note"],
        }

    @get("/query")
    async def query(request: Request) -> dict:
        return {"tags": request.query_params.getall("tag"), "name": request.query_params.get("name")}

    @get("/headers")
    async def headers(request: Request) -> dict:
        return {"tags": request.headers.getall("x-tag")}

    @post("/session", status_code=200)
    async def set_session(request: Request) -> dict:
        request.set_session({"user": (await request.form())["user"]})
        return {"stored": True}

    @get("/session")
    async def read_session(request: Request) -> dict:
        return {"user": request.session.get("user")}

    @get("/cookie")
    async def set_cookie() -> Response:
        return Response({"set": True}, cookies=[Cookie(key="note", value="a,b c;d")])  # needs quoting

    @get("/cookie/read")
    async def read_cookie(request: Request) -> dict:
        return {"note": request.cookies.get("note")}

    @get("/old")
    async def old(request: Request) -> Redirect:
        return Redirect(path=request.url_for("target"))

    @get("/target", name="target")
    async def target() -> dict:
        return {"arrived": True}

    @get("/boom")
    async def boom_view() -> dict:
        raise RuntimeError("boom from the view")

    @get("/whoami", name="whoami")
    async def whoami(request: Request) -> dict:
        return {
            "root_path": request.scope["root_path"],
            "path": request.scope["path"],
            "base_url": str(request.base_url),
            "url_for": request.url_for("whoami"),
        }

    @get("/state")
    async def state(state: State) -> dict:
        return {"greeting": state.greeting}

    @get("/stream")
    async def stream() -> Stream:
        async def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n"

        return Stream(generate(), media_type="text/plain")

    @get("/endless")
    async def endless() -> Stream:
        async def generate():
            while True:
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                yield f"{len(ENDLESS)}\n"

        return Stream(generate(), media_type="text/plain")

    handlers = [
        list_items, create_item, form, upload, query, headers, set_session, read_session, set_cookie, read_cookie,
        old, target, boom_view, whoami, state, stream, endless,
    ]  # fmt: skip
    return Litestar(
        route_handlers=handlers,
        on_startup=[open_resources],
        on_shutdown=[close_resources],
        middleware=[ServerSideSessionConfig().middleware],
        exception_handlers={RuntimeError: reraise} if propagate else {},
        logging_config=None,
    )


@requires("litestar")
class LitestarTests(NoPendingTasks, ASGITestCase):
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
        response = await self.client.get("/missing")
        self.assertStatus(response, 404)
        self.assertEqual(response.json()["status_code"], 404)

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

    async def test_unhandled_exception_answered_500_by_litestar_itself(self):
        async with ASGITestClient(create_app([], propagate=False)) as client:
            response = await client.get("/boom")
        self.assertStatus(response, 500)
        self.assertJSON(response, {"status_code": 500, "detail": "Internal Server Error"})
        self.assertIsNone(response.exception)  # the app answered; nothing reached the server

    async def test_base_url_path_becomes_root_path_for_url_for(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            body = self.assertJSON(await client.get("/whoami"))
        self.assertEqual(
            body,
            {
                "root_path": "/prefix",
                "path": "/whoami",  # Litestar's router strips root_path from scope["path"] (it arrived as /prefix/whoami)
                "base_url": "http://testserver/prefix/",
                "url_for": "http://testserver/prefix/whoami",
            },
        )

    async def test_redirect_under_prefix_followed_inside_prefix(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            response = await client.get("/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/target", status_code=302)
        self.assertJSON(response, {"arrived": True})

    async def test_on_startup_state_visible_in_handler(self):
        self.assertEqual(self.events, ["startup"])  # ASGITestCase ran startup in asyncSetUp
        self.assertJSON(await self.client.get("/state"), {"greeting": "hello from on_startup"})

    async def test_on_shutdown_runs_on_leaving_async_with(self):
        events: list[str] = []
        async with ASGITestClient(create_app(events)) as client:
            self.assertJSON(await client.get("/state"), {"greeting": "hello from on_startup"})
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
        own = {task for task in before if task.get_name().startswith("litestar.")}  # its event emitter, run by its lifespan
        self.assertLessEqual(len(before - own), 1)  # and at most the lifespan task
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
