"""Tests for _asgi_websocket and websocket_connect: handshake, messages, closing, timeouts, app errors, misuse, protocol errors, concurrency, state."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import (
    AppTimeout,
    ASGITestCase,
    ASGITestClient,
    ProtocolError,
    WebSocketClosed,
    WebSocketDenied,
    WebSocketSession,
    make_websocket_scope,
)
from asgiwsgi_testkit._asgi_websocket import SessionState
from tests import asgi_apps as apps

ACCEPT = {"type": "websocket.accept"}


class WebSocketTestCase(ASGITestCase):
    """The echo app by default; `assertNoTaskPending` ends every test."""

    app = apps.ws_echo_app

    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class HandshakeTests(WebSocketTestCase):
    async def test_accept_gives_subprotocol_and_accept_headers(self):
        async with self.client.websocket_connect("/ws", subprotocols=["chat", "superchat"]) as ws:
            self.assertEqual(ws.subprotocol, "superchat")
            self.assertEqual(ws.accept_headers["x-accept"], "yes")
            self.assertIs(ws.state, SessionState.OPEN)
        self.assertNoTaskPending()

    async def test_accept_without_subprotocol_gives_none(self):
        async with self.client.websocket_connect("/ws") as ws:
            self.assertIsNone(ws.subprotocol)
            self.assertEqual(ws.accept_headers.get_all("x-accept"), ["yes"])
        self.assertNoTaskPending()

    async def test_client_scope_carries_path_query_headers_cookies_and_subprotocols(self):
        recorder = apps.WSRecorder()
        client = ASGITestClient(recorder, base_url="https://testserver/mnt", headers={"X-Default": "1"})
        async with client.websocket_connect("/ws/r%C3%A9?a=1", subprotocols=["chat"], headers=[("X-Dup", "a"), ("X-Dup", "b")], query={"b": "2"}, cookies={"s": "x"}):
            pass
        scope = recorder.scope
        self.assertEqual((scope["type"], scope["scheme"], scope["server"]), ("websocket", "wss", ("testserver", 443)))
        self.assertEqual((scope["root_path"], scope["path"], scope["raw_path"]), ("/mnt", "/mnt/ws/r\u00e9", b"/mnt/ws/r%C3%A9"))
        self.assertEqual(scope["query_string"], b"a=1&b=2")
        self.assertEqual(scope["subprotocols"], ["chat"])
        self.assertEqual(scope["asgi"], {"version": "3.0", "spec_version": "2.4"})
        self.assertEqual(scope["extensions"], {"websocket.http.response": {}})
        headers = scope["headers"]
        self.assertEqual(headers[0], (b"host", b"testserver"))
        handshake = [(b"upgrade", b"websocket"), (b"connection", b"Upgrade"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="), (b"sec-websocket-version", b"13"), (b"sec-websocket-protocol", b"chat")]
        self.assertEqual([pair for pair in headers if pair in handshake], handshake)
        self.assertEqual([pair for pair in headers if pair[0] in (b"x-dup", b"x-default", b"cookie")], [(b"x-default", b"1"), (b"x-dup", b"a"), (b"x-dup", b"b"), (b"cookie", b"s=x")])
        self.assertNotIn("method", scope)
        self.assertNoTaskPending()

    async def test_close_before_accept_raises_denied_403_without_response(self):
        client = ASGITestClient(apps.ws_deny_app)
        with self.assertRaisesRegex(WebSocketDenied, r"^WebSocket /ws was refused before accept: close code 1008, HTTP 403$") as caught:
            async with client.websocket_connect("/ws"):
                self.fail("the block must not run for a refused WebSocket")
        self.assertEqual(caught.exception.status_code, 403)
        self.assertIsNone(caught.exception.response)
        self.assertNoTaskPending()

    async def test_denial_response_raises_denied_carrying_it(self):
        client = ASGITestClient(apps.ws_denial_response_app)
        with self.assertRaisesRegex(WebSocketDenied, r"^WebSocket /ws was refused with a denial response: HTTP 401 Unauthorized$") as caught:
            async with client.websocket_connect("/ws"):
                self.fail("the block must not run for a refused WebSocket")
        response = caught.exception.response
        self.assertEqual(caught.exception.status_code, 401)
        self.assertEqual((response.status_code, response.status, response.body, response.text), (401, "401 Unauthorized", b"denied by app", "denied by app"))
        self.assertEqual(response.headers.get_all("www-authenticate"), ["Bearer"])
        self.assertEqual(response.content_type, "text/plain")
        self.assertNoTaskPending()

    async def test_refused_app_receives_disconnect_1006_like_uvicorn(self):
        seen = []

        async def app(scope, receive, send):
            if scope["type"] != "websocket":
                return
            await receive()
            await send({"type": "websocket.close"})
            seen.append(await receive())
            seen.append(await receive())

        with self.assertRaises(WebSocketDenied):
            async with ASGITestClient(app).websocket_connect("/ws"):
                pass
        self.assertEqual(seen, [{"type": "websocket.disconnect", "code": 1006}, {"type": "websocket.disconnect", "code": 1005}])
        self.assertNoTaskPending()

    async def test_session_yielded_when_app_accepts_and_closes_at_once(self):
        async with ASGITestClient(apps.ws_sends(ACCEPT, {"type": "websocket.close", "code": 4001, "reason": "bye"})).websocket_connect("/ws") as ws:
            self.assertIs(ws.state, SessionState.CLOSED)
            with self.assertRaisesRegex(WebSocketClosed, r"^WebSocket /ws closed by the app: code 4001, reason 'bye'$") as caught:
                await ws.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (4001, "bye"))
        self.assertNoTaskPending()


class MessageTests(WebSocketTestCase):
    async def test_text_bytes_and_json_echoed(self):
        async with self.client.websocket_connect("/ws") as ws:
            await ws.send_text("h\u00e9llo")
            self.assertEqual(await ws.receive_text(), "echo:h\u00e9llo")
            await ws.send_bytes(b"\x00\x01\xff")
            self.assertEqual(await ws.receive_bytes(), b"echo:\x00\x01\xff")
            await ws.send_bytes(bytearray(b"ba"))
            self.assertEqual(await ws.receive_bytes(), b"echo:ba")
            await ws.send_json({"n": [1, 2]})
            self.assertEqual(await ws.receive_text(), 'echo:{"n":[1,2]}')
        self.assertNoTaskPending()

    async def test_json_round_trip_in_text_and_binary_mode(self):
        async with ASGITestClient(apps.ws_sends(ACCEPT, {"type": "websocket.send", "text": '{"a": 1}'}, {"type": "websocket.send", "bytes": b"[true]"})).websocket_connect("/ws") as ws:
            self.assertEqual(await ws.receive_json(), {"a": 1})
            self.assertEqual(await ws.receive_json(mode="binary"), [True])
        recorder = apps.WSRecorder()
        async with ASGITestClient(recorder).websocket_connect("/ws") as ws:
            await ws.send_json({"k": "\u00e9"}, mode="binary")
            await ws.send_json(None)
        self.assertEqual(recorder.events[1:3], [{"type": "websocket.receive", "bytes": b'{"k":"\xc3\xa9"}'}, {"type": "websocket.receive", "text": "null"}])
        self.assertNoTaskPending()

    async def test_receive_returns_raw_events_then_the_close_event(self):
        app = apps.ws_closing_app_for(1000, "done", before=("one",))
        async with ASGITestClient(app).websocket_connect("/ws") as ws:
            await ws.send_text("go")
            self.assertEqual(await ws.receive(), {"type": "websocket.send", "text": "one"})
            self.assertEqual(await ws.receive(), {"type": "websocket.close", "code": 1000, "reason": "done"})
            self.assertEqual(await ws.receive(), {"type": "websocket.close", "code": 1000, "reason": "done"})
        self.assertNoTaskPending()

    async def test_receive_text_of_a_binary_message_raises_value_error(self):
        async with self.client.websocket_connect("/ws") as ws:
            await ws.send_bytes(b"x")
            with self.assertRaisesRegex(ValueError, r"^WebSocket /ws: expected a text message, the app sent bytes b'echo:x'$"):
                await ws.receive_text()
            await ws.send_text("y")
            with self.assertRaisesRegex(ValueError, r"^WebSocket /ws: expected a binary message, the app sent text 'echo:y'$"):
                await ws.receive_bytes()
        self.assertNoTaskPending()

    async def test_messages_queued_in_order_when_read_later(self):
        async with self.client.websocket_connect("/ws") as ws:
            for text in ("a", "b", "c"):
                await ws.send_text(text)
            self.assertEqual([await ws.receive_text() for _ in range(3)], ["echo:a", "echo:b", "echo:c"])
        self.assertNoTaskPending()

    async def test_none_in_unused_key_accepted_quart_style(self):
        app = apps.ws_sends(ACCEPT, {"type": "websocket.send", "text": "t", "bytes": None}, {"type": "websocket.send", "text": None, "bytes": b"b"})
        for validate in (True, False):
            with self.subTest(validate=validate):
                async with ASGITestClient(app, validate=validate).websocket_connect("/ws") as ws:
                    self.assertEqual(await ws.receive_text(), "t")
                    self.assertEqual(await ws.receive_bytes(), b"b")
        self.assertNoTaskPending()


class CloseTests(WebSocketTestCase):
    async def test_close_reaches_app_as_disconnect_with_code_and_reason(self):
        recorder = apps.WSRecorder()
        async with ASGITestClient(recorder).websocket_connect("/ws") as ws:
            await ws.send_text("hi")
            await ws.close(4000, "done here")
            self.assertTrue(recorder.finished.is_set())
            self.assertIs(ws.state, SessionState.CLOSED)
            self.assertEqual((ws.close_code, ws.close_reason), (4000, "done here"))
        self.assertEqual(recorder.events, [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": "hi"},
            {"type": "websocket.disconnect", "code": 4000, "reason": "done here"},
        ])
        self.assertNoTaskPending()

    async def test_app_close_1008_raises_closed_from_every_receive_method(self):
        app = apps.ws_closing_app_for(1008, "policy violated", before=("last words",))
        async with ASGITestClient(app).websocket_connect("/ws") as ws:
            await ws.send_text("go")
            self.assertEqual(await ws.receive_text(), "last words")
            for method in (ws.receive_text, ws.receive_bytes, ws.receive_json):
                with self.subTest(method=method.__name__):
                    with self.assertRaisesRegex(WebSocketClosed, r"^WebSocket /ws closed by the app: code 1008, reason 'policy violated'$") as caught:
                        await method()
                    self.assertEqual((caught.exception.code, caught.exception.reason), (1008, "policy violated"))
            self.assertEqual((ws.state, ws.close_code, ws.close_reason), (SessionState.CLOSED, 1008, "policy violated"))
        self.assertNoTaskPending()

    async def test_send_after_app_closed_raises_closed(self):
        async with ASGITestClient(apps.ws_closing_app_for(1001, "going away")).websocket_connect("/ws") as ws:
            await ws.send_text("go")
            with self.assertRaises(WebSocketClosed):
                await ws.receive_text()
            for send in (lambda: ws.send_text("x"), lambda: ws.send_bytes(b"x"), lambda: ws.send_json([1])):
                with self.assertRaisesRegex(WebSocketClosed, r"^WebSocket /ws is closed \(code 1001, reason 'going away'\); the message cannot be sent$") as caught:
                    await send()
                self.assertEqual((caught.exception.code, caught.exception.reason), (1001, "going away"))
        self.assertNoTaskPending()

    async def test_app_send_after_client_disconnected_raises_os_error(self):
        for how in ("close", "leave"):
            with self.subTest(how=how):
                recorder = apps.WSRecorder()
                async with ASGITestClient(recorder).websocket_connect("/ws") as ws:
                    if how == "close":
                        await ws.close()
                self.assertIsInstance(recorder.send_after_disconnect, OSError)
                self.assertRegex(str(recorder.send_after_disconnect), r"^WebSocket /ws: the client has disconnected; the app cannot send 'websocket.send' \(ASGI WebSocket 2.4\)$")
        self.assertNoTaskPending()

    async def test_receive_after_disconnect_returns_disconnect_1005_at_once(self):
        recorder = apps.WSRecorder()
        async with ASGITestClient(recorder, timeout=60).websocket_connect("/ws") as ws:
            await ws.close(1000, "bye")
        self.assertEqual(recorder.after, {"type": "websocket.disconnect", "code": 1005})
        self.assertNoTaskPending()

    async def test_leaving_delivers_disconnect_1000_and_awaits_the_app(self):
        recorder = apps.WSRecorder()
        async with ASGITestClient(recorder).websocket_connect("/ws") as ws:
            self.assertFalse(recorder.finished.is_set())
        self.assertTrue(recorder.finished.is_set())
        self.assertEqual(recorder.events[-1], {"type": "websocket.disconnect", "code": 1000, "reason": ""})
        self.assertEqual((ws.state, ws.close_code), (SessionState.CLOSED, 1000))
        self.assertNoTaskPending()

    async def test_leaving_after_app_closed_delivers_its_code_and_reason(self):
        seen = []

        async def app(scope, receive, send):
            if scope["type"] != "websocket":
                return
            await receive()
            await send(ACCEPT)
            await send({"type": "websocket.close", "code": 4001, "reason": "app says bye"})
            seen.append(await receive())

        async with ASGITestClient(app).websocket_connect("/ws") as ws:
            with self.assertRaises(WebSocketClosed):
                await ws.receive_text()
        self.assertEqual(seen, [{"type": "websocket.disconnect", "code": 4001, "reason": "app says bye"}])
        self.assertNoTaskPending()

    async def test_leaving_after_close_delivers_no_second_disconnect(self):
        recorder = apps.WSRecorder()
        async with ASGITestClient(recorder).websocket_connect("/ws") as ws:
            await ws.close(3000)
        self.assertEqual([e["type"] for e in recorder.events].count("websocket.disconnect"), 1)
        self.assertEqual(recorder.events[-1]["code"], 3000)
        self.assertNoTaskPending()

    async def test_leaving_on_an_error_in_the_block_still_disconnects(self):
        recorder = apps.WSRecorder()
        with self.assertRaisesRegex(KeyError, "from the test"):
            async with ASGITestClient(recorder).websocket_connect("/ws"):
                raise KeyError("from the test")
        self.assertTrue(recorder.finished.is_set())
        self.assertEqual(recorder.events[-1]["type"], "websocket.disconnect")
        self.assertNoTaskPending()

    async def test_close_twice_is_a_no_op(self):
        recorder = apps.WSRecorder()
        async with ASGITestClient(recorder).websocket_connect("/ws") as ws:
            await ws.close(1001)
            await ws.close(1000, "again")
            self.assertEqual((ws.close_code, ws.close_reason), (1001, ""))
        self.assertEqual(recorder.events[-1], {"type": "websocket.disconnect", "code": 1001, "reason": ""})
        self.assertNoTaskPending()


class TimeoutTests(WebSocketTestCase):
    async def test_app_that_never_accepts_raises_timeout_naming_the_step(self):
        app = apps.WSSilentApp()
        with self.assertRaisesRegex(AppTimeout, r"^ASGI app made no progress within 0.05s waiting for websocket.accept \(WebSocket /ws; it sent nothing new\)$") as caught:
            async with ASGITestClient(app, timeout=0.05).websocket_connect("/ws"):
                self.fail("the block must not run")
        self.assertIsInstance(caught.exception, TimeoutError)
        self.assertEqual((caught.exception.step, caught.exception.timeout), ("waiting for websocket.accept", 0.05))
        self.assertTrue(app.cancelled)
        self.assertNoTaskPending()

    async def test_app_that_never_sends_raises_timeout_naming_the_step(self):
        async with ASGITestClient(apps.ws_mute_app, timeout=0.05).websocket_connect("/ws") as ws:
            for method in (ws.receive, ws.receive_text, ws.receive_json):
                with self.subTest(method=method.__name__):
                    with self.assertRaisesRegex(AppTimeout, r"^ASGI app made no progress within 0.05s waiting for a message from the app \(WebSocket /ws; ") as caught:
                        await method()
                    self.assertEqual(caught.exception.step, "waiting for a message from the app")
            self.assertIs(ws.state, SessionState.OPEN)
        self.assertNoTaskPending()


class AppErrorTests(WebSocketTestCase):
    async def test_app_error_raised_at_once_into_a_waiting_receive(self):
        go = asyncio.Event()
        client = ASGITestClient(apps.ws_raising_after_accept_app_for(go), timeout=60)
        loop = asyncio.get_running_loop()
        with self.assertRaisesRegex(ValueError, r"^boom after accept$"):
            async with client.websocket_connect("/ws") as ws:
                go.set()  # the app runs only once this test waits in receive_text()
                started = loop.time()
                try:
                    await ws.receive_text()
                finally:
                    elapsed = loop.time() - started
        self.assertLess(elapsed, 5.0, "the app's error must not wait for the 60 s timeout")
        self.assertNoTaskPending()

    async def test_app_error_before_accept_raised_from_connect(self):
        with self.assertRaisesRegex(ValueError, r"^boom before accept$"):
            async with ASGITestClient(apps.ws_raising_before_accept_app).websocket_connect("/ws"):
                self.fail("the block must not run")
        self.assertNoTaskPending()

    async def test_app_error_after_accept_raised_when_leaving_the_block(self):
        go = asyncio.Event()
        with self.assertRaisesRegex(ValueError, r"^boom after accept$"):
            async with ASGITestClient(apps.ws_raising_after_accept_app_for(go)).websocket_connect("/ws") as ws:
                go.set()
                await ws.send_text("not read")
        self.assertNoTaskPending()

    async def test_app_error_raised_once_when_already_seen_in_the_block(self):
        go = asyncio.Event()
        seen = []
        async with ASGITestClient(apps.ws_raising_after_accept_app_for(go)).websocket_connect("/ws") as ws:
            go.set()
            try:
                await ws.receive()
            except ValueError as exc:
                seen.append(str(exc))
        self.assertEqual(seen, ["boom after accept"])
        self.assertNoTaskPending()

    async def test_client_disconnected_raised_by_app_not_surfaced(self):
        async def app(scope, receive, send):
            if scope["type"] != "websocket":
                return
            await receive()
            await send(ACCEPT)
            await receive()
            await send({"type": "websocket.send", "text": "after the client left"})

        async with ASGITestClient(app).websocket_connect("/ws"):
            pass
        self.assertNoTaskPending()


class MisuseTests(WebSocketTestCase):
    async def test_wrong_argument_types_raise_type_error(self):
        async with self.client.websocket_connect("/ws") as ws:
            with self.assertRaisesRegex(TypeError, r"^send_json\(\) data= value is not JSON serialisable: Object of type object is not JSON serializable$"):
                await ws.send_json(object())
            with self.assertRaisesRegex(TypeError, r"^send_text\(\) needs a str, not bytes: b'x' \(use send_bytes for bytes\)$"):
                await ws.send_text(b"x")
            with self.assertRaisesRegex(TypeError, r"^send_bytes\(\) needs bytes, not str: 'x' \(use send_text for str\)$"):
                await ws.send_bytes("x")
            with self.assertRaisesRegex(TypeError, r"^close\(\) code must be an int such as 1000, not str: '1000'$"):
                await ws.close("1000")
            with self.assertRaisesRegex(TypeError, r"^close\(\) reason must be a str, not bytes$"):
                await ws.close(1000, b"bye")
            self.assertIs(ws.state, SessionState.OPEN)
        self.assertNoTaskPending()

    async def test_close_codes_a_client_may_not_send_raise_value_error(self):
        async with self.client.websocket_connect("/ws") as ws:
            for code in (999, 1004, 1005, 1015, 2999, 5000):
                with self.subTest(code=code):
                    with self.assertRaisesRegex(ValueError, rf"^close\(\) code {code} is not one a client may send \(RFC 6455 7.4: 1000-1003, 1007-1014 or 3000-4999; 1006 for a dropped connection\)$"):
                        await ws.close(code)
            self.assertIs(ws.state, SessionState.OPEN)
        self.assertNoTaskPending()

    async def test_bad_json_mode_raises_value_error(self):
        async with self.client.websocket_connect("/ws") as ws:
            with self.assertRaisesRegex(ValueError, r"^send_json\(\) mode must be 'text' or 'binary', not 'utf8'$"):
                await ws.send_json({}, mode="utf8")
            with self.assertRaisesRegex(ValueError, r"^receive_json\(\) mode must be 'text' or 'binary', not 'utf8'$"):
                await ws.receive_json(mode="utf8")
        self.assertNoTaskPending()

    async def test_every_session_method_after_the_block_raises_value_error_naming_it(self):
        async with self.client.websocket_connect("/ws") as ws:
            pass
        calls = {
            "send_text": lambda: ws.send_text("x"),
            "send_bytes": lambda: ws.send_bytes(b"x"),
            "send_json": lambda: ws.send_json({}),
            "receive": ws.receive,
            "receive_text": ws.receive_text,
            "receive_bytes": ws.receive_bytes,
            "receive_json": ws.receive_json,
            "close": ws.close,
        }
        for name, call in calls.items():
            with self.subTest(method=name):
                with self.assertRaisesRegex(ValueError, rf"^WebSocket /ws: {name}\(\) after the session ended; call it inside `async with client.websocket_connect\(...\)`$"):
                    await call()
        self.assertNoTaskPending()

    async def test_subprotocols_as_a_str_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^subprotocols= must be a list of str such as \['chat'\], not 'chat'$"):
            async with self.client.websocket_connect("/ws", subprotocols="chat"):
                self.fail("the block must not run")
        self.assertNoTaskPending()


class ProtocolErrorTests(WebSocketTestCase):
    """The validator (default) and, with validate=False, the session itself turn misordered or malformed messages into ProtocolError."""

    async def check(self, messages, rule, headline, validate=True):
        with self.assertRaisesRegex(ProtocolError, rf"^{headline} \[{rule}\]") as caught:
            async with ASGITestClient(apps.ws_sends(*messages), validate=validate).websocket_connect("/ws") as ws:
                await ws.receive()
        self.assertEqual(caught.exception.rule, rule)
        self.assertNoTaskPending()
        return caught.exception

    async def test_send_before_accept_raises_accept_first_rule(self):
        for validate in (True, False):
            with self.subTest(validate=validate):
                error = await self.check([{"type": "websocket.send", "text": "hi"}], "asgi.websocket.accept-first", r"ASGI app sent 'websocket.send' out of order \(state 'connecting'\)", validate)
                self.assertTrue(str(error).endswith("\n  request: WebSocket /ws"), str(error))
        self.assertNoTaskPending()

    async def test_accept_twice_raises_open_rule(self):
        for validate in (True, False):
            with self.subTest(validate=validate):
                await self.check([ACCEPT, ACCEPT], "asgi.websocket.open", r"ASGI app sent 'websocket.accept' out of order \(state 'open'\)", validate)
        self.assertNoTaskPending()

    async def test_send_payload_rule_when_both_keys_set(self):
        for validate in (True, False):
            with self.subTest(validate=validate):
                await self.check([ACCEPT, {"type": "websocket.send", "text": "a", "bytes": b"b"}], "asgi.websocket.send-payload", r"ASGI app sent 'websocket.send' with both 'text' and 'bytes'", validate)
        self.assertNoTaskPending()

    async def test_send_payload_rule_when_neither_key_set(self):
        for validate in (True, False):
            with self.subTest(validate=validate):
                await self.check([ACCEPT, {"type": "websocket.send"}], "asgi.websocket.send-payload", r"ASGI app sent 'websocket.send' with neither 'text' and 'bytes'", validate)
        self.assertNoTaskPending()

    async def test_key_rules_when_values_have_wrong_types(self):
        cases = [
            ([ACCEPT, {"type": "websocket.send", "bytes": "text in bytes"}], "asgi.websocket.send-payload", r"ASGI app sent 'websocket.send' with text that is not str or bytes that are not bytes"),
            ([{"type": "websocket.accept", "subprotocol": b"chat"}], "asgi.websocket.key-type", r"ASGI app sent 'websocket.accept' with subprotocol b'chat'"),
            ([ACCEPT, {"type": "websocket.close", "code": 1000.0}], "asgi.websocket.key-type", r"ASGI app sent 'websocket.close' with code 1000.0"),
            ([{"type": "websocket.accept", "headers": [(b"x-a", "1")]}], "asgi.http.header-type", r"ASGI app sent 'websocket.accept' with header b'x-a' value '1' of type str"),
        ]
        for messages, rule, headline in cases:
            with self.subTest(rule=rule, message=messages[-1]):
                await self.check(messages, rule, headline)
        self.assertNoTaskPending()

    async def test_returned_without_answer_rule_when_app_returns_at_once(self):
        error = await self.check([], "asgi.websocket.returned-without-answer", r"ASGI app returned without accepting or closing the WebSocket \(WebSocket /ws\)", False)
        self.assertIsNone(error.value)
        self.assertNoTaskPending()

    async def test_violation_raised_when_app_swallowed_it(self):
        async def app(scope, receive, send):
            if scope["type"] != "websocket":
                return
            await receive()
            try:
                await send({"type": "websocket.send", "text": "early"})
            except ProtocolError:
                pass
            await send(ACCEPT)
            await receive()

        with self.assertRaisesRegex(ProtocolError, r"\[asgi.websocket.accept-first\]"):
            async with ASGITestClient(app).websocket_connect("/ws"):
                pass
        self.assertNoTaskPending()


class ConcurrencyTests(WebSocketTestCase):
    def get_app(self):
        self.room = apps.ChatApp()
        return self.room

    async def test_two_sessions_and_an_http_request_share_one_chat_room(self):
        room = self.room
        async with self.client.websocket_connect("/chat?name=alice") as alice, self.client.websocket_connect("/chat", query={"name": "bob"}) as bob:
            self.assertJSON(await self.client.get("/members"), {"members": ["alice", "bob"]})
            await alice.send_text("hi bob")
            self.assertEqual(await bob.receive_text(), "alice: hi bob")
            self.assertEqual(await alice.receive_text(), "alice: hi bob")
            await bob.send_text("hi alice")
            self.assertEqual(await alice.receive_text(), "bob: hi alice")
            self.assertEqual(await bob.receive_text(), "bob: hi alice")
            self.assertStatus(await self.client.post("/broadcast", body=b"closing soon"), 204)
            self.assertEqual([await alice.receive_text(), await bob.receive_text()], ["server: closing soon", "server: closing soon"])
            await alice.close()
            self.assertJSON(await self.client.get("/members"), {"members": ["bob"]})
            await bob.send_text("alone")
            self.assertEqual(await bob.receive_text(), "bob: alone")
        self.assertEqual(room.members, {})
        self.assertNoTaskPending()

    async def test_sessions_gathered_concurrently_are_independent(self):
        client = ASGITestClient(apps.ws_echo_app)

        async def talk(name):
            async with client.websocket_connect(f"/{name}") as ws:
                replies = []
                for n in range(3):
                    await ws.send_text(f"{name}{n}")
                    replies.append(await ws.receive_text())
                return replies

        results = await asyncio.gather(talk("a"), talk("b"), talk("c"))
        self.assertEqual(results, [[f"echo:{name}{n}" for n in range(3)] for name in "abc"])
        self.assertNoTaskPending()


class StateTests(WebSocketTestCase):
    async def test_state_moves_connecting_open_closing_closed(self):
        holder = []
        seen_while_closing = []

        async def app(scope, receive, send):
            if scope["type"] != "websocket":
                return
            await receive()
            await send(ACCEPT)
            await receive()
            seen_while_closing.append(holder[0].state)

        session = WebSocketSession(app, make_websocket_scope("/ws"), 5.0, "WebSocket /ws")
        holder.append(session)
        self.assertIs(session.state, SessionState.CONNECTING)
        self.assertEqual(repr(session), "<WebSocketSession WebSocket /ws connecting>")
        await session.connect()
        self.assertIs(session.state, SessionState.OPEN)
        await session.close(1000)
        self.assertEqual(seen_while_closing, [SessionState.CLOSING])
        self.assertIs(session.state, SessionState.CLOSED)
        await session.leave()
        self.assertEqual(repr(session), "<WebSocketSession WebSocket /ws closed>")
        self.assertNoTaskPending()

    async def test_state_denied_when_refused(self):
        for app in (apps.ws_deny_app, apps.ws_denial_response_app):
            with self.subTest(app=app.__name__):
                session = WebSocketSession(app, make_websocket_scope("/ws"), 5.0, "WebSocket /ws")
                with self.assertRaises(WebSocketDenied):
                    await session.connect()
                self.assertIs(session.state, SessionState.DENIED)
                self.assertTrue(session.task.done())
                await session.leave()
                self.assertIs(session.state, SessionState.DENIED)
        self.assertNoTaskPending()

    async def test_state_closed_after_leaving_or_app_close(self):
        async with self.client.websocket_connect("/ws") as ws:
            self.assertIs(ws.state, SessionState.OPEN)
        self.assertIs(ws.state, SessionState.CLOSED)
        async with ASGITestClient(apps.ws_closing_app_for(1000, "")).websocket_connect("/ws") as ws:
            await ws.send_text("go")
            self.assertEqual((await ws.receive())["type"], "websocket.close")
            self.assertIs(ws.state, SessionState.CLOSED)
        self.assertIs(ws.state, SessionState.CLOSED)
        self.assertNoTaskPending()


if __name__ == "__main__":
    unittest.main()


class CloseAsServersSeeItTests(WebSocketTestCase):
    """A close before accept may carry any reason (never on the wire); close(1006) is a dropped connection."""

    async def test_close_before_accept_with_a_list_reason_is_denied_with_code_and_reason(self):
        async def app(scope, receive, send):
            await receive()
            await send({"type": "websocket.close", "code": 1008, "reason": [{"loc": ["query", "n"], "type": "missing"}]})

        for validate in (True, False):
            with self.subTest(validate=validate):
                with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 1008, HTTP 403") as caught:
                    async with ASGITestClient(app, validate=validate).websocket_connect("/ws"):
                        self.fail("refused")
                denied = caught.exception
                self.assertEqual((denied.status_code, denied.code, denied.reason, denied.response), (403, 1008, [{"loc": ["query", "n"], "type": "missing"}], None))
        self.assertNoTaskPending()

    async def test_close_after_accept_with_a_list_reason_is_still_a_protocol_error(self):
        async def app(scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1008, "reason": ["not", "a", "str"]})

        with self.assertRaisesRegex(ProtocolError, r"'websocket.close' with reason \['not', 'a', 'str'\]") as caught:
            async with ASGITestClient(app).websocket_connect("/ws") as ws:
                await ws.receive()
        self.assertEqual(caught.exception.rule, "asgi.websocket.key-type")
        self.assertNoTaskPending()

    async def test_close_1006_is_a_dropped_connection_the_app_receives(self):
        seen = []

        async def app(scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            seen.append(await receive())

        async with ASGITestClient(app).websocket_connect("/ws") as ws:
            await ws.close(code=1006)
            self.assertIs(ws.state, SessionState.CLOSED)
        self.assertEqual(seen, [{"type": "websocket.disconnect", "code": 1006}])
        self.assertNoTaskPending()

    async def test_denied_by_a_denial_response_has_no_close_code(self):
        with self.assertRaises(WebSocketDenied) as caught:
            async with ASGITestClient(apps.ws_denial_response_app).websocket_connect("/ws"):
                pass
        self.assertIsNone(caught.exception.code)
        self.assertIsNotNone(caught.exception.response)
