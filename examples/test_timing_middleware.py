"""Tests for examples/timing_middleware.py: exactly what the middleware adds to a response, and that the app behind it sees the request unchanged."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import ASGIRecorder, ASGITestCase, WebSocketDenied, compose, echo_app, fixed_response_app
from examples.timing_middleware import TimingMiddleware


class FakeClock:
    """A clock that returns the given times in turn, so a duration is exact."""

    def __init__(self, *times):
        self.times = list(times)

    def __call__(self):
        return self.times.pop(0)


class TimingTestCase(ASGITestCase):
    """`self.outer` records what the client sent to the middleware, `self.inner` what the app behind it saw and did."""

    def inner_app(self):
        """The app behind the middleware: the kit's echo app, which answers with the request it saw."""
        return echo_app(interface="asgi")

    def get_app(self):
        self.clock = FakeClock(10.0, 10.25)  # 250 ms, exact in binary
        self.inner = ASGIRecorder(self.inner_app())
        self.outer = ASGIRecorder(compose(self.inner, (TimingMiddleware, {"clock": self.clock})))
        return self.outer

    async def asyncSetUp(self):
        self.addAsyncCleanup(self.no_task_left)  # registered first, so it runs last
        await super().asyncSetUp()

    async def no_task_left(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class WhatChangesTests(TimingTestCase):
    async def test_two_headers_are_appended_and_nothing_else_changes(self):
        response = await self.client.post("/orders?dry_run=1", json={"sku": "A-1"})
        self.assertStatus(response, 200)
        app_said, client_got = self.inner.last.headers, self.outer.last.headers
        self.assertEqual(client_got.items(), app_said.items() + [("server-timing", "app;dur=250.0"), ("x-response-time", "250.0ms")])
        self.assertEqual(self.outer.last.status, self.inner.last.status)
        self.assertEqual(self.outer.last.body, self.inner.last.body)
        self.assertEqual(response.headers["x-response-time"], "250.0ms")

    async def test_only_the_start_message_differs(self):
        await self.client.get("/")
        sent_out, sent_in = self.outer.last.sent, self.inner.last.sent
        self.assertEqual([m["type"] for m in sent_out], ["http.response.start", "http.response.body"])
        self.assertEqual(sent_out[1:], sent_in[1:])  # the body passed untouched
        self.assertEqual({**sent_out[0], "headers": None}, {**sent_in[0], "headers": None})  # status and the rest too

    async def test_the_app_sees_the_request_unchanged(self):
        response = await self.client.post("/orders", query={"dry_run": "1"}, headers={"X-Trace": "abc"}, json={"sku": "A-1"})
        self.assertEqual(self.inner.last.scope, self.outer.last.scope)
        self.assertEqual(self.inner.last.received, self.outer.last.received)
        echoed = response.json()  # what the echo app saw, from its own mouth
        self.assertEqual((echoed["method"], echoed["path"], echoed["query_string"]), ("POST", "/orders", "dry_run=1"))
        self.assertIn(["x-trace", "abc"], echoed["headers"])
        self.assertEqual(echoed["body"], '{"sku":"A-1"}')

    async def test_the_clock_is_read_at_the_call_and_at_the_response_start(self):
        await self.client.get("/")
        self.assertEqual(self.clock.times, [])  # both readings were used, no more


class ExistingServerTimingTests(TimingTestCase):
    def inner_app(self):
        return fixed_response_app(200, "ok", {"Server-Timing": "db;dur=3"})

    async def test_the_metric_is_appended_to_the_apps_own_header(self):
        response = await self.client.get("/")
        self.assertEqual(response.headers.get_all("server-timing"), ["db;dur=3, app;dur=250.0"])
        self.assertEqual(self.inner.last.headers["server-timing"], "db;dur=3")
        self.assertEqual(response.text, "ok")


class AppMessageTests(unittest.IsolatedAsyncioTestCase):
    async def test_the_apps_own_start_message_is_not_edited_in_place(self):
        kept = []

        async def app(scope, receive, send):
            start = {"type": "http.response.start", "status": 204, "headers": [(b"x-app", b"1")]}
            kept.append(start)
            await send(start)
            await send({"type": "http.response.body", "body": b""})

        from asgiwsgi_testkit import ASGITestClient

        client = ASGITestClient(TimingMiddleware(app, clock=FakeClock(0.0, 0.5)), lifespan="off")
        response = await client.get("/")
        self.assertEqual(response.headers.items(), [("x-app", "1"), ("server-timing", "app;dur=500.0"), ("x-response-time", "500.0ms")])
        self.assertEqual(kept[0]["headers"], [(b"x-app", b"1")])


class PassThroughTests(TimingTestCase):
    def get_app(self):
        self.inner = ASGIRecorder(echo_app(interface="asgi"), record_lifespan=True)
        self.clock = FakeClock()  # reading it would raise IndexError: not HTTP, not timed
        return compose(self.inner, (TimingMiddleware, {"clock": self.clock}))

    async def test_lifespan_passes_through_untimed(self):
        first = self.inner.calls[0]  # asyncSetUp ran startup through the middleware
        self.assertEqual(first.scope["type"], "lifespan")
        self.assertEqual([m["type"] for m in first.sent], ["lifespan.startup.complete"])

    async def test_a_websocket_passes_through_untimed(self):
        with self.assertRaisesRegex(WebSocketDenied, r"^WebSocket /ws was refused before accept: close code 1000, HTTP 403$"):
            async with self.client.websocket_connect("/ws"):
                self.fail("the echo app accepted a WebSocket")
        self.assertEqual(self.inner.last.scope["type"], "websocket")
        self.assertEqual(self.inner.last.sent, [{"type": "websocket.close", "code": 1000, "reason": ""}])


if __name__ == "__main__":
    unittest.main()
