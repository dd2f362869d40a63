"""Starlette through ASGITestCase, validation on: bodies, session, redirects, errors, prefix, lifespan, streams, SSE, files."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests.compat._support import NoPendingTasks, requires
from tests.compat._asgi_scenario import ENDLESS, STREAMED, UPLOAD, ASGIScenario

try:
    import starlette
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    starlette = None
else:
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.responses import FileResponse, JSONResponse, RedirectResponse, StreamingResponse
    from starlette.routing import Route

SSE_CHUNKS = [  # one event split across chunks, then LF, CRLF and CR line ends
    ": a comment the parser skips\nevent: tick\nda",
    "ta: first\nid: 1\nretry: 1500\n\n",
    "data: two\r\ndata: lines\r\nid: 2\r\n\r\n",
    'event: done\rdata: {"n": 3}\r\r',
]


def create_app(events: list[str], flags: dict[str, bool], file_path: str = ""):
    """A fresh Starlette app; `events` records lifespan steps, `flags` what background tasks did."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield {"greeting": "hello from lifespan"}
        events.append("shutdown")

    async def items(request):
        if request.method == "POST":
            return JSONResponse({"received": await request.json()}, status_code=201)
        return JSONResponse({"items": ["a", "b"], "method": request.method})

    async def form(request):
        async with request.form() as data:
            return JSONResponse({"name": data["name"], "tags": data.getlist("tag")})

    async def upload(request):
        async with request.form() as data:
            stored = data["upload"]
            content = await stored.read()
            return JSONResponse(
                {
                    "filename": stored.filename,
                    "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "note": data["note"],
                }
            )

    async def query(request):
        return JSONResponse({"tags": request.query_params.getlist("tag"), "name": request.query_params.get("name")})

    async def headers(request):
        return JSONResponse({"tags": request.headers.getlist("x-tag")})

    async def session(request):
        if request.method == "POST":
            request.session["user"] = (await request.form())["user"]
            return JSONResponse({"stored": True})
        return JSONResponse({"user": request.session.get("user")})

    async def set_cookie(request):
        response = JSONResponse({"set": True})
        response.set_cookie("note", "a,b c;d")  # needs quoting: SimpleCookie sends "a\054b c\073d"
        return response

    async def read_cookie(request):
        return JSONResponse({"note": request.cookies.get("note")})

    async def old(request):
        return RedirectResponse(request.url_for("target"), status_code=302)

    async def target(request):
        return JSONResponse({"arrived": True})

    async def boom_view(request):
        raise RuntimeError("boom from the view")

    async def whoami(request):
        return JSONResponse(
            {
                "root_path": request.scope["root_path"],
                "path": request.url.path,
                "url_for": str(request.url_for("whoami")),
                "url_for_path": request.url_for("whoami").path,
            }
        )

    async def state(request):
        return JSONResponse({"greeting": request.state.greeting})

    async def stream(request):
        async def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n"

        return StreamingResponse(generate(), media_type="text/plain")

    async def endless(request):
        async def generate():
            while True:
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                yield f"{len(ENDLESS)}\n"

        return StreamingResponse(generate(), media_type="text/plain")

    async def events_view(request):
        async def generate():
            for chunk in SSE_CHUNKS:
                yield chunk

        return StreamingResponse(generate(), media_type="text/event-stream")

    async def background(request):
        async def remember():
            await asyncio.sleep(0)  # a real await: the task is finished only when the app returns
            flags["background"] = True

        return JSONResponse({"queued": True}, background=BackgroundTask(remember))

    async def download(request):
        return FileResponse(file_path, media_type="application/octet-stream", filename="data.bin")

    async def disconnected(request):
        if request.method == "POST":
            await request.body()  # the body is read: receive() now waits for http.disconnect
        return JSONResponse({"disconnected": await request.is_disconnected()})

    routes = [
        Route("/items", items, methods=["GET", "POST"]),
        Route("/form", form, methods=["POST"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/query", query),
        Route("/headers", headers),
        Route("/session", session, methods=["GET", "POST"]),
        Route("/cookie", set_cookie),
        Route("/cookie/read", read_cookie),
        Route("/old", old),
        Route("/target", target, name="target"),
        Route("/boom", boom_view),
        Route("/whoami", whoami, name="whoami"),
        Route("/state", state),
        Route("/stream", stream),
        Route("/endless", endless),
        Route("/events", events_view),
        Route("/background", background),
        Route("/download", download),
        Route("/disconnected", disconnected, methods=["GET", "POST"]),
    ]
    middleware = [Middleware(SessionMiddleware, secret_key="compat-tests")]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def recording(app, sent: list[str]):
    """Wrap `app` so the type of every message it sends is appended to `sent`."""

    async def recorder(scope, receive, send):
        async def record(message):
            sent.append(message["type"])
            await send(message)

        await app(scope, receive, record)

    return recorder


@requires("starlette")
class StarletteTests(ASGIScenario, NoPendingTasks, ASGITestCase):
    REDIRECT_LOCATION = "http://testserver/target"  # url_for is absolute

    def setUp(self):
        super().setUp()
        self.events: list[str] = []
        self.flags: dict[str, bool] = {}
        handle, self.file_path = tempfile.mkstemp(suffix=".bin")
        with os.fdopen(handle, "wb") as file:
            file.write(UPLOAD)
        self.addCleanup(os.remove, self.file_path)

    def get_app(self):
        return create_app(self.events, self.flags, self.file_path)

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
                "path": "/prefix/whoami",
                "url_for": "http://testserver/prefix/whoami",
                "url_for_path": "/prefix/whoami",
            },
        )

    async def test_lifespan_state_reaches_request_state(self):
        self.assertEqual(self.events, ["startup"])  # ASGITestCase ran startup in asyncSetUp
        self.assertJSON(await self.client.get("/state"), {"greeting": "hello from lifespan"})

    async def test_lifespan_shutdown_runs_on_leaving_async_with(self):
        events: list[str] = []
        async with ASGITestClient(create_app(events, {})) as client:
            self.assertJSON(await client.get("/state"), {"greeting": "hello from lifespan"})
            self.assertEqual(events, ["startup"])
        self.assertEqual(events, ["startup", "shutdown"])

    async def test_sse_stream_parsed_into_events(self):
        async with self.client.stream("GET", "/events") as response:
            self.assertContentType(response, "text/event-stream")
            events = [(e.event, e.data, e.id, e.retry) async for e in response.aiter_events()]
        self.assertEqual(
            events,
            [("tick", "first", "1", 1500), ("message", "two\nlines", "2", None), ("done", '{"n": 3}', "2", None)],
        )

    async def test_background_task_finished_when_request_returns(self):
        response = await self.client.get("/background")
        self.assertEqual(self.flags, {"background": True})
        self.assertJSON(response, {"queued": True})

    async def test_file_response_sent_with_pathsend(self):
        sent: list[str] = []
        async with ASGITestClient(recording(self.get_app(), sent)) as client:
            response = await client.get("/download")
        self.assertStatus(response, 200)
        self.assertEqual(hashlib.sha256(response.body).hexdigest(), hashlib.sha256(UPLOAD).hexdigest())
        self.assertEqual(response.body, UPLOAD)
        self.assertHeader(response, "content-length", str(len(UPLOAD)))
        self.assertIn("http.response.pathsend", sent)  # Starlette saw the advertised extension
        self.assertNotIn("http.response.body", sent)

    async def test_is_disconnected_false_while_request_in_flight(self):
        self.assertJSON(await self.client.get("/disconnected"), {"disconnected": False})

    async def test_is_disconnected_false_after_body_read(self):
        response = await self.client.post("/disconnected", body=b"payload")
        self.assertJSON(response, {"disconnected": False})
