"""Falcon (falcon.asgi.App) through ASGITestCase, validation on: bodies, cookies, redirects, errors, prefix, lifespan, SSE."""

from __future__ import annotations

import asyncio
import hashlib

from asgiwsgi_testkit import ASGITestCase, ASGITestClient
from tests.compat._support import NoPendingTasks, requires
from tests.compat._asgi_scenario import ENDLESS, STREAMED, ASGIScenario

try:
    import falcon
    import falcon.asgi
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    falcon = None


class Lifespan:
    """Middleware: process_startup fills the ASGI lifespan state; process_shutdown records that it ran."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    async def process_startup(self, scope, event):
        self.events.append("startup")
        scope["state"]["greeting"] = "hello from process_startup"

    async def process_shutdown(self, scope, event):
        self.events.append("shutdown")


class Items:
    async def on_get(self, req, resp):
        resp.media = {"items": ["a", "b"], "method": req.method}

    async def on_post(self, req, resp):
        resp.status = 201
        resp.media = {"received": await req.get_media()}


class Form:
    async def on_post(self, req, resp):
        fields = await req.get_media()  # Falcon parses application/x-www-form-urlencoded into a dict
        resp.media = {"name": fields["name"], "tags": fields["tag"]}


class Upload:
    async def on_post(self, req, resp):
        result = {}
        async for part in await req.get_media():  # a multipart form: its parts, in order
            if part.name == "upload":
                data = await part.stream.read()
                result.update(filename=part.filename, size=len(data), sha256=hashlib.sha256(data).hexdigest())
            elif part.name == "note":
                result["note"] = await part.get_text()
        resp.media = result


class Query:
    async def on_get(self, req, resp):
        resp.media = {"tags": req.get_param_as_list("tag"), "name": req.get_param("name")}


class HeaderEcho:
    async def on_get(self, req, resp):
        resp.media = {"tag": req.get_header("X-Tag")}


class Session:
    async def on_post(self, req, resp):
        resp.set_cookie("user", (await req.get_media())["user"], secure=False, path="/")  # Falcon's default is Secure
        resp.media = {"stored": True}

    async def on_get(self, req, resp):
        resp.media = {"user": req.cookies.get("user")}


class Cookie:
    async def on_get(self, req, resp):
        resp.set_cookie("note", "a,b c;d", secure=False, path="/")  # needs quoting: SimpleCookie sends "a\054b c\073d"
        resp.set_cookie("token", "t0k3n", path="/")  # Secure by default in Falcon
        resp.media = {"set": True}


class CookieRead:
    async def on_get(self, req, resp):
        resp.media = {"note": req.cookies.get("note"), "token": req.cookies.get("token")}


class Old:
    async def on_get(self, req, resp):
        raise falcon.HTTPFound(req.prefix + "/target")


class Target:
    async def on_get(self, req, resp):
        resp.media = {"arrived": True}


class Boom:
    async def on_get(self, req, resp):
        raise RuntimeError("boom from the view")


class WhoAmI:
    async def on_get(self, req, resp):
        resp.media = {
            "root_path": req.root_path,
            "path": req.path,
            "prefix": req.prefix,
            "url": req.url,
        }


class State:
    async def on_get(self, req, resp):
        resp.media = {"greeting": req.scope["state"]["greeting"]}


class Stream:
    async def on_get(self, req, resp):
        async def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n".encode()

        resp.content_type = falcon.MEDIA_TEXT
        resp.stream = generate()


class Endless:
    async def on_get(self, req, resp):
        async def generate():
            while True:
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                yield falcon.asgi.SSEvent(data=f"{len(ENDLESS)}".encode())

        resp.sse = generate()  # Falcon watches for http.disconnect while it sends resp.sse


class EndlessBytes:
    async def on_get(self, req, resp):
        async def generate():
            while True:
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                yield f"{len(ENDLESS)}\n".encode()

        resp.content_type = falcon.MEDIA_TEXT
        resp.stream = generate()  # Falcon does not watch for http.disconnect here: send() is a no-op after it


class Events:
    async def on_get(self, req, resp):
        async def generate():
            yield falcon.asgi.SSEvent(data=b"first", event="tick", event_id="1", retry=1500)
            yield falcon.asgi.SSEvent(text="second", event_id="2", comment="skipped by the parser")
            yield falcon.asgi.SSEvent(json={"n": 3}, event="done")

        resp.sse = generate()


async def reraise(req, resp, ex, params):
    """Let an unexpected exception reach the server, as under a debugger (Falcon would answer 500)."""
    raise ex


def create_app(events: list[str]):
    """A fresh Falcon ASGI app; `events` records process_startup / process_shutdown."""
    app = falcon.asgi.App(middleware=[Lifespan(events)])
    app.add_error_handler(Exception, reraise)  # HTTPError (404, ...) keeps its own, more specific handler
    for path, resource in [
        ("/items", Items()),
        ("/form", Form()),
        ("/upload", Upload()),
        ("/query", Query()),
        ("/headers", HeaderEcho()),
        ("/session", Session()),
        ("/cookie", Cookie()),
        ("/cookie/read", CookieRead()),
        ("/old", Old()),
        ("/target", Target()),
        ("/boom", Boom()),
        ("/whoami", WhoAmI()),
        ("/state", State()),
        ("/stream", Stream()),
        ("/endless", Endless()),
        ("/endless-bytes", EndlessBytes()),
        ("/events", Events()),
        # Falcon routes on the whole ASGI `path`, which includes `root_path` (ASGI 2.x, uvicorn >= 0.26),
        # so an app served under a prefix registers its routes with it.
        ("/prefix/whoami", WhoAmI()),
        ("/prefix/target", Target()),
        ("/prefix/old", Old()),
    ]:
        app.add_route(path, resource)
    return app


@requires("falcon")
class FalconASGITests(ASGIScenario, NoPendingTasks, ASGITestCase):
    SESSION_POST = {"json": {"user": "ann"}}  # a plain cookie: Falcon has no sessions
    SESSION_COOKIE = ("user", "ann")
    COOKIE_READ_EXTRA = {"token": None}  # the secure cookie is not sent back over http
    REDIRECT_LOCATION = "http://testserver/target"

    def assert_view_frame(self, frames):
        self.assertIn(("on_get", 'raise RuntimeError("boom from the view")'), [(f.name, f.line) for f in frames])

    def assert_view_traceback(self, text):
        self.assertIn('raise RuntimeError("boom from the view")', text)

    def endless_values(self, response):
        return (event.data async for event in response.aiter_events())

    def get_app(self):
        self.events: list[str] = []
        return create_app(self.events)

    async def test_repeated_request_headers_reach_view_joined(self):
        response = await self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tag": "a,b"})  # Falcon's ASGI Request joins repeats with ","

    async def test_secure_cookie_sent_back_only_over_https(self):
        async with ASGITestClient(self.get_app(), base_url="https://testserver") as client:
            await client.get("/cookie")
            self.assertEqual((await client.get("/cookie/read")).json()["token"], "t0k3n")
            self.assertIsNone((await client.get("http://testserver/cookie/read")).json()["token"])

    async def test_base_url_path_becomes_root_path_for_prefix(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            body = self.assertJSON(await client.get("/whoami"))
        self.assertEqual(body["root_path"], "/prefix")
        self.assertEqual(body["prefix"], "http://testserver/prefix")
        self.assertEqual(body["path"], "/prefix/whoami")  # the ASGI path, root_path included: Falcon keeps it whole

    async def test_process_startup_state_visible_in_responder(self):
        self.assertEqual(self.events, ["startup"])  # ASGITestCase ran startup in asyncSetUp
        self.assertJSON(await self.client.get("/state"), {"greeting": "hello from process_startup"})

    async def test_process_shutdown_runs_on_leaving_async_with(self):
        events: list[str] = []
        async with ASGITestClient(create_app(events)) as client:
            self.assertJSON(await client.get("/state"), {"greeting": "hello from process_startup"})
            self.assertEqual(events, ["startup"])
        self.assertEqual(events, ["startup", "shutdown"])

    async def test_endless_stream_ignoring_disconnect_cancelled_after_timeout(self):
        ENDLESS.clear()
        outside = asyncio.all_tasks() - {asyncio.current_task()}  # self.client's lifespan task
        async with ASGITestClient(self.get_app(), timeout=0.2) as client:
            before = asyncio.all_tasks() - {asyncio.current_task()}
            async with client.stream("GET", "/endless-bytes") as response:
                self.assertEqual(await response.aiter_lines().__anext__(), "1")
            # the app never looks at receive(): the kit cancelled it once the timeout had passed
            self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, before)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, outside)

    async def test_sse_events_parsed_with_their_fields(self):
        async with self.client.stream("GET", "/events") as response:
            self.assertContentType(response, "text/event-stream")
            events = [(e.event, e.data, e.id, e.retry) async for e in response.aiter_events()]
        self.assertEqual(
            events,
            [("tick", "first", "1", 1500), ("message", "second", "2", None), ("done", '{"n": 3}', "2", None)],
        )
