"""Tests for the server-sent events app in examples/sse_asgi.py: read events as they come, leave an endless stream early."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import ASGITestCase
from examples.sse_asgi import create_app


class EventsTests(ASGITestCase):
    def get_app(self):
        self.events_app = create_app(interval=0)  # no pause between ticks
        return self.events_app

    async def asyncSetUp(self):
        self.addAsyncCleanup(self.no_task_left)  # registered first, so it runs last: every test ends with nothing pending
        await super().asyncSetUp()

    async def no_task_left(self):
        self.assertNoTaskPending()

    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def take(self, count, **request):
        """The first `count` events of /ticks, leaving the endless stream after them."""
        events = []
        async with self.client.stream("GET", "/ticks", **request) as response:
            self.assertStatus(response, 200)
            async for event in response.aiter_events():
                events.append(event)
                if len(events) == count:
                    break
        return events

    # -- the endless ticker ---------------------------------------------------------

    async def test_ticks_are_read_as_events_while_the_stream_goes_on(self):
        events = await self.take(3)
        self.assertEqual([e.event for e in events], ["tick", "tick", "tick"])
        self.assertEqual([e.id for e in events], ["0", "1", "2"])
        self.assertEqual([e.data for e in events], ['{"n": 0}', '{"n": 1}', '{"n": 2}'])
        self.assertNoTaskPending()

    async def test_retry_field_is_an_int_on_the_first_event(self):
        events = await self.take(2)
        self.assertEqual([e.retry for e in events], [3000, None])

    async def test_leaving_early_disconnects_and_waits_for_the_app(self):
        async with self.client.stream("GET", "/ticks") as response:
            async for event in response.aiter_events():
                self.assertEqual(self.events_app.open_streams, 1)
                break
        self.assertEqual((self.events_app.open_streams, self.events_app.disconnects), (0, 1))
        self.assertNoTaskPending()

    async def test_last_event_id_header_resumes_after_that_id(self):
        events = await self.take(2, headers={"Last-Event-ID": "41"})
        self.assertEqual([e.id for e in events], ["42", "43"])

    async def test_stream_has_event_stream_headers(self):
        async with self.client.stream("GET", "/ticks") as response:
            self.assertContentType(response, "text/event-stream")
            self.assertHeader(response, "Cache-Control", "no-cache")
            self.assertEqual(response.status, "200 OK")
        self.assertNoTaskPending()

    async def test_raw_lines_are_readable_with_aiter_lines(self):
        lines = []
        async with self.client.stream("GET", "/ticks") as response:
            async for line in response.aiter_lines():
                lines.append(line)
                if len(lines) == 7:
                    break
        self.assertEqual(lines, ["retry: 3000", ": ticking", "", "event: tick", "id: 0", 'data: {"n": 0}', ""])
        self.assertNoTaskPending()

    async def test_bytes_arrive_one_send_at_a_time_with_aiter_bytes(self):
        async with self.client.stream("GET", "/ticks") as response:
            chunks = []
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                if len(chunks) == 2:
                    break
        self.assertEqual(chunks, [b"retry: 3000\n: ticking\n\n", b'event: tick\nid: 0\ndata: {"n": 0}\n\n'])
        self.assertNoTaskPending()

    async def test_two_streams_at_once_are_independent(self):
        first, second = await asyncio.gather(self.take(2), self.take(3, headers={"Last-Event-ID": "9"}))
        self.assertEqual(([e.id for e in first], [e.id for e in second]), (["0", "1"], ["10", "11", "12"]))
        self.assertEqual(self.events_app.disconnects, 2)
        self.assertNoTaskPending()

    # -- the finite feed ------------------------------------------------------------

    async def test_news_events_are_parsed_as_the_html_standard_says(self):
        async with self.client.stream("GET", "/news") as response:
            events = [event async for event in response.aiter_events()]
        self.assertEqual([(e.event, e.id) for e in events], [("headline", "n1"), ("story", "n2"), ("message", "n3")])
        self.assertEqual(events[1].data, "Line one,\nline two.")  # CRLF line ends, data lines joined with "\n"
        self.assertEqual(events[2].data, '{"done": true}')
        self.assertNoTaskPending()

    async def test_finite_stream_can_also_be_fetched_whole(self):
        response = await self.client.get("/news")
        self.assertStatus(response, 200)
        self.assertBodyContains(response, "data: Kit ships ASGI")
        self.assertTrue(response.text.startswith(": three items today\n\n"))
        self.assertNoTaskPending()

    async def test_aread_inside_the_block_reads_the_rest(self):
        async with self.client.stream("GET", "/news") as response:
            first = await response.aiter_bytes().__anext__()
            rest = await response.aread()
        self.assertEqual(first, b": three items today\n\n")
        self.assertTrue(rest.startswith(b"event: headline\n"))
        self.assertNoTaskPending()

    async def test_unknown_path_is_404(self):
        response = await self.client.get("/nowhere")
        self.assertStatus(response, 404)
        self.assertEqual(response.text, "not found")


if __name__ == "__main__":
    unittest.main()
