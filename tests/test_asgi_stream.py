"""Tests for ASGITestClient.stream() and _asgi_stream: early return, async readers, back-pressure, leaving early."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import AppTimeout, ASGITestClient
from tests import asgi_apps as apps


class StreamTestBase(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class StreamReadTests(StreamTestBase):
    async def test_stream_returns_once_response_started(self):
        gate = asyncio.Event()

        async def app(scope, receive, send):
            if scope["type"] != "http":
                return
            await send({"type": "http.response.start", "status": 201, "headers": [(b"x-early", b"yes")]})
            await gate.wait()
            await send({"type": "http.response.body", "body": b"after gate"})

        client = ASGITestClient(app)
        async with client.stream("GET", "/") as response:
            self.assertEqual((response.status_code, response.headers["x-early"], gate.is_set()), (201, "yes", False))
            gate.set()
            self.assertEqual(await response.aread(), b"after gate")
            self.assertEqual(response.text, "after gate")
        self.assertNoTaskPending()

    async def test_aiter_bytes_yields_each_chunk(self):
        client = ASGITestClient(apps.ChunksApp(3))
        async with client.stream("GET", "/") as response:
            chunks = [chunk async for chunk in response.aiter_bytes()]
        self.assertEqual(chunks, [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"])
        self.assertNoTaskPending()

    async def test_aiter_lines_yields_lines_without_ends(self):
        client = ASGITestClient(apps.ChunksApp(2))
        async with client.stream("GET", "/") as response:
            lines = [line async for line in response.aiter_lines()]
        self.assertEqual(lines, ["chunk 0", "chunk 1"])
        self.assertNoTaskPending()

    async def test_aiter_events_parses_sse_split_across_chunks(self):
        client = ASGITestClient(apps.sse_app)
        async with client.stream("GET", "/events") as response:
            events = [event async for event in response.aiter_events()]
        self.assertEqual([tuple(e) for e in events], [("greet", "hello", "", None), ("message", "a\nb", "7", None)])
        self.assertNoTaskPending()

    async def test_trailers_available_after_reading_stream(self):
        client = ASGITestClient(apps.trailers_app)
        async with client.stream("GET", "/") as response:
            body = await response.aread()
        self.assertEqual((body, response.trailers["x-checksum"]), (b"data", "abc123"))
        self.assertNoTaskPending()

    async def test_aiter_bytes_after_block_is_value_error(self):
        client = ASGITestClient(apps.ChunksApp(1))
        async with client.stream("GET", "/") as response:
            pass
        with self.assertRaisesRegex(ValueError, r"only inside `async with client\.stream\(\.\.\.\)`"):
            await response.aread()
        self.assertNoTaskPending()


    async def test_app_lingering_after_response_is_read_then_cancelled(self):
        app = apps.LingeringApp()
        client = ASGITestClient(app, timeout=0.1)
        async with client.stream("GET", "/") as response:
            body = await response.aread()
            self.assertFalse(app.cancelled)
        self.assertEqual((body, app.cancelled), (b"done", True))
        self.assertNoTaskPending()


class BackPressureTests(StreamTestBase):
    async def test_app_send_returns_only_after_reader_took_chunk(self):
        app = apps.ChunksApp(5)
        client = ASGITestClient(app)
        snapshots = []
        async with client.stream("GET", "/") as response:
            async for chunk in response.aiter_bytes():
                snapshots.append(list(app.returned))
        for index, returned in enumerate(snapshots):
            with self.subTest(chunk=index):
                self.assertEqual(returned[:index], [True] * index)  # earlier sends returned
                self.assertEqual(returned[index + 1 :], [False] * (4 - index))  # later sends not even made
        self.assertEqual(app.returned, [True] * 5)
        self.assertNoTaskPending()


class LeavingEarlyTests(StreamTestBase):
    async def test_leaving_endless_stream_disconnects_and_app_finishes(self):
        app = apps.EndlessApp()
        client = ASGITestClient(app)
        async with client.stream("GET", "/forever") as response:
            chunks = response.aiter_bytes()
            taken = [await chunks.__anext__() for _ in range(3)]
            await chunks.aclose()
            self.assertFalse(app.finished.is_set())
        self.assertEqual(taken, [b"tick\n"] * 3)
        self.assertEqual((app.finished.is_set(), app.saw_disconnect), (True, True))
        self.assertNoTaskPending()

    async def test_exception_in_block_still_disconnects_app(self):
        app = apps.EndlessApp()
        client = ASGITestClient(app)
        with self.assertRaisesRegex(KeyError, r"^'test error'$"):
            async with client.stream("GET", "/forever"):
                raise KeyError("test error")
        self.assertEqual((app.finished.is_set(), app.saw_disconnect), (True, True))
        self.assertNoTaskPending()


class StreamErrorTests(StreamTestBase):
    async def test_silent_app_stream_times_out_waiting_for_start(self):
        client = ASGITestClient(apps.silent_app, timeout=0.1)
        with self.assertRaisesRegex(AppTimeout, r"within 0\.1s waiting for http\.response\.start") as caught:
            async with client.stream("GET", "/"):
                self.fail("the block must not run")
        self.assertEqual(caught.exception.step, "waiting for http.response.start")
        self.assertNoTaskPending()

    async def test_app_raising_before_start_propagates_from_stream(self):
        client = ASGITestClient(apps.raising_before_start_app)
        with self.assertRaisesRegex(ValueError, r"^boom before start$"):
            async with client.stream("GET", "/"):
                self.fail("the block must not run")
        self.assertNoTaskPending()


if __name__ == "__main__":
    unittest.main()
