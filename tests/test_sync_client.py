"""SyncASGITestClient (SPEC section 11): the async client's engine, driven from synchronous code on one private loop."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading
import unittest
import warnings
from typing import Any

from asgiwsgi_testkit import ASGITestResponse, AppTimeout, LifespanError, ProtocolError, SyncASGITestClient, TestkitError, WebSocketClosed


def make_app(log: list[str]) -> Any:
    """An app with lifespan (it puts a loop-bound Lock in the state), HTTP routes, a stream of events and a WebSocket echo."""

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    scope["state"]["lock"] = asyncio.Lock()
                    log.append("startup")
                    await send({"type": "lifespan.startup.complete"})
                else:
                    log.append("shutdown")
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    log.append(f"ws left {message.get('code')}")
                    return
                if message.get("text") == "bye":
                    await send({"type": "websocket.close", "code": 4001, "reason": "bye"})
                    return
                await send({"type": "websocket.send", "text": message.get("text", "").upper()})
        path = scope["path"]
        lock = scope.get("state", {}).get("lock")
        if lock is not None:
            async with lock:  # a Lock made at startup, used by each request: one loop for all of them
                pass
        if path == "/events":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
            for number in range(3):
                await send({"type": "http.response.body", "body": f"data: {number}\n\n".encode(), "more_body": True})
                await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": b""})
            return
        if path == "/broken":
            raise RuntimeError("the app broke")
        if path == "/bad":
            await send({"type": "http.response.start", "status": "200"})
            return
        if path == "/slow":
            await asyncio.sleep(10)
        body = (await receive()).get("body", b"")
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain"), (b"set-cookie", b"seen=1")]})
        await send({"type": "http.response.body", "body": b"you sent " + body})

    return app


class SyncClientTests(unittest.TestCase):
    def setUp(self) -> None:
        self.log: list[str] = []
        self.client = SyncASGITestClient(make_app(self.log))
        self.addCleanup(self.client.close)

    def test_verbs_return_the_response_and_lifespan_starts_lazily(self):
        response = self.client.post("/echo", body=b"hi")
        self.assertIsInstance(response, ASGITestResponse)
        self.assertEqual((response.status_code, response.text), (200, "you sent hi"))
        self.assertEqual(self.client.get("/x").text, "you sent ")
        self.assertEqual(self.log, ["startup"])
        self.assertEqual(self.client.cookies["seen"], "1")

    def test_objects_the_app_made_at_startup_work_in_every_request(self):
        for _ in range(3):
            self.assertEqual(self.client.get("/").status_code, 200)  # the Lock is bound to the one private loop

    def test_with_runs_startup_and_close_runs_shutdown_once(self):
        with SyncASGITestClient(make_app(self.log)) as client:
            self.assertEqual(self.log, ["startup"])
            client.get("/")
        self.assertEqual(self.log, ["startup", "shutdown"])
        client.close()  # idempotent
        self.assertEqual(self.log, ["startup", "shutdown"])
        with self.assertRaisesRegex(TestkitError, r"^SyncASGITestClient is closed: make a new client"):
            client.get("/")

    def test_stream_reads_bytes_lines_events_and_read(self):
        with self.client.stream("GET", "/events") as response:
            self.assertEqual([event.data for event in response.iter_events()], ["0", "1", "2"])
        with self.client.stream("GET", "/events") as response:
            self.assertEqual(next(response.iter_bytes()), b"data: 0\n\n")  # leaving early disconnects the app
        with self.client.stream("GET", "/events") as response:
            self.assertEqual(list(response.iter_lines()), ["data: 0", "", "data: 1", "", "data: 2", ""])
        with self.client.stream("GET", "/events") as response:
            self.assertEqual(response.read(), b"data: 0\n\ndata: 1\n\ndata: 2\n\n")
            self.assertEqual(response.text.count("data"), 3)

    def test_whole_response_read_by_the_sync_readers(self):
        response = self.client.get("/events")
        self.assertEqual(list(response.iter_bytes()), [b"data: 0\n\ndata: 1\n\ndata: 2\n\n"])
        self.assertEqual([event.data for event in response.iter_events()], ["0", "1", "2"])

    def test_websocket_session_is_synchronous(self):
        with self.client.websocket_connect("/ws") as ws:
            ws.send_text("hello")
            self.assertEqual(ws.receive_text(), "HELLO")
            ws.send_json({"a": 1})
            self.assertEqual(ws.receive_text(), '{"A":1}')
            ws.send_text("bye")
            with self.assertRaises(WebSocketClosed) as closed:
                ws.receive_text()
            self.assertEqual((closed.exception.code, closed.exception.reason), (4001, "bye"))

    def test_leaving_a_websocket_tells_the_app(self):
        with self.client.websocket_connect("/ws") as ws:
            ws.send_text("x")
            ws.receive_text()
        self.assertIn("ws left 1000", self.log)

    def test_the_apps_errors_reach_the_test_as_with_the_async_client(self):
        with self.assertRaisesRegex(RuntimeError, "^the app broke$"):
            self.client.get("/broken")
        with self.assertRaises(ProtocolError):
            self.client.get("/bad")
        with SyncASGITestClient(make_app([]), raise_server_exceptions=False) as kept:
            self.assertEqual(kept.get("/broken").status_code, 500)

    def test_timeout_is_an_app_timeout(self):
        client = SyncASGITestClient(make_app([]), timeout=0.05, lifespan="off")
        self.addCleanup(client.close)
        with self.assertRaises(AppTimeout):
            client.get("/slow")

    def test_inside_a_running_loop_it_names_the_async_client(self):
        async def inside() -> None:
            with self.assertRaisesRegex(TestkitError, r"cannot be used inside a running event loop .*: use ASGITestClient there and await its methods"):
                self.client.get("/")

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and no "coroutine was never awaited"
            asyncio.run(inside())

    def test_no_thread_and_no_global_state(self):
        threads = threading.active_count()
        policy = asyncio.get_event_loop_policy()
        self.client.get("/")
        with self.client.websocket_connect("/ws") as ws:
            ws.send_text("x")
            ws.receive_text()
        self.assertEqual(threading.active_count(), threads)
        self.assertIs(asyncio.get_event_loop_policy(), policy)
        with self.assertRaises(RuntimeError):
            asyncio.get_running_loop()

    def test_startup_failure_is_a_lifespan_error(self):
        async def failing(scope: dict, receive: Any, send: Any) -> None:
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "no database"})

        with self.assertRaisesRegex(LifespanError, "no database"):
            with SyncASGITestClient(failing):
                self.fail("the block ran")


class CollectedOpenTests(unittest.TestCase):
    def test_a_client_collected_open_warns_once_and_ends_its_loop(self):
        client = SyncASGITestClient(make_app([]))
        client.get("/")
        loop = client._loop._loop
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del client
            gc.collect()
        messages = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
        self.assertEqual(len(messages), 1, messages)
        self.assertIn("garbage-collected with its event loop open: use `with client:` or `client.close()`", messages[0])
        self.assertTrue(loop.is_closed())

    def test_a_script_that_never_closes_its_client_exits_with_one_warning(self):
        script = (
            "import asyncio\n"
            "from asgiwsgi_testkit import SyncASGITestClient\n"
            "async def app(scope, receive, send):\n"
            "    if scope['type'] == 'lifespan':\n"
            "        while True:\n"
            "            m = await receive()\n"
            "            await send({'type': m['type'] + '.complete'})\n"
            "            if m['type'] == 'lifespan.shutdown': return\n"
            "    await send({'type': 'http.response.start', 'status': 204})\n"
            "    await send({'type': 'http.response.body'})\n"
            "client = SyncASGITestClient(app)\n"
            "assert client.get('/').status_code == 204\n"
        )
        done = subprocess.run([sys.executable, "-X", "dev", "-c", script], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr.count("ResourceWarning"), 1, done.stderr)
        self.assertNotIn("Task was destroyed", done.stderr)
        self.assertNotIn("never retrieved", done.stderr)


if __name__ == "__main__":
    unittest.main()


class SyncWebSocketSessionTests(unittest.TestCase):
    """Every method and typed property of the synchronous session, against tests.asgi_apps.ws_echo_app."""

    def setUp(self):
        from tests import asgi_apps

        self.client = SyncASGITestClient(asgi_apps.websocket_only(asgi_apps.ws_echo_app))
        self.addCleanup(self.client.close)

    def test_properties_are_the_sessions(self):
        with self.client.websocket_connect("/chat", subprotocols=["a", "b"]) as ws:
            self.assertEqual((ws.subprotocol, ws.accept_headers["x-accept"], ws.state.name), ("b", "yes", "OPEN"))
            self.assertEqual((ws.scope["path"], ws.close_code, ws.close_reason), ("/chat", None, ""))
            self.assertEqual(ws.label, "WebSocket /chat")  # any other attribute is the wrapped session's
            self.assertEqual(repr(ws), f"Sync{ws._session!r}")
            with self.assertRaisesRegex(AttributeError, r"^SyncWebSocketSession\.close_code is read-only: it shows _session\.close_code$"):
                ws.close_code = 1000
            ws.close(1000, "done")
            self.assertEqual((ws.close_code, ws.state.name), (1000, "CLOSED"))

    def test_each_message_kind_round_trips(self):
        with self.client.websocket_connect("/chat") as ws:
            ws.send_bytes(b"b")
            self.assertEqual(ws.receive_bytes(), b"echo:b")
            ws.send_text("t")
            self.assertEqual(ws.receive(), {"type": "websocket.send", "text": "echo:t"})
            ws.send_json([1], mode="binary")
            self.assertEqual(ws.receive_bytes(), b"echo:[1]")
