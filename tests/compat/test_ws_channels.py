"""Channels WebSockets (AsyncWebsocketConsumer, URLRouter, ProtocolTypeRouter) through ASGITestCase, validation on."""

from __future__ import annotations

import json

from asgiwsgi_testkit import ASGITestCase, WebSocketDenied
from tests.compat._support import NoPendingTasks, configure_django, requires
from tests.compat._ws_scenario import HandlerFailed, WebSocketDenialScenario, WebSocketScenario

try:
    import channels
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    channels = None


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
            path("ws/deny", RawDenial.as_asgi()),
            path("ws/fail", Fail.as_asgi()),
        ]
        return ProtocolTypeRouter({"websocket": URLRouter(routes)})


@requires("channels")
class ChannelsWebSocketTests(WebSocketScenario, WebSocketDenialScenario, NoPendingTasks, ASGITestCase):
    PATH_PREFIX = "/ws"
    REFUSED_CLOSE_CODE = 1000  # DenyConnection closes with no code
    HANDLER_FAILURE = r"consumer failed on 'bad input'"

    def assert_handler_saw_close(self, code, reason):
        self.assertEqual(self.disconnects, [code])  # Chat.disconnect() is given only the code

    def get_app(self):
        self.disconnects: list[int] = []
        return create_app(self.disconnects)

    async def test_handshake_path_query_headers_and_cookies_seen_by_consumer(self):
        connect = self.client.websocket_connect("/ws/rooms/café", query={"token": "t 1"}, headers={"X-Tag": "a"}, cookies={"note": "hi"})
        async with connect as ws:
            seen = await ws.receive_json()
        self.assertEqual(seen, {"scheme": "ws", "path": "/ws/rooms/café", "room": "café", "token": "t 1", "tag": "a", "note": "hi"})

    async def test_origin_validator_refuses_foreign_origin_with_403(self):
        with self.assertRaises(WebSocketDenied) as caught:
            async with self.client.websocket_connect("/ws/guarded", headers={"Origin": "http://evil.example"}):
                self.fail("the block must not run when the origin is refused")
        self.assertEqual(caught.exception.status_code, 403)

    async def test_origin_validator_accepts_allowed_origin(self):
        async with self.client.websocket_connect("/ws/guarded", headers={"Origin": "http://testserver"}) as ws:
            await ws.send_text("hi")
            self.assertEqual(await ws.receive_text(), "echo: hi")

    async def test_unknown_path_raises_router_error(self):
        with self.assertRaisesRegex(ValueError, r"No route found for path 'ws/missing'"):
            async with self.client.websocket_connect("/ws/missing"):
                self.fail("the block must not run when no route matches")
