"""Tests for the WSGI stream() fast path (_wsgi_client._streamed, validate_wsgi.kit_items) and its edges."""

from __future__ import annotations

import unittest
from typing import Any, Callable, Iterator

from asgiwsgi_testkit import ProtocolError, WSGITestClient, call_wsgi, make_environ, validate_wsgi
from tests import apps


def write_then_yield_app(environ: dict, start_response: Callable) -> Iterator[bytes]:
    """Calls write() before returning a generator that yields two chunks."""
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"w1;")

    def chunks() -> Iterator[bytes]:
        yield b"a;"
        yield b""
        yield b"b"

    return chunks()


class StreamedBodyTests(unittest.TestCase):
    def test_head_stream_runs_and_closes_the_iterable_but_yields_nothing(self):
        app = apps.StreamApp(count=3)
        with WSGITestClient(app).stream("HEAD", "/") as response:
            self.assertEqual(list(response.iter_bytes()), [])
        self.assertEqual((app.pulled, app.closed), (3, True))

    def test_head_stream_still_checks_item_types(self):
        with self.assertRaises(ProtocolError) as caught:
            with WSGITestClient(apps.bad_body_type_generator, validate=False).stream("HEAD", "/") as response:
                list(response.iter_bytes())
        self.assertEqual(caught.exception.rule, "wsgi.body.type")
        self.assertIn("request: HEAD /", str(caught.exception))

    def test_write_data_keeps_its_place_in_a_streamed_body(self):
        for validate in (True, False):
            with self.subTest(validate=validate):
                with WSGITestClient(write_then_yield_app, validate=validate).stream("GET", "/") as response:
                    self.assertEqual(b"".join(response.iter_bytes()), b"w1;a;b")

    def test_non_bytes_item_mid_stream_names_the_request_and_closes(self):
        app = apps.ClosingApp(chunks=(b"a", "text"))  # type: ignore[arg-type]
        client = WSGITestClient(app, validate=False)
        with self.assertRaises(ProtocolError) as caught:
            with client.stream("GET", "/x?y=1") as response:
                list(response.iter_bytes())
        self.assertEqual(caught.exception.rule, "wsgi.body.type")
        self.assertIn("request: GET /x?y=1", str(caught.exception))
        self.assertEqual(app.close_calls, 1)

    def test_app_error_mid_stream_closes_and_propagates(self):
        app = apps.RaiseAfterStartApp()
        with self.assertRaises(apps.AppError):
            with WSGITestClient(app).stream("GET", "/") as response:
                list(response.iter_bytes())
        self.assertTrue(app.closed)

    def test_iter_bytes_continues_where_an_earlier_loop_stopped(self):
        app = apps.StreamApp(count=4)
        with WSGITestClient(app).stream("GET", "/") as response:
            first = next(iter(response.iter_bytes()))
            rest = response.read()
        self.assertEqual((first, rest), (b"chunk 0\n", b"chunk 1\nchunk 2\nchunk 3\n"))


class KitItemsTests(unittest.TestCase):
    """validate_wsgi hands the kit's server the app's own items when nothing is left to check per item."""

    def test_fast_path_offered_only_after_start_response_without_len(self):
        validated = validate_wsgi(apps.StreamApp(count=2))
        result = validated(make_environ(), lambda status, headers, exc_info=None: None)
        items, finish = result.kit_items()
        self.assertEqual(list(items), [b"chunk 0\n", b"chunk 1\n"])
        finish()  # nothing to report for a well-behaved app
        listed = validate_wsgi(apps.ClosingApp())(make_environ(), lambda *a: None)
        self.assertIsNotNone(listed.kit_items())  # no len(): fast path
        lazy = validate_wsgi(apps.lazy_start_app)(make_environ(), lambda *a: None)
        self.assertIsNone(lazy.kit_items())  # start_response not called yet: full checks

    def test_write_inside_the_iterable_is_still_caught_on_the_fast_path(self):
        with self.assertRaises(ProtocolError) as caught:
            with WSGITestClient(apps.bad_write_in_iterable).stream("GET", "/") as response:
                list(response.iter_bytes())
        self.assertEqual(caught.exception.rule, "wsgi.write.in-iterable")

    def test_len_is_still_checked_when_the_iterable_has_one(self):
        with self.assertRaises(ProtocolError) as caught:
            call_wsgi(validate_wsgi(apps.bad_iterable_len), make_environ())
        self.assertEqual(caught.exception.rule, "wsgi.iterable.len")


if __name__ == "__main__":
    unittest.main()


class LifespanMemoryTests(unittest.IsolatedAsyncioTestCase):
    """'auto' remembers an app object without lifespan, so later clients do not probe it again."""

    async def test_app_without_lifespan_is_probed_once_per_app_object(self):
        import asyncio

        from asgiwsgi_testkit import ASGITestClient

        seen: list = []

        async def app(scope: dict, receive: Any, send: Any) -> None:
            seen.append(scope["type"])
            if scope["type"] != "http":
                raise RuntimeError("no lifespan here")
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body"})

        for _ in range(3):
            client = ASGITestClient(app)
            await client.startup()
            self.assertEqual((await client.get("/")).status_code, 204)
            await client.shutdown()
        self.assertEqual(seen, ["lifespan", "http", "http", "http"])
        with self.assertRaisesRegex(Exception, "does not support lifespan"):
            await ASGITestClient(app, lifespan="on").startup()  # "on" always asks
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())
