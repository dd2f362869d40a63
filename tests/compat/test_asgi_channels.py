"""Channels (ProtocolTypeRouter, URLRouter, AsyncHttpConsumer, sessions) through ASGITestCase, validation on."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import traceback

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, LifespanError
from tests.compat._support import NoPendingTasks, configure_django, requires, uses_django_urlconf

try:
    import channels
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    channels = None

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming consumer has produced so far
ENDLESS: list[str] = []  # what the endless consumer has produced so far

if channels is not None:
    configure_django()  # shared with the Django modules; the Django fallback's URLconf is set on the class below

    from channels.generic.http import AsyncHttpConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.sessions import CookieMiddleware, SessionMiddlewareStack
    from django.core.asgi import get_asgi_application
    from django.http import JsonResponse, QueryDict
    from django.http.multipartparser import MultiPartParser
    from django.core.files.uploadhandler import MemoryFileUploadHandler
    from django.urls import path, re_path, reverse

    class JSONConsumer(AsyncHttpConsumer):
        """An HTTP consumer with a JSON helper."""

        async def send_json(self, data, status=200, headers=()):
            body = json.dumps(data).encode()
            await self.send_response(status, body, headers=[(b"content-type", b"application/json"), *headers])

        def header_values(self, name: bytes) -> list[str]:
            return [value.decode("latin-1") for key, value in self.scope["headers"] if key == name]

    class Items(JSONConsumer):
        async def handle(self, body):
            if self.scope["method"] == "POST":
                await self.send_json({"received": json.loads(body)}, status=201)
            else:
                await self.send_json({"items": ["a", "b"], "method": self.scope["method"]})

    class Form(JSONConsumer):
        async def handle(self, body):
            fields = QueryDict(body)
            await self.send_json({"name": fields["name"], "tags": fields.getlist("tag")})

    class Upload(JSONConsumer):
        async def handle(self, body):
            meta = {"CONTENT_TYPE": self.header_values(b"content-type")[0], "CONTENT_LENGTH": str(len(body))}
            fields, files = MultiPartParser(meta, io.BytesIO(body), [MemoryFileUploadHandler()]).parse()
            data = files["upload"].read()
            await self.send_json(
                {
                    "filename": files["upload"].name,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "note": fields["note"],
                }
            )

    class Query(JSONConsumer):
        async def handle(self, body):
            query = QueryDict(self.scope["query_string"])
            await self.send_json({"tags": query.getlist("tag"), "name": query.get("name")})

    class Headers(JSONConsumer):
        async def handle(self, body):
            await self.send_json({"tags": self.header_values(b"x-tag")})

    class Session(JSONConsumer):
        async def handle(self, body):
            session = self.scope["session"]
            if self.scope["method"] == "POST":
                session["user"] = QueryDict(body)["user"]  # saved by Channels' SessionMiddleware on the response start
                await self.send_json({"stored": True})
            else:
                await self.send_json({"user": session.get("user")})

    class Cookie(JSONConsumer):
        async def handle(self, body):
            start = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            CookieMiddleware.set_cookie(start, "note", "a,b c;d")  # sends the header name as b"Set-Cookie"
            await self.send(start)
            await self.send_body(b'{"set": true}')

    class CookieRead(JSONConsumer):
        async def handle(self, body):
            await self.send_json({"note": self.scope["cookies"].get("note")})

    class Old(JSONConsumer):
        async def handle(self, body):
            location = self.scope["root_path"] + "/api/target"
            await self.send_response(302, b"", headers=[(b"location", location.encode())])

    class Target(JSONConsumer):
        async def handle(self, body):
            await self.send_json({"arrived": True})

    class Boom(JSONConsumer):
        async def handle(self, body):
            raise RuntimeError("boom from the consumer")

    class WhoAmI(JSONConsumer):
        async def handle(self, body):
            await self.send_json(
                {
                    "root_path": self.scope["root_path"],
                    "path": self.scope["path"],
                    "name": self.scope["url_route"]["kwargs"]["name"],
                }
            )

    class Stream(AsyncHttpConsumer):
        async def handle(self, body):
            await self.send_headers(headers=[(b"content-type", b"text/plain")])
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                await self.send_body(f"line {number}\n".encode(), more_body=True)
            await self.send_body(b"")

    class Events(AsyncHttpConsumer):
        async def handle(self, body):
            # as the Channels documentation's SSE consumer: Transfer-Encoding is hop-by-hop, tolerated in ASGI
            await self.send_headers(
                headers=[
                    (b"Cache-Control", b"no-cache"),
                    (b"Content-Type", b"text/event-stream"),
                    (b"Transfer-Encoding", b"chunked"),
                ]
            )
            await self.send_body(b"event: tick\ndata: first\nid: 1\nretry: 1500\n\n", more_body=True)
            await self.send_body(b": keep-alive\n\ndata: two\ndata: lines\n\n", more_body=True)
            await self.send_body(b"")

    class Endless(AsyncHttpConsumer):
        async def handle(self, body):
            await self.send_headers(headers=[(b"content-type", b"text/event-stream")])
            while True:  # never looks at receive(): Channels dispatches http.disconnect only after handle() returns
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                await self.send_body(f"data: {len(ENDLESS)}\n\n".encode(), more_body=True)

    async def page(request):
        """A Django view behind the Channels router."""
        return JsonResponse({"reverse": reverse("page"), "path_info": request.path_info})

    urlpatterns = [path("page", page, name="page")]  # Django's URLconf (the router's fallback)

    api = [
        path("api/items", Items.as_asgi()),
        path("api/form", Form.as_asgi()),
        path("api/upload", Upload.as_asgi()),
        path("api/query", Query.as_asgi()),
        path("api/headers", Headers.as_asgi()),
        path("api/session", Session.as_asgi()),
        path("api/cookie", Cookie.as_asgi()),
        path("api/cookie/read", CookieRead.as_asgi()),
        path("api/old", Old.as_asgi()),
        path("api/target", Target.as_asgi()),
        path("api/boom", Boom.as_asgi()),
        path("api/whoami/<str:name>", WhoAmI.as_asgi()),
        path("api/stream", Stream.as_asgi()),
        path("api/events", Events.as_asgi()),
        path("api/endless", Endless.as_asgi()),
    ]
    application = ProtocolTypeRouter(
        {"http": SessionMiddlewareStack(URLRouter([*api, re_path(r"", get_asgi_application())]))}
    )
    consumers_only = ProtocolTypeRouter({"http": URLRouter(api)})
else:
    application = consumers_only = None


@requires("channels")
@uses_django_urlconf(__name__)
class ChannelsTests(NoPendingTasks, ASGITestCase):
    app = application

    async def test_lifespan_auto_treats_router_as_having_none(self):
        # ProtocolTypeRouter raises on the lifespan scope; in mode "auto" that means "no lifespan".
        self.assertEqual(self.client.state, {})
        self.assertStatus(await self.client.get("/api/items"), 200)

    async def test_lifespan_on_reports_the_error_router_raised(self):
        client = ASGITestClient(self.get_app(), lifespan="on")
        with self.assertRaisesRegex(LifespanError, r"it raised ValueError: No application configured for scope type 'lifespan'"):
            await client.startup()

    async def test_json_get_returns_consumer_data(self):
        response = await self.client.get("/api/items")
        self.assertStatus(response, 200)
        self.assertJSON(response, {"items": ["a", "b"], "method": "GET"})

    async def test_json_post_reaches_consumer_whole(self):
        response = await self.client.post("/api/items", json={"title": "café", "done": False})
        self.assertStatus(response, 201)
        self.assertJSON(response, {"received": {"title": "café", "done": False}})

    async def test_streamed_request_body_joined_by_consumer(self):
        response = await self.client.post("/api/items", body=[b'{"title": ', b'"caf\xc3\xa9"}'])
        self.assertJSON(response, {"received": {"title": "café"}})

    async def test_form_post_reads_fields_and_repeats(self):
        response = await self.client.post("/api/form", form={"name": "Zoë", "tag": ["a", "b"]})
        self.assertJSON(response, {"name": "Zoë", "tags": ["a", "b"]})

    async def test_multipart_upload_arrives_byte_exact(self):
        response = await self.client.post(
            "/api/upload", form={"note": "binary"}, files={"upload": ("data.bin", UPLOAD, "application/octet-stream")}
        )
        self.assertJSON(
            response,
            {"filename": "data.bin", "size": len(UPLOAD), "sha256": hashlib.sha256(UPLOAD).hexdigest(), "note": "binary"},
        )

    async def test_query_repeated_and_non_ascii_values_in_path(self):
        response = await self.client.get("/api/query?tag=a&tag=b&name=café")
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    async def test_query_repeated_and_non_ascii_values_as_mapping(self):
        response = await self.client.get("/api/query", query={"tag": ["a", "b"], "name": "café"})
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    async def test_repeated_request_headers_reach_consumer_separately(self):
        response = await self.client.get("/api/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tags": ["a", "b"]})

    async def test_session_cookie_round_trip_across_requests(self):
        first = await self.client.post("/api/session", form={"user": "ann"})
        self.assertCookie(first, "sessionid")
        self.assertJSON(await self.client.get("/api/session"), {"user": "ann"})

    async def test_quoted_cookie_value_round_trips_unchanged(self):
        first = await self.client.get("/api/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # SimpleCookie quoted it
        self.assertJSON(await self.client.get("/api/cookie/read"), {"note": "a,b c;d"})

    async def test_redirect_not_followed_by_default(self):
        response = await self.client.get("/api/old")
        self.assertRedirects(response, "/api/target", status_code=302)
        self.assertEqual(response.history, [])

    async def test_redirect_followed_keeps_history(self):
        response = await self.client.get("/api/old", follow_redirects=True)
        self.assertJSON(response, {"arrived": True})
        self.assertEqual([r.status_code for r in response.history], [302])
        self.assertEqual(response.request.url, "http://testserver/api/target")

    async def test_unknown_path_gives_django_404(self):
        self.assertStatus(await self.client.get("/missing"), 404)  # the router's Django fallback answered

    async def test_unknown_path_without_fallback_raises_router_error(self):
        client = ASGITestClient(consumers_only)
        with self.assertRaisesRegex(ValueError, r"No route found for path 'missing'"):
            await client.get("/missing")

    async def test_consumer_exception_propagates_with_consumer_frame(self):
        try:
            await self.client.get("/api/boom")
        except RuntimeError as exc:  # not assertRaises: it drops the traceback
            caught = exc
        else:
            self.fail("the consumer's RuntimeError did not propagate")
        self.assertEqual(str(caught), "boom from the consumer")
        frames = traceback.extract_tb(caught.__traceback__)
        self.assertIn(("handle", 'raise RuntimeError("boom from the consumer")'), [(f.name, f.line) for f in frames])

    async def test_consumer_exception_kept_on_500_when_not_raised(self):
        client = ASGITestClient(self.get_app(), raise_server_exceptions=False)
        response = await client.get("/api/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assertIn('raise RuntimeError("boom from the consumer")', response.traceback)

    async def test_base_url_path_becomes_root_path_for_router(self):
        client = ASGITestClient(self.get_app(), base_url="http://testserver/prefix")
        body = self.assertJSON(await client.get("/api/whoami/zoë"))
        # URLRouter strips root_path from the path before matching its routes
        self.assertEqual(body, {"root_path": "/prefix", "path": "/prefix/api/whoami/zoë", "name": "zoë"})

    async def test_base_url_path_reaches_django_fallback_reverse(self):
        client = ASGITestClient(self.get_app(), base_url="http://testserver/prefix")
        self.assertJSON(await client.get("/page"), {"reverse": "/prefix/page", "path_info": "/page"})

    async def test_redirect_under_prefix_followed_inside_prefix(self):
        client = ASGITestClient(self.get_app(), base_url="http://testserver/prefix")
        response = await client.get("/api/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/api/target", status_code=302)
        self.assertJSON(response, {"arrived": True})

    async def test_stream_yields_consumer_chunks_on_demand(self):
        STREAMED.clear()
        async with self.client.stream("GET", "/api/stream") as response:
            self.assertStatus(response, 200)
            lines = response.aiter_lines()
            self.assertEqual(await lines.__anext__(), "line 1")
            self.assertLess(len(STREAMED), 3)
            self.assertEqual([line async for line in lines], ["line 2", "line 3"])

    async def test_stream_aread_gives_whole_body(self):
        async with self.client.stream("GET", "/api/stream") as response:
            body = await response.aread()
        self.assertEqual(body, b"line 1\nline 2\nline 3\n")

    async def test_sse_consumer_parsed_into_events(self):
        async with self.client.stream("GET", "/api/events") as response:
            self.assertContentType(response, "text/event-stream")
            events = [(e.event, e.data, e.id, e.retry) async for e in response.aiter_events()]
        self.assertEqual(events, [("tick", "first", "1", 1500), ("message", "two\nlines", "1", None)])

    async def test_endless_consumer_left_early_cancelled_after_timeout(self):
        ENDLESS.clear()
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())  # no lifespan task: Channels has none
        client = ASGITestClient(self.get_app(), timeout=0.2)
        async with client.stream("GET", "/api/endless") as response:
            numbers = []
            async for event in response.aiter_events():
                numbers.append(event.data)
                if len(numbers) == 3:
                    break
            self.assertLessEqual(len(ENDLESS), 5)  # back-pressure: the consumer runs at most about two chunks ahead
        # the consumer never noticed the disconnect (its send() became a no-op): the kit cancelled it after the timeout
        self.assertEqual(numbers, ["1", "2", "3"])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())
