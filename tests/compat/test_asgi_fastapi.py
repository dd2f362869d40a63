"""FastAPI through ASGITestCase, validation on: bodies, query, headers, session, redirects, errors, prefix, lifespan, streams."""

from __future__ import annotations

import contextlib
import hashlib
from typing import List, Optional

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests.compat._support import NoPendingTasks, requires
from tests.compat._asgi_scenario import ENDLESS, STREAMED, ASGIScenario

try:
    import fastapi
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    fastapi = None
else:
    from fastapi import FastAPI, File, Form, Header, Query, Request, UploadFile
    from fastapi.responses import RedirectResponse, StreamingResponse
    from starlette.middleware.sessions import SessionMiddleware


def create_app(events: list[str]):
    """A fresh FastAPI app; `events` records the lifespan steps."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield {"greeting": "hello from lifespan"}
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(SessionMiddleware, secret_key="compat-tests")

    @app.get("/items")
    async def list_items(request: Request):
        return {"items": ["a", "b"], "method": request.method}

    @app.post("/items", status_code=201)
    async def create_item(item: dict):
        return {"received": item}

    @app.post("/form")
    async def form(name: str = Form(), tag: List[str] = Form()):
        return {"name": name, "tags": tag}

    @app.post("/upload")
    async def upload(upload: UploadFile = File(), note: str = Form()):
        data = await upload.read()
        return {"filename": upload.filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "note": note}

    @app.get("/query")
    async def query(tag: List[str] = Query(default=[]), name: Optional[str] = None):
        return {"tags": tag, "name": name}

    @app.get("/headers")
    async def headers(x_tag: List[str] = Header(default=[])):
        return {"tags": x_tag}

    @app.post("/session")
    async def set_session(request: Request, user: str = Form()):
        request.session["user"] = user
        return {"stored": True}

    @app.get("/session")
    async def read_session(request: Request):
        return {"user": request.session.get("user")}

    @app.get("/cookie")
    async def set_cookie(response: fastapi.Response):
        response.set_cookie("note", "a,b c;d")  # needs quoting: Starlette sends "a\054b c\073d"
        return {"set": True}

    @app.get("/cookie/read")
    async def read_cookie(request: Request):
        return {"note": request.cookies.get("note")}

    @app.get("/old")
    async def old(request: Request):
        return RedirectResponse(request.url_for("target"), status_code=302)

    @app.get("/target", name="target")
    async def target():
        return {"arrived": True}

    @app.get("/boom")
    async def boom_view():
        raise RuntimeError("boom from the view")

    @app.get("/whoami", name="whoami")
    async def whoami(request: Request):
        return {
            "root_path": request.scope["root_path"],
            "path": request.url.path,
            "url_for": str(request.url_for("whoami")),
        }

    @app.get("/state")
    async def state(request: Request):
        return {"greeting": request.state.greeting}

    @app.get("/stream")
    async def stream():
        async def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n"

        return StreamingResponse(generate(), media_type="text/plain")

    @app.get("/endless")
    async def endless():
        async def generate():
            while True:
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                yield f"{len(ENDLESS)}\n"

        return StreamingResponse(generate(), media_type="text/plain")

    return app


@requires("fastapi")
class FastAPITests(ASGIScenario, NoPendingTasks, ASGITestCase):
    def assert_not_found_body(self, response):
        self.assertJSON(response, {"detail": "Not Found"})

    def get_app(self):
        self.events: list[str] = []
        return create_app(self.events)

    async def test_json_post_invalid_body_gives_422(self):
        response = await self.client.post("/items", body=b"{not json", headers={"content-type": "application/json"})
        self.assertStatus(response, 422)
        self.assertEqual(response.json()["detail"][0]["type"], "json_invalid")

    async def test_repeated_request_headers_reach_view_separately(self):
        response = await self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tags": ["a", "b"]})

    async def test_base_url_path_becomes_root_path_for_url_for(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            body = self.assertJSON(await client.get("/whoami"))
        self.assertEqual(
            body, {"root_path": "/prefix", "path": "/prefix/whoami", "url_for": "http://testserver/prefix/whoami"}
        )

    async def test_openapi_schema_served_under_prefix(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            docs = await client.get("/docs")
            schema = await client.get("/openapi.json")
        self.assertBodyContains(docs, "/prefix/openapi.json")  # the docs page points inside the prefix
        self.assertIn("/whoami", self.assertJSON(schema)["paths"])

    async def test_lifespan_state_reaches_request_state(self):
        self.assertEqual(self.events, ["startup"])  # ASGITestCase ran startup in asyncSetUp
        self.assertJSON(await self.client.get("/state"), {"greeting": "hello from lifespan"})

    async def test_lifespan_shutdown_runs_on_leaving_async_with(self):
        events: list[str] = []
        async with ASGITestClient(create_app(events)) as client:
            self.assertJSON(await client.get("/state"), {"greeting": "hello from lifespan"})
            self.assertEqual(events, ["startup"])
        self.assertEqual(events, ["startup", "shutdown"])

    async def test_stream_aread_gives_whole_body(self):
        async with self.client.stream("GET", "/stream") as response:
            body = await response.aread()
        self.assertEqual(body, b"line 1\nline 2\nline 3\n")
        self.assertEqual(response.text, "line 1\nline 2\nline 3\n")
