"""Starlette WebSockets through ASGITestCase, validation on: subprotocol, handshake, echo, closes, denials, errors, a send loop."""

from __future__ import annotations

from asgiwsgi_testkit import ASGITestCase, WebSocketClosed, WebSocketDenied
from tests.compat._support import NoPendingTasks, requires
from tests.compat._ws_scenario import HandlerFailed, WebSocketDenialScenario, WebSocketScenario

try:
    import starlette
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    starlette = None
else:
    from starlette.applications import Starlette
    from starlette.endpoints import WebSocketEndpoint
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect


def create_app(disconnects: list[tuple[int, str]], ticker: dict):
    """A fresh Starlette app; `disconnects` records the (code, reason) each handler saw when the client left.

    `ticker` records how many messages the send loop sent and the disconnect code it saw.
    """

    async def chat(websocket: WebSocket):
        await websocket.accept(subprotocol="chat.v2" if "chat.v2" in websocket.scope["subprotocols"] else None)
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(message["code"], message.get("reason"))
                if message.get("text") is not None:
                    await websocket.send_text("echo: " + message["text"])
                else:
                    await websocket.send_bytes(b"echo: " + message["bytes"])
        except WebSocketDisconnect as exc:
            disconnects.append((exc.code, exc.reason or ""))

    async def json_echo(websocket: WebSocket):
        await websocket.accept()
        data = await websocket.receive_json()
        await websocket.send_json({"got": data})
        data = await websocket.receive_json(mode="binary")
        await websocket.send_json({"got": data}, mode="binary")
        await websocket.close()

    async def policy(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text("about to close")
        await websocket.close(code=1008, reason="policy violated")

    async def refuse(websocket: WebSocket):
        await websocket.close()  # before accept: the handshake fails with HTTP 403

    async def deny(websocket: WebSocket):
        response = PlainTextResponse("no token", status_code=401, headers={"www-authenticate": "Token"})
        await websocket.send_denial_response(response)

    async def deny_streamed(websocket: WebSocket):
        async def parts():
            yield b"part 1, "
            yield b"part 2"

        await websocket.send_denial_response(StreamingResponse(parts(), status_code=400, media_type="text/plain"))

    class Counter(WebSocketEndpoint):
        encoding = "json"

        async def on_connect(self, websocket):
            self.count = 0
            await websocket.accept()

        async def on_receive(self, websocket, data):
            self.count += data["add"]
            await websocket.send_json({"count": self.count})

        async def on_disconnect(self, websocket, close_code):
            disconnects.append((close_code, f"count {self.count}"))

    async def fail(websocket: WebSocket):
        await websocket.accept()
        text = await websocket.receive_text()
        raise HandlerFailed(f"handler failed on {text!r}")

    async def whoami(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_json(
            {
                "url": str(websocket.url),
                "client": list(websocket.client),
                "token": websocket.query_params.get("token"),
                "tag": websocket.headers.get("x-tag"),
                "note": websocket.cookies.get("note"),
                "user": websocket.session.get("user"),
            }
        )
        await websocket.close()

    async def login(request):
        request.session["user"] = "ann"
        return JSONResponse({"logged_in": True})

    async def ticks(websocket: WebSocket):
        await websocket.accept()
        try:
            for _ in range(1000):  # awaits nothing but send; bounded, so a kit that starves the test fails, not hangs
                ticker["sent"] += 1
                await websocket.send_text(f"tick {ticker['sent']}")
        except WebSocketDisconnect as exc:  # Starlette turns the server's OSError on send into code 1006
            ticker["code"] = exc.code

    return Starlette(
        routes=[
            WebSocketRoute("/chat", chat),
            WebSocketRoute("/ticks", ticks),
            WebSocketRoute("/whoami", whoami),
            Route("/login", login, methods=["POST"]),
            WebSocketRoute("/json", json_echo),
            WebSocketRoute("/policy", policy),
            WebSocketRoute("/refuse", refuse),
            WebSocketRoute("/deny", deny),
            WebSocketRoute("/deny-streamed", deny_streamed),
            WebSocketRoute("/counter", Counter),
            WebSocketRoute("/fail", fail),
        ],
        middleware=[Middleware(SessionMiddleware, secret_key="compat-tests")],
    )


@requires("starlette")
class StarletteWebSocketTests(WebSocketScenario, WebSocketDenialScenario, NoPendingTasks, ASGITestCase):
    REFUSED_CLOSE_CODE = 1000  # websocket.close() with no code

    def get_app(self):
        self.disconnects: list[tuple[int, str]] = []
        self.ticker = {"sent": 0, "code": None}
        return create_app(self.disconnects, self.ticker)

    async def test_handshake_url_query_headers_and_cookies_seen_by_handler(self):
        connect = self.client.websocket_connect("/whoami", query={"token": "t 1"}, headers={"X-Tag": "a"}, cookies={"note": "hi"})
        async with connect as ws:
            seen = await ws.receive_json()
        self.assertEqual(
            seen,
            {"url": "ws://testserver/whoami?token=t+1", "client": ["127.0.0.1", 50000], "token": "t 1", "tag": "a", "note": "hi", "user": None},
        )

    async def test_session_cookie_from_http_login_sent_with_handshake(self):
        self.assertStatus(await self.client.post("/login"), 200)
        async with self.client.websocket_connect("/whoami") as ws:
            self.assertEqual((await ws.receive_json())["user"], "ann")

    async def test_send_after_app_closed_raises_closed(self):
        async with self.client.websocket_connect("/policy") as ws:
            self.assertEqual(await ws.receive_text(), "about to close")
            with self.assertRaises(WebSocketClosed):
                await ws.receive_text()
            with self.assertRaisesRegex(WebSocketClosed, r"the message cannot be sent"):
                await ws.send_text("too late")

    async def test_streamed_denial_response_joined_by_denied(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused with a denial response: HTTP 400") as caught:
            async with self.client.websocket_connect("/deny-streamed"):
                self.fail("the block must not run when the handshake is refused")
        self.assertEqual(caught.exception.response.text, "part 1, part 2")
        self.assertContentType(caught.exception.response, "text/plain")

    async def test_unknown_path_refused_with_403(self):
        with self.assertRaises(WebSocketDenied) as caught:
            async with self.client.websocket_connect("/missing"):
                self.fail("the block must not run when no route matches")
        self.assertEqual(caught.exception.status_code, 403)  # Starlette's router closes the unmatched WebSocket

    async def test_endpoint_class_decodes_json_and_sees_close_code(self):
        async with self.client.websocket_connect("/counter") as ws:
            await ws.send_json({"add": 2})
            self.assertEqual(await ws.receive_json(), {"count": 2})
            await ws.send_json({"add": 3}, mode="binary")  # Starlette's json encoding reads text or bytes
            self.assertEqual(await ws.receive_json(), {"count": 5})
            await ws.close(3000)
        self.assertEqual(self.disconnects, [(3000, "count 5")])

    async def test_send_loop_left_early_gets_disconnect_on_next_send(self):
        async with self.client.websocket_connect("/ticks") as ws:
            self.assertEqual([await ws.receive_text() for _ in range(3)], ["tick 1", "tick 2", "tick 3"])
        self.assertEqual(self.ticker["code"], 1006)
        self.assertLessEqual(self.ticker["sent"], 6)  # the sender ran at most a few messages ahead of the reader
