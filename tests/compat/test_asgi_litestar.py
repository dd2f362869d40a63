"""Litestar through ASGITestCase, validation on: bodies, query, session, redirects, errors, prefix, lifespan hooks, streams."""

from __future__ import annotations

import hashlib
from typing import Any

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests.compat._support import NoPendingTasks, requires
from tests.compat._asgi_scenario import ENDLESS, STREAMED, ASGIScenario

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
class LitestarTests(ASGIScenario, NoPendingTasks, ASGITestCase):
    def assert_not_found_body(self, response):
        self.assertEqual(response.json()["status_code"], 404)

    def own_tasks(self, tasks):
        return {task for task in tasks if task.get_name().startswith("litestar.")}  # its event emitter, run by its lifespan

    def get_app(self):
        self.events: list[str] = []
        return create_app(self.events)

    async def test_repeated_request_headers_reach_view_separately(self):
        response = await self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tags": ["a", "b"]})

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

    async def test_on_startup_state_visible_in_handler(self):
        self.assertEqual(self.events, ["startup"])  # ASGITestCase ran startup in asyncSetUp
        self.assertJSON(await self.client.get("/state"), {"greeting": "hello from on_startup"})

    async def test_on_shutdown_runs_on_leaving_async_with(self):
        events: list[str] = []
        async with ASGITestClient(create_app(events)) as client:
            self.assertJSON(await client.get("/state"), {"greeting": "hello from on_startup"})
            self.assertEqual(events, ["startup"])
        self.assertEqual(events, ["startup", "shutdown"])
