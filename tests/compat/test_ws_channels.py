"""Channels WebSockets (AsyncWebsocketConsumer, URLRouter, ProtocolTypeRouter) through ASGITestCase, validation on."""

from __future__ import annotations

import json

from asgiwsgi_testkit import ASGITestCase, WebSocketClosed, WebSocketDenied
from tests.compat._support import NoPendingTasks, configure_django, requires

try:
    import channels
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    channels = None


class HandlerFailed(Exception):
    """Raised by the failing consumer, so the test can tell it from anything the kit raises."""


if channels is not None:
    configure_django()  # shared with the Django modules; URLRouter needs settings, no URLconf

    from channels.consumer import AsyncConsumer
    from channels.exceptions import DenyConnection
    from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import OriginValidator
    from channels.sessions import CookieMiddleware
    from django.http import QueryDict
    from django.urls import path

    class Chat(AsyncWebsocketConsumer):
        """Echoes text and bytes; records the close code it is given on disconnect."""

        def __init__(self, disconnects: list[int], **kwargs):
            super().__init__(**kwargs)
            self.disconnects = disconnects

        async def connect(self):
            offered = self.scope["subprotocols"]
            await self.accept(subprotocol="chat.v2" if "chat.v2" in offered else None)

        async def receive(self, text_data=None, bytes_data=None):
            if text_data is not None:
                await self.send(text_data="echo: " + text_data)
            else:
                await self.send(bytes_data=b"echo: " + bytes_data)

        async def disconnect(self, code):
            self.disconnects.append(code)

    class Room(AsyncJsonWebsocketConsumer):
        async def connect(self):
            await self.accept()
            headers = dict(self.scope["headers"])
            seen = {
                "scheme": self.scope["scheme"],
                "path": self.scope["path"],
                "room": self.scope["url_route"]["kwargs"]["room"],
                "token": QueryDict(self.scope["query_string"]).get("token"),
                "tag": headers[b"x-tag"].decode(),
                "note": self.scope["cookies"].get("note"),
            }
            await self.send_json(seen, close=True)

    class JSONEcho(AsyncJsonWebsocketConsumer):
        async def receive(self, text_data=None, bytes_data=None, **kwargs):
            if bytes_data is not None:  # the JSON consumer only decodes text frames; binary JSON is read by hand
                await self.send(bytes_data=json.dumps({"got": json.loads(bytes_data)}).encode())
                await self.close()
            else:
                await super().receive(text_data=text_data, **kwargs)

        async def receive_json(self, content, **kwargs):
            await self.send_json({"got": content})

    class Policy(AsyncWebsocketConsumer):
        async def connect(self):
            await self.accept()
            await self.send(text_data="about to close")
            await self.close(code=1008, reason="policy violated")

    class Refuse(AsyncWebsocketConsumer):
        async def connect(self):
            raise DenyConnection  # Channels closes before accept: HTTP 403

    class RawDenial(AsyncWebsocketConsumer):
        """Channels has no denial-response helper; its base AsyncConsumer.send passes the extension's events through."""

        async def connect(self):
            start = {"type": "websocket.http.response.start", "status": 401, "headers": [(b"www-authenticate", b"Token")]}
            await AsyncConsumer.send(self, start)
            await AsyncConsumer.send(self, {"type": "websocket.http.response.body", "body": b"no token"})

    class Fail(AsyncWebsocketConsumer):
        async def receive(self, text_data=None, bytes_data=None):
            raise HandlerFailed(f"consumer failed on {text_data!r}")

    def create_app(disconnects: list[int]):
        """A ProtocolTypeRouter over a URLRouter; `disconnects` records the codes Chat's disconnect() got."""
        routes = [
            path("ws/chat", Chat.as_asgi(disconnects=disconnects)),
            path("ws/guarded", OriginValidator(Chat.as_asgi(disconnects=disconnects), ["http://testserver"])),
            path("ws/rooms/<str:room>", CookieMiddleware(Room.as_asgi())),
            path("ws/json", JSONEcho.as_asgi()),
            path("ws/policy", Policy.as_asgi()),
            path("ws/refuse", Refuse.as_asgi()),
            path("ws/raw-denial", RawDenial.as_asgi()),
            path("ws/fail", Fail.as_asgi()),
        ]
        return ProtocolTypeRouter({"websocket": URLRouter(routes)})


@requires("channels")
class ChannelsWebSocketTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.disconnects: list[int] = []
        return create_app(self.disconnects)

    async def test_subprotocol_negotiated_from_offered_list(self):
        async with self.client.websocket_connect("/ws/chat", subprotocols=["chat.v1", "chat.v2"]) as ws:
            self.assertEqual(ws.subprotocol, "chat.v2")

    async def test_subprotocol_none_when_not_offered(self):
        async with self.client.websocket_connect("/ws/chat") as ws:
            self.assertIsNone(ws.subprotocol)

    async def test_handshake_path_query_headers_and_cookies_seen_by_consumer(self):
        connect = self.client.websocket_connect("/ws/rooms/café", query={"token": "t 1"}, headers={"X-Tag": "a"}, cookies={"note": "hi"})
        async with connect as ws:
            seen = await ws.receive_json()
        self.assertEqual(seen, {"scheme": "ws", "path": "/ws/rooms/café", "room": "café", "token": "t 1", "tag": "a", "note": "hi"})

    async def test_text_and_bytes_echoed_in_order(self):
        async with self.client.websocket_connect("/ws/chat") as ws:
            await ws.send_text("héllo")
            await ws.send_bytes(b"\x00\xff")
            self.assertEqual(await ws.receive_text(), "echo: héllo")
            self.assertEqual(await ws.receive_bytes(), b"echo: \x00\xff")

    async def test_json_echoed_as_text_and_binary(self):
        async with self.client.websocket_connect("/ws/json") as ws:
            await ws.send_json({"n": 1, "name": "Zoë"})
            self.assertEqual(await ws.receive_json(), {"got": {"n": 1, "name": "Zoë"}})
            await ws.send_json([1, 2], mode="binary")
            self.assertEqual(await ws.receive_json(mode="binary"), {"got": [1, 2]})
            with self.assertRaises(WebSocketClosed) as caught:
                await ws.receive_json()
        self.assertEqual(caught.exception.code, 1000)  # Channels' close() without a code sends none: 1000

    async def test_app_close_1008_raises_closed_with_code_and_reason(self):
        async with self.client.websocket_connect("/ws/policy") as ws:
            self.assertEqual(await ws.receive_text(), "about to close")
            with self.assertRaisesRegex(WebSocketClosed, r"closed by the app: code 1008, reason 'policy violated'") as caught:
                await ws.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (1008, "policy violated"))

    async def test_deny_connection_raises_denied_403(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 1000, HTTP 403") as caught:
            async with self.client.websocket_connect("/ws/refuse"):
                self.fail("the block must not run when the handshake is refused")
        self.assertEqual(caught.exception.status_code, 403)
        self.assertIsNone(caught.exception.response)  # Channels has no denial-response helper

    async def test_origin_validator_refuses_foreign_origin_with_403(self):
        with self.assertRaises(WebSocketDenied) as caught:
            async with self.client.websocket_connect("/ws/guarded", headers={"Origin": "http://evil.example"}):
                self.fail("the block must not run when the origin is refused")
        self.assertEqual(caught.exception.status_code, 403)

    async def test_origin_validator_accepts_allowed_origin(self):
        async with self.client.websocket_connect("/ws/guarded", headers={"Origin": "http://testserver"}) as ws:
            await ws.send_text("hi")
            self.assertEqual(await ws.receive_text(), "echo: hi")

    async def test_raw_denial_events_from_consumer_carried_by_denied(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused with a denial response: HTTP 401") as caught:
            async with self.client.websocket_connect("/ws/raw-denial"):
                self.fail("the block must not run when the handshake is refused")
        response = caught.exception.response
        self.assertStatus(response, 401)
        self.assertEqual(response.text, "no token")
        self.assertEqual(response.headers["www-authenticate"], "Token")

    async def test_unknown_path_raises_router_error(self):
        with self.assertRaisesRegex(ValueError, r"No route found for path 'ws/missing'"):
            async with self.client.websocket_connect("/ws/missing"):
                self.fail("the block must not run when no route matches")

    async def test_consumer_exception_raised_into_waiting_receive(self):
        async with self.client.websocket_connect("/ws/fail") as ws:
            await ws.send_text("bad input")
            with self.assertRaisesRegex(HandlerFailed, r"consumer failed on 'bad input'"):
                await ws.receive_text()

    async def test_consumer_exception_raised_when_block_left_without_receive(self):
        with self.assertRaisesRegex(HandlerFailed, r"consumer failed on 'bad input'"):
            async with self.client.websocket_connect("/ws/fail") as ws:
                await ws.send_text("bad input")

    async def test_client_close_code_reaches_consumer_disconnect(self):
        async with self.client.websocket_connect("/ws/chat") as ws:
            await ws.send_text("one")
            self.assertEqual(await ws.receive_text(), "echo: one")
            await ws.close(4001, "done here")
            self.assertEqual(self.disconnects, [4001])  # close() waits for the consumer to finish

    async def test_leaving_block_delivers_disconnect_1000(self):
        async with self.client.websocket_connect("/ws/chat") as ws:
            await ws.send_bytes(b"x")
            self.assertEqual(await ws.receive_bytes(), b"echo: x")
        self.assertEqual(self.disconnects, [1000])
