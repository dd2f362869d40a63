"""Quart WebSockets through ASGITestCase, validation on: subprotocol, accept headers, echo, closes, denials, handler errors."""

from __future__ import annotations

import asyncio
import json

from asgiwsgi_testkit import ASGITestCase, WebSocketClosed, WebSocketDenied
from tests.compat._support import NoPendingTasks, requires

try:
    import quart
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    quart = None


class HandlerFailed(Exception):
    """Raised by the failing handler, so the test can tell it from anything the kit raises."""


def record_disconnects(asgi_app, seen: list[dict]):
    """Wrap Quart's ASGI app and record every websocket.disconnect event it receives."""

    async def recording(scope, receive, send):
        async def watched_receive():
            message = await receive()
            if message["type"] == "websocket.disconnect":
                seen.append(message)
            return message

        await asgi_app(scope, watched_receive, send)

    return recording


def create_app(events: list[str], disconnects: list[dict]):
    """A fresh Quart app; `events` records what handlers saw, `disconnects` the disconnect events Quart received."""
    app = quart.Quart(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True  # as under a debugger: the handler's exception reaches the server
    app.asgi_app = record_disconnects(app.asgi_app, disconnects)
    websocket = quart.websocket

    @app.websocket("/chat")
    async def chat():
        offered = websocket.requested_subprotocols
        await websocket.accept(headers={"X-Server": "quart"}, subprotocol="chat.v2" if "chat.v2" in offered else None)
        try:
            while True:
                data = await websocket.receive()
                await websocket.send(("echo: " + data) if isinstance(data, str) else (b"echo: " + data))
        except asyncio.CancelledError:  # Quart cancels the handler when the client disconnects
            events.append("handler cancelled")
            raise

    @app.websocket("/rooms/<room>")
    async def room(room):
        await websocket.accept()
        seen = {
            "url": websocket.url,
            "scheme": websocket.scheme,
            "room": room,
            "token": websocket.args.get("token"),
            "tag": websocket.headers.get("X-Tag"),
            "note": websocket.cookies.get("note"),
        }
        await websocket.send_json(seen)
        await websocket.close(1000)

    @app.websocket("/json")
    async def json_echo():
        await websocket.accept()
        data = await websocket.receive_json()
        await websocket.send_json({"got": data})
        data = json.loads(await websocket.receive())  # a binary message arrives as bytes
        await websocket.send(json.dumps({"got": data}).encode())
        await websocket.close(1000)

    @app.websocket("/policy")
    async def policy():
        await websocket.accept()
        await websocket.send("about to close")
        await websocket.close(1008, "policy violated")

    @app.websocket("/refuse")
    async def refuse():
        await websocket.close(1008)  # before accept: HTTP 403

    @app.websocket("/deny")
    async def deny():
        if websocket.headers.get("X-Token") != "good":
            return "no token", 401, {"WWW-Authenticate": "Token"}  # before accept: a denial response
        await websocket.accept()
        await websocket.send("welcome")

    @app.websocket("/abort")
    async def abort_handshake():
        quart.abort(404)

    @app.websocket("/fail")
    async def fail():
        await websocket.accept()
        text = await websocket.receive()
        raise HandlerFailed(f"handler failed on {text!r}")

    return app


@requires("quart")
class QuartWebSocketTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.events: list[str] = []
        self.disconnects: list[dict] = []
        return create_app(self.events, self.disconnects)

    async def test_subprotocol_negotiated_from_offered_list(self):
        async with self.client.websocket_connect("/chat", subprotocols=["chat.v1", "chat.v2"]) as ws:
            self.assertEqual(ws.subprotocol, "chat.v2")

    async def test_subprotocol_none_when_not_offered(self):
        async with self.client.websocket_connect("/chat") as ws:
            self.assertIsNone(ws.subprotocol)

    async def test_accept_headers_reach_session(self):
        async with self.client.websocket_connect("/chat") as ws:
            self.assertEqual(ws.accept_headers["x-server"], "quart")

    async def test_handshake_url_query_headers_and_cookies_seen_by_handler(self):
        connect = self.client.websocket_connect("/rooms/café", query={"token": "t 1"}, headers={"X-Tag": "a"}, cookies={"note": "hi"})
        async with connect as ws:
            seen = await ws.receive_json()
        self.assertEqual(
            seen,
            {"url": "ws://testserver/rooms/café?token=t+1", "scheme": "ws", "room": "café", "token": "t 1", "tag": "a", "note": "hi"},
        )

    async def test_text_and_bytes_echoed_in_order(self):
        async with self.client.websocket_connect("/chat") as ws:
            await ws.send_text("héllo")
            await ws.send_bytes(b"\x00\xff")
            self.assertEqual(await ws.receive_text(), "echo: héllo")
            self.assertEqual(await ws.receive_bytes(), b"echo: \x00\xff")

    async def test_json_echoed_as_text_and_binary(self):
        async with self.client.websocket_connect("/json") as ws:
            await ws.send_json({"n": 1, "name": "Zoë"})
            self.assertEqual(await ws.receive_json(), {"got": {"n": 1, "name": "Zoë"}})
            await ws.send_json([1, 2], mode="binary")
            self.assertEqual(await ws.receive_json(mode="binary"), {"got": [1, 2]})
            with self.assertRaises(WebSocketClosed) as caught:
                await ws.receive_json()
        self.assertEqual(caught.exception.code, 1000)

    async def test_app_close_1008_raises_closed_with_code_and_reason(self):
        async with self.client.websocket_connect("/policy") as ws:
            self.assertEqual(await ws.receive_text(), "about to close")
            with self.assertRaisesRegex(WebSocketClosed, r"closed by the app: code 1008, reason 'policy violated'") as caught:
                await ws.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (1008, "policy violated"))

    async def test_close_before_accept_raises_denied_403(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 1008, HTTP 403") as caught:
            async with self.client.websocket_connect("/refuse"):
                self.fail("the block must not run when the handshake is refused")
        self.assertEqual(caught.exception.status_code, 403)
        self.assertIsNone(caught.exception.response)

    async def test_returned_response_becomes_denial_response(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused with a denial response: HTTP 401") as caught:
            async with self.client.websocket_connect("/deny"):
                self.fail("the block must not run when the handshake is refused")
        response = caught.exception.response
        self.assertStatus(response, 401)
        self.assertEqual(response.text, "no token")
        self.assertEqual(response.headers["www-authenticate"], "Token")

    async def test_handshake_accepted_when_handler_does_not_deny(self):
        async with self.client.websocket_connect("/deny", headers={"X-Token": "good"}) as ws:
            self.assertEqual(await ws.receive_text(), "welcome")

    async def test_abort_before_accept_becomes_denial_response(self):
        with self.assertRaises(WebSocketDenied) as caught:
            async with self.client.websocket_connect("/abort"):
                self.fail("the block must not run when the handshake is refused")
        self.assertStatus(caught.exception.response, 404)

    async def test_handler_exception_raised_into_waiting_receive(self):
        async with self.client.websocket_connect("/fail") as ws:
            await ws.send_text("bad input")
            with self.assertRaisesRegex(HandlerFailed, r"handler failed on 'bad input'"):
                await ws.receive_text()

    async def test_handler_exception_raised_when_block_left_without_receive(self):
        with self.assertRaisesRegex(HandlerFailed, r"handler failed on 'bad input'"):
            async with self.client.websocket_connect("/fail") as ws:
                await ws.send_text("bad input")

    async def test_client_close_code_reaches_app_and_cancels_handler(self):
        # Quart reads websocket.disconnect itself and cancels the handler; the handler never sees the code
        async with self.client.websocket_connect("/chat") as ws:
            await ws.send_text("one")
            self.assertEqual(await ws.receive_text(), "echo: one")
            await ws.close(4001, "done here")
            self.assertEqual(self.disconnects, [{"type": "websocket.disconnect", "code": 4001, "reason": "done here"}])
            self.assertEqual(self.events, ["handler cancelled"])  # close() waits for the app to finish

    async def test_leaving_block_delivers_disconnect_1000(self):
        async with self.client.websocket_connect("/chat") as ws:
            await ws.send_text("one")
            self.assertEqual(await ws.receive_text(), "echo: one")
        self.assertEqual([event["code"] for event in self.disconnects], [1000])
        self.assertEqual(self.events, ["handler cancelled"])
