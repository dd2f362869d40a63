"""Quart WebSockets through ASGITestCase, validation on: subprotocol, accept headers, echo, closes, denials, handler errors."""

from __future__ import annotations

import asyncio
import json

from asgiwsgi_testkit import ASGITestCase, WebSocketDenied
from tests.compat._support import NoPendingTasks, requires
from tests.compat._ws_scenario import HandlerFailed, WebSocketDenialScenario, WebSocketScenario

try:
    import quart
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    quart = None


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
class QuartWebSocketTests(WebSocketScenario, WebSocketDenialScenario, NoPendingTasks, ASGITestCase):
    def assert_handler_saw_close(self, code, reason):
        # Quart reads websocket.disconnect itself and cancels the handler; the handler never sees the code
        self.assertEqual(self.disconnects, [{"type": "websocket.disconnect", "code": code, "reason": reason}])
        self.assertEqual(self.events, ["handler cancelled"])

    def get_app(self):
        self.events: list[str] = []
        self.disconnects: list[dict] = []
        return create_app(self.events, self.disconnects)

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

    async def test_handshake_accepted_when_handler_does_not_deny(self):
        async with self.client.websocket_connect("/deny", headers={"X-Token": "good"}) as ws:
            self.assertEqual(await ws.receive_text(), "welcome")

    async def test_abort_before_accept_becomes_denial_response(self):
        with self.assertRaises(WebSocketDenied) as caught:
            async with self.client.websocket_connect("/abort"):
                self.fail("the block must not run when the handshake is refused")
        self.assertStatus(caught.exception.response, 404)
