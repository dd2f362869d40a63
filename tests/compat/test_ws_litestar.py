"""Litestar WebSockets through ASGITestCase, validation on: subprotocol, echo, listeners, closes, refusals, handler errors."""

from __future__ import annotations

from typing import Any

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, WebSocketClosed, WebSocketDenied
from tests.compat._support import NoPendingTasks, requires
from tests.compat._ws_scenario import HandlerFailed, WebSocketScenario

try:
    import litestar
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    litestar = None
else:
    from litestar import Litestar, WebSocket, websocket, websocket_listener
    from litestar.exceptions import LitestarException, NotAuthorizedException, WebSocketDisconnect, WebSocketException
    from litestar.params import FromPath, FromQuery
    from litestar.status_codes import WS_1008_POLICY_VIOLATION


async def reraise(exc: Exception, scope: Any) -> None:
    """after_exception hook: let an unexpected exception reach the server, as under a debugger.

    Litestar never consults exception_handlers for WebSockets: its exception
    middleware turns every error into a close (4500 unless a WebSocketException
    names a code), and runs the after_exception hooks first. Litestar's own
    exceptions keep their close.
    """
    if not isinstance(exc, LitestarException):
        raise exc


def create_app(disconnects: list[int], propagate: bool = True):
    """A fresh Litestar app; `disconnects` records the close code each handler saw when the client left."""

    @websocket("/chat")
    async def chat(socket: WebSocket) -> None:
        offered = socket.scope["subprotocols"]
        await socket.accept(subprotocols="chat.v2" if "chat.v2" in offered else None)
        try:
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(detail="client left", code=message["code"])
                if message.get("text") is not None:
                    await socket.send_text("echo: " + message["text"])
                else:
                    await socket.send_bytes(b"echo: " + message["bytes"])
        except WebSocketDisconnect as exc:
            disconnects.append(exc.code)

    @websocket("/rooms/{room:str}")
    async def room(socket: WebSocket, room: FromPath[str], token: FromQuery[str]) -> None:
        await socket.accept()
        seen = {
            "url": str(socket.url),
            "room": room,
            "token": token,
            "tag": socket.headers.get("x-tag"),
            "note": socket.cookies.get("note"),
        }
        await socket.send_json(seen)
        await socket.close()

    @websocket("/json")
    async def json_echo(socket: WebSocket) -> None:
        await socket.accept()
        data = await socket.receive_json()
        await socket.send_json({"got": data})
        data = await socket.receive_json(mode="binary")
        await socket.send_json({"got": data}, mode="binary")
        await socket.close()

    @websocket_listener("/listener")
    async def listener(data: str) -> str:
        return data.upper()

    @websocket("/policy")
    async def policy(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("about to close")
        await socket.close(code=WS_1008_POLICY_VIOLATION, reason="policy violated")

    @websocket("/policy-raise")
    async def policy_raise(socket: WebSocket) -> None:
        await socket.accept()
        raise WebSocketException(detail="policy raised", code=WS_1008_POLICY_VIOLATION)

    @websocket("/refuse")
    async def refuse(socket: WebSocket) -> None:
        await socket.close(code=WS_1008_POLICY_VIOLATION)  # before accept: HTTP 403

    @websocket("/unauthorized")
    async def unauthorized(socket: WebSocket) -> None:
        raise NotAuthorizedException("no token")  # Litestar has no denial response: this becomes a close

    @websocket("/fail")
    async def fail(socket: WebSocket) -> None:
        await socket.accept()
        text = await socket.receive_text()
        raise HandlerFailed(f"handler failed on {text!r}")

    return Litestar(
        route_handlers=[chat, room, json_echo, listener, policy, policy_raise, refuse, unauthorized, fail],
        after_exception=[reraise] if propagate else [],
    )


@requires("litestar")
class LitestarWebSocketTests(WebSocketScenario, NoPendingTasks, ASGITestCase):
    def assert_handler_saw_close(self, code, reason):
        self.assertEqual(self.disconnects, [code])  # the handler records only the code

    def get_app(self):
        self.disconnects: list[int] = []
        return create_app(self.disconnects)

    async def test_handshake_url_query_headers_and_cookies_seen_by_handler(self):
        connect = self.client.websocket_connect("/rooms/café", query={"token": "t 1"}, headers={"X-Tag": "a"}, cookies={"note": "hi"})
        async with connect as ws:
            seen = await ws.receive_json()
        self.assertEqual(
            seen, {"url": "ws://testserver/rooms/café?token=t+1", "room": "café", "token": "t 1", "tag": "a", "note": "hi"}
        )

    async def test_listener_answers_each_message(self):
        async with self.client.websocket_connect("/listener") as ws:
            await ws.send_text("one")
            await ws.send_text("two")
            self.assertEqual(await ws.receive_text(), "ONE")
            self.assertEqual(await ws.receive_text(), "TWO")

    async def test_websocket_exception_after_accept_closes_with_its_code_and_detail(self):
        async with self.client.websocket_connect("/policy-raise") as ws:
            with self.assertRaises(WebSocketClosed) as caught:
                await ws.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (1008, "policy raised"))

    async def test_http_exception_before_accept_is_a_close_not_a_denial_response(self):
        # Litestar 2 has no WebSocket denial response (litestar-org/litestar#4111): the exception middleware
        # closes with 4500 and the detail, so the client sees a plain 403 with no response body.
        with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 4500, HTTP 403") as caught:
            async with self.client.websocket_connect("/unauthorized"):
                self.fail("the block must not run when the handshake is refused")
        self.assertIsNone(caught.exception.response)

    async def test_handler_exception_becomes_close_4500_without_hook(self):
        async with ASGITestClient(create_app([], propagate=False)) as client:
            async with client.websocket_connect("/fail") as ws:
                await ws.send_text("bad input")
                with self.assertRaises(WebSocketClosed) as caught:
                    await ws.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (4500, "Internal Server Error"))
