"""The scenario every ASGI framework module runs: bodies, query, cookies, redirects, errors, prefix, streaming."""

from __future__ import annotations

import asyncio
import hashlib
import traceback
from typing import Any, AsyncIterator, ClassVar, Optional

from asgiwsgi_testkit import ASGITestClient

__all__ = ["ENDLESS", "STREAMED", "UPLOAD", "ASGIScenario"]

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far (the app appends to it)
ENDLESS: list[str] = []  # what the endless stream has produced so far (the app appends to it)


class ASGIScenario:
    """Mixin for an ASGITestCase (not a TestCase itself, so it is never collected alone).

    The app serves /items, /form, /upload, /query, /session, /cookie, /cookie/read, /old (redirects to /target),
    /target, /boom (raises RuntimeError("boom from the view")), /stream (appends to STREAMED) and /endless (numbers
    "1", "2", ... without end, appending to ENDLESS); its lifespan appends "startup" and "shutdown" to `self.events`.
    Class constants and the hook methods hold what differs between frameworks.
    """

    SESSION_COOKIE: ClassVar[tuple] = ("session",)  # assertCookie's arguments after the response
    SESSION_POST: ClassVar[dict] = {"form": {"user": "ann"}}  # how /session is sent the user
    COOKIE_READ_EXTRA: ClassVar[dict] = {}  # keys /cookie/read answers besides "note"
    REDIRECT_LOCATION: ClassVar[Optional[str]] = None  # the Location header as sent, when the test checks it
    VIEW_NAME: ClassVar[str] = "boom_view"  # the function /boom raises in

    client: ASGITestClient  # get_app(), the client and the assert* methods come from ASGITestCase
    events: list[str]

    def assert_not_found_body(self, response: Any) -> None:
        """What the framework's own 404 answer says (nothing checked unless overridden)."""

    def expect_view_exception(self) -> None:
        """Called before /boom is requested (e.g. to clean up what the framework leaves behind)."""

    def assert_view_frame(self, frames: traceback.StackSummary) -> None:
        """The view's own frame is in the propagated exception's traceback."""
        self.assertIn(self.VIEW_NAME, [frame.name for frame in frames])

    def assert_view_traceback(self, text: str) -> None:
        """The view shows in `response.traceback` when the exception is kept on the response."""
        self.assertIn(self.VIEW_NAME, text)

    def own_tasks(self, tasks: set) -> set:
        """The tasks among `tasks` that the framework runs on its own besides the lifespan task."""
        return set()

    def endless_values(self, response: Any) -> AsyncIterator[str]:
        """The numbers the /endless response carries, in order."""
        return response.aiter_lines()

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

    async def test_session_cookie_round_trip_across_requests(self):
        first = await self.client.post("/session", **self.SESSION_POST)
        self.assertCookie(first, *self.SESSION_COOKIE)
        self.assertJSON(await self.client.get("/session"), {"user": "ann"})

    async def test_quoted_cookie_value_round_trips_unchanged(self):
        first = await self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertJSON(await self.client.get("/cookie/read"), {"note": "a,b c;d", **self.COOKIE_READ_EXTRA})

    async def test_redirect_not_followed_by_default(self):
        response = await self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=302)
        if self.REDIRECT_LOCATION is not None:
            self.assertEqual(response.headers["location"], self.REDIRECT_LOCATION)
        self.assertEqual(response.history, [])

    async def test_redirect_followed_keeps_history(self):
        response = await self.client.get("/old", follow_redirects=True)
        self.assertJSON(response, {"arrived": True})
        self.assertEqual([r.status_code for r in response.history], [302])
        self.assertEqual(response.request.url, "http://testserver/target")

    async def test_unknown_path_gives_404(self):
        response = await self.client.get("/missing")
        self.assertStatus(response, 404)
        self.assert_not_found_body(response)

    async def test_view_exception_propagates_with_view_frame(self):
        self.expect_view_exception()
        try:
            await self.client.get("/boom")
        except RuntimeError as exc:  # not assertRaises: it drops the traceback
            caught = exc
        else:
            self.fail("the view's RuntimeError did not propagate")
        self.assertEqual(str(caught), "boom from the view")
        self.assert_view_frame(traceback.extract_tb(caught.__traceback__))

    async def test_view_exception_kept_on_500_when_not_raised(self):
        self.expect_view_exception()
        async with ASGITestClient(self.get_app(), raise_server_exceptions=False) as client:
            response = await client.get("/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assert_view_traceback(response.traceback)

    async def test_redirect_under_prefix_followed_inside_prefix(self):
        async with ASGITestClient(self.get_app(), base_url="http://testserver/prefix") as client:
            response = await client.get("/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/target", status_code=302)
        self.assertJSON(response, {"arrived": True})

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
        self.assertLessEqual(len(before - self.own_tasks(before)), 1)  # at most the lifespan task
        async with self.client.stream("GET", "/endless") as response:
            numbers = []
            async for value in self.endless_values(response):
                numbers.append(value)
                if len(numbers) == 3:
                    break
            self.assertLessEqual(len(ENDLESS), 5)  # back-pressure: the app runs at most about two chunks ahead
        self.assertEqual(numbers, ["1", "2", "3"])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, before)
        await self.client.shutdown()
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())
        self.assertEqual(self.events, ["startup", "shutdown"])
