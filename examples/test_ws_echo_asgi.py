"""Tests for the WebSocket app in examples/ws_echo_asgi.py: echo, JSON, subprotocols, denials, closes and a room broadcast."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import ASGITestCase, WebSocketClosed, WebSocketDenied
from examples.ws_echo_asgi import MAX_MESSAGE, create_app


class WebSocketTestCase(ASGITestCase):
    """Every test gets a fresh app and ends with no task pending."""

    def get_app(self):
        self.chat = create_app()
        return self.chat

    async def asyncSetUp(self):
        self.addAsyncCleanup(self.no_task_left)  # registered first, so it runs last
        await super().asyncSetUp()

    async def no_task_left(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class EchoTests(WebSocketTestCase):
    async def test_text_and_bytes_come_back_as_sent(self):
        async with self.client.websocket_connect("/echo") as ws:
            await ws.send_text("hello")
            self.assertEqual(await ws.receive_text(), "hello")
            await ws.send_bytes(b"\x00\xff")
            self.assertEqual(await ws.receive_bytes(), b"\x00\xff")
        self.assertEqual(self.chat.sessions_finished, 1)  # leaving the block waited for the app to return

    async def test_accept_headers_are_kept_on_the_session(self):
        async with self.client.websocket_connect("/echo") as ws:
            self.assertEqual(ws.accept_headers["x-server"], "ws-echo")
            self.assertIsNone(ws.subprotocol)  # none offered, none chosen

    async def test_server_picks_its_preferred_subprotocol_among_the_offered(self):
        async with self.client.websocket_connect("/echo", subprotocols=["chat.v1", "chat.v2"]) as ws:
            self.assertEqual(ws.subprotocol, "chat.v2")
            self.assertEqual(ws.scope["subprotocols"], ["chat.v1", "chat.v2"])

    async def test_no_subprotocol_when_none_offered_is_supported(self):
        async with self.client.websocket_connect("/echo", subprotocols=["mqtt"]) as ws:
            self.assertIsNone(ws.subprotocol)

    async def test_bye_makes_the_app_close_with_code_and_reason(self):
        async with self.client.websocket_connect("/echo") as ws:
            await ws.send_text("bye")
            with self.assertRaisesRegex(WebSocketClosed, r"^WebSocket /echo closed by the app: code 1000, reason 'goodbye'$") as caught:
                await ws.receive_text()
            self.assertEqual((caught.exception.code, caught.exception.reason), (1000, "goodbye"))
            with self.assertRaisesRegex(WebSocketClosed, r"is closed \(code 1000, reason 'goodbye'\); the message cannot be sent"):
                await ws.send_text("anyone there?")

    async def test_receive_shows_the_close_event_after_the_app_closed(self):
        async with self.client.websocket_connect("/echo") as ws:
            await ws.send_text("bye")
            self.assertEqual(await ws.receive(), {"type": "websocket.close", "code": 1000, "reason": "goodbye"})

    async def test_plain_http_gets_426(self):
        response = await self.client.get("/echo")
        self.assertStatus(response, 426)
        self.assertHeader(response, "upgrade", "websocket")


class JSONTests(WebSocketTestCase):
    async def test_json_messages_are_echoed_with_a_count(self):
        async with self.client.websocket_connect("/json") as ws:
            await ws.send_json({"a": [1, 2]})
            self.assertEqual(await ws.receive_json(), {"echo": {"a": [1, 2]}, "n": 1})
            await ws.send_json("second")
            self.assertEqual(await ws.receive_json(), {"echo": "second", "n": 2})

    async def test_text_that_is_not_json_closes_with_1003(self):
        async with self.client.websocket_connect("/json") as ws:
            await ws.send_text("not json")
            with self.assertRaisesRegex(WebSocketClosed, r"code 1003, reason 'send JSON text'") as caught:
                await ws.receive_json()
            self.assertEqual(caught.exception.code, 1003)


class DenialTests(WebSocketTestCase):
    async def test_room_without_user_is_denied_with_403(self):
        with self.assertRaisesRegex(WebSocketDenied, r"^WebSocket /rooms/lobby was refused before accept: close code 1008, HTTP 403$") as caught:
            async with self.client.websocket_connect("/rooms/lobby"):
                self.fail("the app accepted a room without ?user=")
        self.assertEqual(caught.exception.status_code, 403)
        self.assertIsNone(caught.exception.response)
        self.assertEqual(self.chat.rooms, {})

    async def test_unknown_path_is_denied(self):
        with self.assertRaisesRegex(WebSocketDenied, r"WebSocket /nowhere was refused before accept"):
            async with self.client.websocket_connect("/nowhere"):
                self.fail("accepted")

    async def test_admin_without_token_gets_the_401_denial_response(self):
        with self.assertRaisesRegex(WebSocketDenied, r"^WebSocket /admin was refused with a denial response: HTTP 401 Unauthorized$") as caught:
            async with self.client.websocket_connect("/admin"):
                self.fail("accepted without a token")
        denial = caught.exception.response
        self.assertEqual(caught.exception.status_code, 401)
        self.assertStatus(denial, 401)
        self.assertHeader(denial, "www-authenticate", "Bearer")
        self.assertJSON(denial, {"error": "log in first"})

    async def test_admin_with_token_is_greeted_then_closed(self):
        async with self.client.websocket_connect("/admin", headers={"Authorization": "Bearer letmein"}) as ws:
            self.assertEqual(await ws.receive_text(), "hello admin")
            with self.assertRaisesRegex(WebSocketClosed, r"code 1000, reason 'done'"):
                await ws.receive_text()


class RoomTests(WebSocketTestCase):
    async def test_a_message_is_broadcast_to_everyone_in_the_room(self):
        async with self.client.websocket_connect("/rooms/lobby", query={"user": "ann"}) as ann:
            self.assertEqual(await ann.receive_json(), {"event": "join", "user": "ann"})
            async with self.client.websocket_connect("/rooms/lobby", query={"user": "bob"}) as bob:
                self.assertEqual(await bob.receive_json(), {"event": "join", "user": "bob"})
                self.assertEqual(await ann.receive_json(), {"event": "join", "user": "bob"})
                self.assertEqual([m.user for m in self.chat.rooms["lobby"]], ["ann", "bob"])

                await ann.send_text("hi bob")
                said = {"event": "message", "user": "ann", "text": "hi bob"}
                self.assertEqual(await ann.receive_json(), said)
                self.assertEqual(await bob.receive_json(), said)
            # bob's block disconnected him and waited for his app call to return, which told the room
            self.assertEqual(await ann.receive_json(), {"event": "leave", "user": "bob"})
            self.assertEqual([m.user for m in self.chat.rooms["lobby"]], ["ann"])
        self.assertEqual(self.chat.rooms, {})
        self.assertEqual(self.chat.sessions_finished, 2)

    async def test_rooms_do_not_hear_each_other(self):
        async with self.client.websocket_connect("/rooms/a", query={"user": "ann"}) as ann:
            async with self.client.websocket_connect("/rooms/b", query={"user": "bob"}) as bob:
                self.assertEqual(await ann.receive_json(), {"event": "join", "user": "ann"})
                self.assertEqual(await bob.receive_json(), {"event": "join", "user": "bob"})
                await bob.send_text("only room b")
                self.assertEqual((await bob.receive_json())["text"], "only room b")
                await ann.send_text("only room a")
                self.assertEqual(await ann.receive_json(), {"event": "message", "user": "ann", "text": "only room a"})  # not bob's

    async def test_a_client_closing_with_a_code_leaves_the_room(self):
        async with self.client.websocket_connect("/rooms/lobby", query={"user": "ann"}) as ann:
            async with self.client.websocket_connect("/rooms/lobby", query={"user": "bob"}) as bob:
                await bob.close(1001, "tab closed")
                self.assertEqual((bob.close_code, bob.close_reason), (1001, "tab closed"))
                self.assertEqual([m.user for m in self.chat.rooms["lobby"]], ["ann"])  # close() waited for bob's app call
            events = [await ann.receive_json() for _ in range(3)]
            self.assertEqual(events, [{"event": "join", "user": "ann"}, {"event": "join", "user": "bob"}, {"event": "leave", "user": "bob"}])

    async def test_a_message_over_the_limit_closes_the_sender_with_1009(self):
        async with self.client.websocket_connect("/rooms/lobby", query={"user": "ann"}) as ann:
            await ann.receive_json()  # her own join
            await ann.send_text("x" * (MAX_MESSAGE + 1))
            with self.assertRaisesRegex(WebSocketClosed, rf"code 1009, reason 'messages are limited to {MAX_MESSAGE} characters'") as caught:
                await ann.receive_json()
            self.assertEqual(caught.exception.code, 1009)
        self.assertEqual(self.chat.rooms, {})


if __name__ == "__main__":
    unittest.main()
