"""sse-starlette's EventSourceResponse through ASGITestCase, validation on: events, line ends, endless streams left early."""

from __future__ import annotations

import contextlib

from asgiwsgi_testkit import ASGITestCase
from tests.compat._support import NoPendingTasks, requires

try:
    import sse_starlette
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    sse_starlette = None
else:
    from sse_starlette import EventSourceResponse, ServerSentEvent
    from starlette.applications import Starlette
    from starlette.routing import Route

ENDLESS: list[str] = []  # what the endless stream has produced so far
CLOSED: list[str] = []  # what the endless stream saw when it was stopped


def events():
    """A few events with every field, a comment and multi-line data."""
    yield ServerSentEvent(data="first", event="tick", id="1", retry=1500)
    yield ServerSentEvent(comment="keep-alive")  # ignored by the parser
    yield {"data": "two\nlines", "id": "2"}  # sse-starlette sends one `data:` line per line
    yield ServerSentEvent(data='{"n": 3}', event="done")


def create_app(lifespan_events: list[str]):
    """A Starlette app serving sse-starlette responses; `lifespan_events` records startup and shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        lifespan_events.append("startup")
        yield {"channel": "news"}
        lifespan_events.append("shutdown")

    async def finite(request):
        return EventSourceResponse(events())

    async def crlf(request):
        return EventSourceResponse(events(), sep="\r\n")

    async def endless(request):
        async def generate():
            try:
                while True:
                    ENDLESS.append(f"{len(ENDLESS) + 1}")
                    yield {"event": request.state.channel, "data": f"{len(ENDLESS)}"}
            except BaseException as exc:
                CLOSED.append(type(exc).__name__)
                raise

        return EventSourceResponse(generate())

    routes = [Route("/events", finite), Route("/events/crlf", crlf), Route("/endless", endless)]
    return Starlette(routes=routes, lifespan=lifespan)


@requires("sse_starlette")
class SSEStarletteTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.lifespan_events: list[str] = []
        return create_app(self.lifespan_events)

    def pending_tasks(self) -> set:
        """The tasks still pending, except the current one and sse-starlette's own shutdown watcher.

        sse-starlette starts one `_shutdown_watcher` task per event loop, on purpose,
        to end streams when uvicorn exits; it outlives every response.
        """
        return {task for task in super().pending_tasks() if task.get_coro().__qualname__ != "_shutdown_watcher"}

    async def test_events_parsed_with_every_field(self):
        async with self.client.stream("GET", "/events") as response:
            self.assertStatus(response, 200)
            self.assertContentType(response, "text/event-stream")
            received = [(e.event, e.data, e.id, e.retry) async for e in response.aiter_events()]
        self.assertEqual(
            received,
            [("tick", "first", "1", 1500), ("message", "two\nlines", "2", None), ("done", '{"n": 3}', "2", None)],
        )

    async def test_events_with_crlf_separator_parsed_the_same(self):
        async with self.client.stream("GET", "/events/crlf") as response:
            raw = await response.aread()
        self.assertIn(b"\r\n\r\n", raw)
        async with self.client.stream("GET", "/events/crlf") as response:
            received = [(e.event, e.data, e.id, e.retry) async for e in response.aiter_events()]
        self.assertEqual(
            received,
            [("tick", "first", "1", 1500), ("message", "two\nlines", "2", None), ("done", '{"n": 3}', "2", None)],
        )

    async def test_whole_response_read_without_stream(self):
        response = await self.client.get("/events")
        self.assertStatus(response, 200)
        self.assertBodyContains(response, "event: tick")
        self.assertBodyContains(response, "data: two\r\ndata: lines")  # sse-starlette's default separator is CRLF

    async def test_endless_stream_left_early_leaves_nothing_pending(self):
        ENDLESS.clear()
        CLOSED.clear()
        before = self.pending_tasks()
        self.assertLessEqual(len(before), 1)  # at most the lifespan task
        async with self.client.stream("GET", "/endless") as response:
            received = []
            async for event in response.aiter_events():
                received.append((event.event, event.data))
                if len(received) == 3:
                    break
            self.assertLessEqual(len(ENDLESS), 5)  # back-pressure: the app runs at most about two events ahead
        self.assertEqual(received, [("news", "1"), ("news", "2"), ("news", "3")])  # lifespan state in the handler
        self.assertEqual(self.pending_tasks(), before)
        self.assertEqual(CLOSED, ["GeneratorExit"])  # sse-starlette saw http.disconnect and closed the generator
        await self.client.shutdown()
        self.assertEqual(self.pending_tasks(), set())
        self.assertEqual(self.lifespan_events, ["startup", "shutdown"])
