"""Tests for _asgi_call: call_asgi's request events, disconnect timing, trailers, pathsend, HEAD, ASGI2, contexts."""

from __future__ import annotations

import asyncio
import os
import tempfile
import unittest

from asgiwsgi_testkit import AppTimeout, call_asgi, make_scope
from tests import asgi_apps as apps


async def _agen(chunks):
    for chunk in chunks:
        yield chunk


class CallASGITestBase(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class RequestBodyTests(CallASGITestBase):
    async def test_bytes_body_is_one_final_request_event(self):
        response = await call_asgi(apps.echo_app, make_scope("POST", "/"), b"abc")
        self.assertEqual(response.json()["events"], [["http.request", "abc", False]])
        self.assertNoTaskPending()

    async def test_str_body_is_encoded_as_utf8(self):
        response = await call_asgi(apps.echo_app, make_scope("POST", "/"), "h\u00e9")
        self.assertEqual(response.json()["events"], [["http.request", "h\u00c3\u00a9", False]])
        self.assertNoTaskPending()

    async def test_sync_iterable_body_is_one_event_per_chunk_then_final_empty(self):
        response = await call_asgi(apps.echo_app, make_scope("POST", "/"), iter([b"ab", b"cd"]))
        expected = [["http.request", "ab", True], ["http.request", "cd", True], ["http.request", "", False]]
        self.assertEqual(response.json()["events"], expected)
        self.assertNoTaskPending()

    async def test_async_iterable_body_is_one_event_per_chunk_then_final_empty(self):
        response = await call_asgi(apps.echo_app, make_scope("POST", "/"), _agen([b"x", b"yz"]))
        expected = [["http.request", "x", True], ["http.request", "yz", True], ["http.request", "", False]]
        self.assertEqual((response.json()["body"], response.json()["events"]), ("xyz", expected))
        self.assertNoTaskPending()

    async def test_receive_after_body_blocks_until_response_complete_then_disconnect(self):
        order = []

        async def app(scope, receive, send):
            await apps.read_body(receive)
            await send({"type": "http.response.start", "status": 200, "headers": []})

            async def finish():
                order.append("finishing")
                await send({"type": "http.response.body", "body": b"done"})

            finisher = asyncio.ensure_future(finish())
            event = await receive()
            order.append(event["type"])
            await finisher

        response = await call_asgi(app, make_scope("POST", "/"), b"x")
        self.assertEqual((order, response.body), (["finishing", "http.disconnect"], b"done"))
        self.assertNoTaskPending()


class ResponseTests(CallASGITestBase):
    async def test_trailers_collected_on_response_trailers(self):
        response = await call_asgi(apps.trailers_app, make_scope())
        self.assertEqual((response.body, response.trailers["x-checksum"]), (b"data", "abc123"))
        self.assertNoTaskPending()

    async def test_pathsend_file_bytes_become_body(self):
        with tempfile.NamedTemporaryFile(delete=False) as file:
            file.write(b"\x00file contents\xff")
        self.addCleanup(os.unlink, file.name)
        response = await call_asgi(apps.pathsend_app_for(file.name), make_scope())
        self.assertEqual((response.status_code, response.body), (200, b"\x00file contents\xff"))
        self.assertNoTaskPending()

    async def test_pathsend_file_is_read_off_the_event_loop(self):
        import builtins
        import threading
        from unittest import mock

        with tempfile.NamedTemporaryFile(delete=False) as file:
            file.write(b"contents")
        self.addCleanup(os.unlink, file.name)
        readers, real_open = [], builtins.open

        def watching_open(path, *args, **kwargs):
            if path == file.name:
                readers.append(threading.get_ident())
            return real_open(path, *args, **kwargs)

        with mock.patch("builtins.open", watching_open):
            response = await call_asgi(apps.pathsend_app_for(file.name), make_scope())
        self.assertEqual(response.body, b"contents")
        self.assertEqual(len(readers), 1)
        self.assertNotEqual(readers[0], threading.get_ident())  # a worker thread read it, not the loop's
        self.assertNoTaskPending()

    async def test_head_response_body_empty_headers_kept(self):
        response = await call_asgi(apps.hello_app, make_scope("HEAD", "/"))
        self.assertEqual((response.status_code, response.body, response.headers["content-length"]), (200, b"", "13"))
        self.assertNoTaskPending()

    async def test_asgi2_class_app_adapted(self):
        response = await call_asgi(apps.ASGI2App, make_scope("GET", "/two"))
        self.assertEqual(response.body, b"asgi2 /two")
        self.assertNoTaskPending()

    async def test_app_exception_propagates_unchanged(self):
        with self.assertRaisesRegex(ValueError, r"^boom before start$"):
            await call_asgi(apps.raising_before_start_app, make_scope())
        self.assertNoTaskPending()

    async def test_silent_app_times_out_naming_step(self):
        with self.assertRaisesRegex(AppTimeout, r"within 0\.1s waiting for http\.response\.start \(GET /quiet;") as caught:
            await call_asgi(apps.silent_app, make_scope("GET", "/quiet"), timeout=0.1)
        self.assertEqual((caught.exception.step, caught.exception.timeout), ("waiting for http.response.start", 0.1))
        self.assertNoTaskPending()


class IsolationTests(CallASGITestBase):
    async def test_app_runs_in_own_context_copy(self):
        seen = []

        async def app(scope, receive, send):
            seen.append(apps.REQUEST_VAR.get())
            await apps.echo_app(scope, receive, send)  # sets REQUEST_VAR to the path

        token = apps.REQUEST_VAR.set("test")
        try:
            await call_asgi(app, make_scope("GET", "/inside"))
            after = apps.REQUEST_VAR.get()
        finally:
            apps.REQUEST_VAR.reset(token)
        self.assertEqual((seen, after), (["test"], "test"))
        self.assertNoTaskPending()

    async def test_concurrent_requests_via_gather_are_independent(self):
        b_started = asyncio.Event()

        async def app(scope, receive, send):
            body, _ = await apps.read_body(receive)
            if scope["path"] == "/a":
                await b_started.wait()  # /a can only finish while /b runs concurrently
            else:
                b_started.set()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": scope["path"].encode() + b" " + body})

        first, second = await asyncio.gather(
            call_asgi(app, make_scope("POST", "/a"), b"one", timeout=1),
            call_asgi(app, make_scope("POST", "/b"), b"two", timeout=1),
        )
        self.assertEqual((first.body, second.body), (b"/a one", b"/b two"))
        self.assertNoTaskPending()


if __name__ == "__main__":
    unittest.main()


class BytesLikeBodyTests(unittest.IsolatedAsyncioTestCase):
    """bytes, bytearray and memoryview bodies are served, as uvicorn and hypercorn do; the response holds a bytes copy."""

    async def test_every_bytes_like_body_is_served_and_copied(self):
        from asgiwsgi_testkit import ASGITestClient, ProtocolError

        buffer = bytearray(b"mutable")

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": memoryview(b"view "), "more_body": True})
            await send({"type": "http.response.body", "body": buffer, "more_body": True})
            buffer[:] = b"changed"  # the app reuses its buffer: what was sent stands
            await send({"type": "http.response.body", "body": b"!"})

        for validate in (True, False):
            with self.subTest(validate=validate):
                buffer[:] = b"mutable"
                client = ASGITestClient(app, lifespan="off", validate=validate)
                response = await client.get("/")
                self.assertEqual(response.body, b"view mutable!")
                self.assertIs(type(response.body), bytes)
                buffer[:] = b"mutable"
                async with client.stream("GET", "/") as streamed:
                    self.assertEqual(await streamed.aread(), b"view mutable!")

        async def str_app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": "text"})

        for validate in (True, False):
            with self.subTest(str_body=validate), self.assertRaises(ProtocolError) as caught:
                await ASGITestClient(str_app, lifespan="off", validate=validate).get("/")
            self.assertEqual(caught.exception.rule, "asgi.http.body-type")

    async def test_websocket_bytes_like_messages_arrive_as_bytes(self):
        from asgiwsgi_testkit import ASGITestClient

        async def app(scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "bytes": memoryview(b"view")})
            await send({"type": "websocket.send", "bytes": bytearray(b"array")})
            await receive()

        for validate in (True, False):
            with self.subTest(validate=validate):
                async with ASGITestClient(app, lifespan="off", validate=validate).websocket_connect("/ws") as ws:
                    received = [await ws.receive_bytes(), await ws.receive_bytes()]
                self.assertEqual(received, [b"view", b"array"])
                self.assertEqual([type(r) for r in received], [bytes, bytes])
