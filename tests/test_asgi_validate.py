"""Tests for _asgi_validate: every rule in the catalogue fires on its misbehaving app, and legitimate apps pass untouched."""

from __future__ import annotations

import asyncio
import tempfile
import unittest
from typing import Any, Awaitable, Callable

from asgiwsgi_testkit import ASGITestClient, ProtocolError, WebSocketSession
from asgiwsgi_testkit._asgi_call import call_asgi
from asgiwsgi_testkit._asgi_scope import lifespan_scope, make_scope, make_websocket_scope
from asgiwsgi_testkit._asgi_validate import RULES, validate_asgi
from tests.asgi_apps import ws_sends

App = Callable[[Any, Any, Any], Awaitable[None]]
START = {"type": "http.response.start", "status": 200, "headers": []}
BODY = {"type": "http.response.body", "body": b"ok"}


def sends(*messages: Any) -> App:
    """An HTTP app that sends `messages` in order and returns."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        for message in messages:
            await send(message)

    return app


def lifespan_sends(*steps: Any) -> App:
    """A lifespan app: each step is 'receive' (await one server message) or a message to send."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        for step in steps:
            if step == "receive":
                await receive()
            else:
                await send(step)

    return app


async def run_lifespan(app: App) -> list[Any]:
    """Drive a lifespan conversation (startup, then shutdown) against a validated app; return what it sent."""
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[Any] = []

    async def receive() -> Any:
        return incoming.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    await validate_asgi(app)(lifespan_scope(), receive, send)
    return sent


# rule id -> (scope type, app, value the error carries, expected, text the message shows)
_BAD_HEADERS = {"type": "http.response.start", "status": 200, "headers": [("content-type", b"text/plain")]}
_BAD_TRAILERS = {"type": "http.response.trailers", "headers": [(b"x-checksum", "abc")]}
_LIFESPAN_UNKNOWN = {"type": "lifespan.startup.done"}
_LIFESPAN_BAD_MESSAGE = {"type": "lifespan.startup.failed", "message": b"db down"}
_ACCEPT = {"type": "websocket.accept"}
_WS_TEXT = {"type": "websocket.send", "text": "hi"}
_WS_BOTH = {"type": "websocket.send", "text": "hi", "bytes": b"hi"}
_WS_BAD_SUBPROTOCOL = {"type": "websocket.accept", "subprotocol": 1}
_DENIAL_START = {"type": "websocket.http.response.start", "status": 403, "headers": []}
_WS_ORDER = "'websocket.accept', 'websocket.close' or 'websocket.http.response.start' first"
_WS_KNOWN = "one of 'websocket.accept', 'websocket.close', 'websocket.http.response.body', 'websocket.http.response.start', 'websocket.send'"
_LENGTH_START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"3")]}
_FIVE_BYTES = {"type": "http.response.body", "body": b"hello"}
CASES: dict[str, tuple[str, App, Any, str, str]] = {
    "asgi.http.message-type": ("http", sends(["http.response.start", 200]), ["http.response.start", 200], "a dict with a str 'type' key",
                               "ASGI app sent ['http.response.start', 200], expected a dict with a str 'type'"),
    "asgi.http.unknown-event": ("http", sends({"type": "http.response.begin"}), {"type": "http.response.begin"},
                                "one of 'http.response.body', 'http.response.pathsend', 'http.response.start', 'http.response.trailers'",
                                "ASGI app sent unknown event type 'http.response.begin' on a 'http' scope"),
    "asgi.http.start-first": ("http", sends(BODY), BODY, "exactly one 'http.response.start' first (ASGI HTTP spec, 'Response Start')",
                              "ASGI app sent 'http.response.body' before 'http.response.start'"),
    "asgi.http.start-once": ("http", sends(START, START), START, "'http.response.body' until more_body is False", "ASGI app sent 'http.response.start' twice"),
    "asgi.http.trailers-order": ("http", sends(dict(START, trailers=True), BODY, BODY), BODY,
                                 "'http.response.trailers' after the body, since the start announced trailers",
                                 "ASGI app sent 'http.response.body' out of order (state 'trailers')"),
    "asgi.http.after-complete": ("http", sends(START, BODY, BODY), BODY, "nothing after the response is complete",
                                 "ASGI app sent 'http.response.body' after the http conversation finished"),
    "asgi.http.status-type": ("http", sends(dict(START, status="200")), dict(START, status="200"), "status as an int such as 200",
                              "ASGI app sent 'http.response.start' with status '200' of type str"),
    "asgi.http.header-type": ("http", sends(_BAD_HEADERS), _BAD_HEADERS, "header names as bytes, e.g. b'content-type'",
                              "ASGI app sent 'http.response.start' with header name 'content-type' of type str"),
    "asgi.http.body-type": ("http", sends(START, {"type": "http.response.body", "body": "ok"}), {"type": "http.response.body", "body": "ok"}, "body as bytes",
                            "ASGI app sent 'http.response.body' with body of type str: 'ok'"),
    "asgi.http.flag-type": ("http", sends(START, dict(BODY, more_body=1)), dict(BODY, more_body=1), "more_body as a bool",
                            "ASGI app sent 'http.response.body' with more_body=1"),
    "asgi.http.pathsend-path": ("http", sends(START, {"type": "http.response.pathsend", "path": b"/etc/hosts"}), {"type": "http.response.pathsend", "path": b"/etc/hosts"},
                                "path as a str", "ASGI app sent 'http.response.pathsend' with path b'/etc/hosts'"),
    "asgi.http.content-length": ("http", sends(_LENGTH_START, _FIVE_BYTES), _FIVE_BYTES, "exactly 3 bytes of body, as Content-Length declares (or no Content-Length)",
                                 "the app declared Content-Length: 3 but its body has 5 bytes"),
    "asgi.http.returned-without-response": ("http", sends(), None, "an 'http.response.start' and a final 'http.response.body' before returning",
                                            "ASGI app returned without sending 'http.response.start' (GET /)"),
    "asgi.http.returned-incomplete": ("http", sends(START, dict(BODY, more_body=True)), dict(BODY, more_body=True),
                                      "'http.response.body' with more_body False (or the trailers) before returning",
                                      "ASGI app returned before completing its response (GET /; waiting for http.response.body)"),
    "asgi.websocket.message-type": ("websocket", ws_sends(["websocket.accept"]), ["websocket.accept"], "a dict with a str 'type' key",
                                    "ASGI app sent ['websocket.accept'], expected a dict with a str 'type'"),
    "asgi.websocket.unknown-event": ("websocket", ws_sends({"type": "websocket.accepted"}), {"type": "websocket.accepted"}, _WS_KNOWN,
                                     "ASGI app sent unknown event type 'websocket.accepted' on a 'websocket' scope"),
    "asgi.websocket.accept-first": ("websocket", ws_sends(_WS_TEXT), _WS_TEXT, _WS_ORDER, "ASGI app sent 'websocket.send' out of order (state 'connecting')"),
    "asgi.websocket.open": ("websocket", ws_sends(_ACCEPT, _ACCEPT), _ACCEPT, "'websocket.send' or 'websocket.close' once accepted",
                            "ASGI app sent 'websocket.accept' out of order (state 'open')"),
    "asgi.websocket.denial-order": ("websocket", ws_sends(_DENIAL_START, _ACCEPT), _ACCEPT, "'websocket.http.response.body' until more_body is False",
                                    "ASGI app sent 'websocket.accept' out of order (state 'denial-body')"),
    "asgi.websocket.after-close": ("websocket", ws_sends(_ACCEPT, {"type": "websocket.close"}, _WS_TEXT), _WS_TEXT, "nothing after the WebSocket is closed",
                                   "ASGI app sent 'websocket.send' after the websocket conversation finished"),
    "asgi.websocket.denial-extension": ("websocket-without-extensions", ws_sends(_DENIAL_START), _DENIAL_START, "websocket.close to refuse the handshake",
                                        "ASGI app sent 'websocket.http.response.start' but the scope does not advertise 'websocket.http.response'"),
    "asgi.websocket.send-payload": ("websocket", ws_sends(_ACCEPT, _WS_BOTH), _WS_BOTH, "exactly one of text (str) or bytes (bytes)",
                                    "ASGI app sent 'websocket.send' with both 'text' and 'bytes'"),
    "asgi.websocket.key-type": ("websocket", ws_sends(_WS_BAD_SUBPROTOCOL), _WS_BAD_SUBPROTOCOL, "subprotocol as a str or None",
                                "ASGI app sent 'websocket.accept' with subprotocol 1"),
    "asgi.websocket.returned-without-answer": ("websocket", ws_sends(), None, "'websocket.accept', 'websocket.close' or a denial response",
                                               "ASGI app returned without accepting or closing the WebSocket (WebSocket /ws)"),
    "asgi.lifespan.message-type": ("lifespan", lifespan_sends("receive", "lifespan.startup.complete"), "lifespan.startup.complete",
                                   "a dict with a str 'type' key", "ASGI app sent 'lifespan.startup.complete', expected a dict with a str 'type'"),
    "asgi.lifespan.unknown-event": ("lifespan", lifespan_sends("receive", _LIFESPAN_UNKNOWN), _LIFESPAN_UNKNOWN,
                                    "one of 'lifespan.shutdown.complete', 'lifespan.shutdown.failed', 'lifespan.startup.complete', 'lifespan.startup.failed'",
                                    "ASGI app sent unknown event type 'lifespan.startup.done' on a 'lifespan' scope"),
    "asgi.lifespan.order": ("lifespan", lifespan_sends({"type": "lifespan.startup.complete"}), {"type": "lifespan.startup.complete"},
                            "no message before receiving 'lifespan.startup'", "ASGI app sent 'lifespan.startup.complete' out of order (state 'idle')"),
    "asgi.lifespan.message": ("lifespan", lifespan_sends("receive", _LIFESPAN_BAD_MESSAGE), _LIFESPAN_BAD_MESSAGE, "message as a str",
                              "ASGI app sent 'lifespan.startup.failed' with message b'db down'"),
}


async def trigger(scope_type: str, app: App) -> Any:
    if scope_type == "lifespan":
        return await run_lifespan(app)
    if scope_type == "websocket":
        async with ASGITestClient(app, lifespan="off").websocket_connect("/ws") as ws:
            return await ws.receive()
    if scope_type == "websocket-without-extensions":  # a scope like daphne's, advertising no denial responses
        scope = make_websocket_scope("/ws")
        del scope["extensions"]
        session = WebSocketSession(validate_asgi(app), scope, 5.0, "WebSocket /ws")
        await session.connect()
        await session.leave()
        return session
    return await call_asgi(validate_asgi(app), make_scope())


class RuleTests(unittest.IsolatedAsyncioTestCase):
    """One test per rule: `.rule`, `.value`, `.expected`, and the message naming the rule and the event."""

    async def check(self, rule: str) -> ProtocolError:
        scope_type, app, value, expected, shown = CASES[rule]
        with self.assertRaises(ProtocolError) as caught:
            await trigger(scope_type, app)
        error = caught.exception
        self.assertEqual(error.rule, rule)
        self.assertEqual(error.value, value)
        self.assertEqual(error.expected, expected)
        message = str(error)
        self.assertTrue(message.startswith(shown), message)
        self.assertIn(f" [{rule}]", message.splitlines()[0])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())
        return error

    async def test_every_catalogued_rule_has_a_case_that_triggers_it(self):
        self.assertEqual(set(CASES), set(RULES))
        self.assertEqual(len(RULES), len(set(RULES)))
        triggered = set()
        for rule, (scope_type, app, *_rest) in CASES.items():
            try:
                await trigger(scope_type, app)
            except ProtocolError as error:
                triggered.add(error.rule)
        self.assertEqual(triggered, set(RULES))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_message_type_rule_when_message_is_a_list(self):
        await self.check("asgi.http.message-type")

    async def test_unknown_event_rule_when_type_misspelt(self):
        await self.check("asgi.http.unknown-event")

    async def test_start_first_rule_when_body_comes_first(self):
        error = await self.check("asgi.http.start-first")
        self.assertIn("\n  event: {'type': 'http.response.body', 'body': b'ok'}\n", str(error))

    async def test_start_once_rule_when_start_sent_twice(self):
        await self.check("asgi.http.start-once")

    async def test_trailers_order_rule_when_body_follows_final_body(self):
        await self.check("asgi.http.trailers-order")

    async def test_after_complete_rule_when_body_follows_final_body(self):
        await self.check("asgi.http.after-complete")

    async def test_status_type_rule_when_status_is_str(self):
        await self.check("asgi.http.status-type")

    async def test_header_type_rule_when_name_is_str(self):
        await self.check("asgi.http.header-type")

    async def test_header_type_rule_when_trailer_value_is_str(self):
        app = sends(dict(START, trailers=True), BODY, _BAD_TRAILERS)
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'http.response.trailers' with header b'x-checksum' value 'abc' of type str \[asgi.http.header-type\]") as caught:
            await trigger("http", app)
        self.assertEqual((caught.exception.rule, caught.exception.expected), ("asgi.http.header-type", "header values as bytes"))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_header_type_rule_when_headers_is_a_dict(self):
        message = dict(START, headers={b"a": b"b"})
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'http.response.start' with headers of type dict \[asgi.http.header-type\]") as caught:
            await trigger("http", sends(message))
        self.assertEqual(caught.exception.expected, "an iterable of [bytes, bytes] pairs")
        self.assertEqual(caught.exception.value, message)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_header_type_rule_when_header_is_not_a_pair(self):
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'http.response.start' with header \(b'a', b'b', b'c'\), not a pair \[asgi.http.header-type\]"):
            await trigger("http", sends(dict(START, headers=[(b"a", b"b", b"c")])))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_body_type_rule_when_body_is_str(self):
        await self.check("asgi.http.body-type")

    async def test_flag_type_rule_when_more_body_is_int(self):
        await self.check("asgi.http.flag-type")

    async def test_flag_type_rule_when_trailers_flag_is_str(self):
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'http.response.start' with trailers='yes' \[asgi.http.flag-type\]") as caught:
            await trigger("http", sends(dict(START, trailers="yes")))
        self.assertEqual(caught.exception.expected, "trailers as a bool")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_pathsend_path_rule_when_path_is_bytes(self):
        await self.check("asgi.http.pathsend-path")

    async def test_returned_without_response_rule_from_server_when_app_sends_nothing(self):
        await self.check("asgi.http.returned-without-response")

    async def test_returned_incomplete_rule_from_server_when_body_unfinished(self):
        await self.check("asgi.http.returned-incomplete")

    async def test_websocket_message_type_rule_when_message_is_a_list(self):
        await self.check("asgi.websocket.message-type")

    async def test_websocket_unknown_event_rule_when_type_misspelt(self):
        await self.check("asgi.websocket.unknown-event")

    async def test_websocket_accept_first_rule_when_send_comes_before_accept(self):
        error = await self.check("asgi.websocket.accept-first")
        self.assertIn("\n  request: WebSocket /ws", str(error))

    async def test_websocket_open_rule_when_accept_sent_twice(self):
        await self.check("asgi.websocket.open")

    async def test_websocket_denial_order_rule_when_accept_follows_denial_start(self):
        await self.check("asgi.websocket.denial-order")

    async def test_websocket_after_close_rule_when_send_follows_close(self):
        await self.check("asgi.websocket.after-close")

    async def test_websocket_denial_extension_rule_when_scope_does_not_advertise_it(self):
        await self.check("asgi.websocket.denial-extension")

    async def test_websocket_send_payload_rule_when_both_keys_set(self):
        await self.check("asgi.websocket.send-payload")

    async def test_websocket_send_payload_rule_when_neither_key_set(self):
        message = {"type": "websocket.send", "text": None}
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'websocket.send' with neither 'text' and 'bytes' \[asgi.websocket.send-payload\]") as caught:
            await trigger("websocket", ws_sends(_ACCEPT, message))
        self.assertEqual(caught.exception.value, message)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_websocket_send_payload_rule_when_text_is_bytes(self):
        message = {"type": "websocket.send", "text": b"hi"}
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'websocket.send' with text that is not str or bytes that are not bytes \[asgi.websocket.send-payload\]") as caught:
            await trigger("websocket", ws_sends(_ACCEPT, message))
        self.assertEqual((caught.exception.value, caught.exception.expected), (message, "text as str, bytes as bytes"))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_websocket_key_type_rule_when_subprotocol_is_int(self):
        await self.check("asgi.websocket.key-type")

    async def test_websocket_key_type_rule_when_close_code_or_reason_has_wrong_type(self):
        for message, shown, expected in (
            ({"type": "websocket.close", "code": "1000"}, "with code '1000'", "code as an int such as 1000"),
            ({"type": "websocket.close", "code": True}, "with code True", "code as an int such as 1000"),
            ({"type": "websocket.close", "code": 1000, "reason": b"bye"}, "with reason b'bye'", "reason as a str or None"),
        ):
            with self.subTest(message=message):
                with self.assertRaisesRegex(ProtocolError, rf"^ASGI app sent 'websocket.close' {shown} \[asgi.websocket.key-type\]") as caught:
                    await trigger("websocket", ws_sends(_ACCEPT, message))
                self.assertEqual((caught.exception.value, caught.exception.expected), (message, expected))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_header_type_rule_when_accept_header_name_is_str(self):
        message = {"type": "websocket.accept", "headers": [("x-a", b"1")]}
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'websocket.accept' with header name 'x-a' of type str \[asgi.http.header-type\]"):
            await trigger("websocket", ws_sends(message))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_status_type_rule_when_denial_status_is_str(self):
        message = dict(_DENIAL_START, status="401")
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'websocket.http.response.start' with status '401' of type str \[asgi.http.status-type\]"):
            await trigger("websocket", ws_sends(message))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_websocket_returned_without_answer_rule_from_server_when_app_sends_nothing(self):
        await self.check("asgi.websocket.returned-without-answer")

    async def test_lifespan_message_type_rule_when_message_is_str(self):
        await self.check("asgi.lifespan.message-type")

    async def test_lifespan_unknown_event_rule_when_type_misspelt(self):
        await self.check("asgi.lifespan.unknown-event")

    async def test_lifespan_order_rule_when_complete_sent_before_startup(self):
        await self.check("asgi.lifespan.order")

    async def test_lifespan_order_rule_when_shutdown_complete_sent_while_running(self):
        app = lifespan_sends("receive", {"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"})
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent 'lifespan.shutdown.complete' out of order \(state 'running'\) \[asgi.lifespan.order\]") as caught:
            await run_lifespan(app)
        self.assertEqual(caught.exception.expected, "no message until 'lifespan.shutdown' is received")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_lifespan_message_rule_when_failure_message_is_bytes(self):
        await self.check("asgi.lifespan.message")


def length_app(declared: bytes, *bodies: Any, status: int = 200) -> App:
    """An HTTP app that declares content-length `declared` and sends `bodies`, the last with more_body False."""
    start = {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain"), (b"content-length", declared)]}
    return sends(start, *({"type": "http.response.body", "body": body, "more_body": i < len(bodies) - 1} for i, body in enumerate(bodies)))


class ContentLengthTests(unittest.IsolatedAsyncioTestCase):
    """Rule asgi.http.content-length: what the body is held to, on the request and the stream path, and without validation."""

    async def assertLengthError(self, app: App, headline: str, *, stream: bool = False, method: str = "GET") -> None:
        client = ASGITestClient(app, lifespan="off")
        with self.assertRaises(ProtocolError) as caught:
            if stream:
                async with client.stream(method, "/") as response:
                    await response.aread()
            else:
                await client.request(method, "/")
        self.assertEqual(caught.exception.rule, "asgi.http.content-length")
        self.assertEqual(str(caught.exception).splitlines()[0], f"{headline} [asgi.http.content-length]")

    async def test_longer_and_shorter_bodies_name_both_lengths(self):
        for stream in (False, True):
            with self.subTest(stream=stream):
                await self.assertLengthError(length_app(b"3", b"he", b"llo"), "the app declared Content-Length: 3 but its body has 5 bytes", stream=stream)
                await self.assertLengthError(length_app(b"3", b"he", b"llo", b""), "the app declared Content-Length: 3 but sent more: 5 bytes so far", stream=stream)
                await self.assertLengthError(length_app(b"9", b"he", b"llo"), "the app declared Content-Length: 9 but its body has 5 bytes", stream=stream)

    async def test_bytes_like_bodies_count_their_bytes(self):
        response = await ASGITestClient(length_app(b"8", memoryview(b"hel"), bytearray(b"lo"), memoryview(b"abc").cast("B")), lifespan="off").get("/")
        self.assertEqual(response.body, b"helloabc")
        await self.assertLengthError(length_app(b"4", memoryview(b"hello")), "the app declared Content-Length: 4 but its body has 5 bytes")

    async def test_a_value_that_is_no_number(self):
        await self.assertLengthError(length_app(b"3 bytes", b"abc"), "ASGI app sent 'http.response.start' with Content-Length '3 bytes' is not a decimal number of bytes")

    async def test_head_204_and_304_are_not_held_to_it(self):
        self.assertEqual((await ASGITestClient(length_app(b"5", b""), lifespan="off").head("/")).status_code, 200)
        self.assertEqual((await ASGITestClient(length_app(b"5", b"hello"), lifespan="off").head("/")).body, b"")
        self.assertEqual((await ASGITestClient(length_app(b"5", b"", status=304), lifespan="off").get("/")).status_code, 304)

    async def test_without_validation_a_longer_body_is_cut_as_servers_do(self):
        app = length_app(b"3", b"he", b"llo", b"more")
        self.assertEqual((await ASGITestClient(app, lifespan="off", validate=False).get("/")).body, b"hel")
        self.assertEqual((await call_asgi(app, make_scope())).body, b"hel")
        async with ASGITestClient(app, lifespan="off", validate=False).stream("GET", "/") as response:
            self.assertEqual([chunk async for chunk in response.aiter_bytes()], [b"he", b"l"])

    async def test_without_validation_a_shorter_body_is_what_was_sent(self):
        self.assertEqual((await ASGITestClient(length_app(b"9", b"hello"), lifespan="off", validate=False).get("/")).body, b"hello")

    async def test_a_stream_raises_at_the_chunk_that_goes_past_it(self):
        async with ASGITestClient(length_app(b"3", b"he", b"llo", b"never"), lifespan="off").stream("GET", "/") as response:
            chunks = response.aiter_bytes()
            self.assertEqual(await chunks.__anext__(), b"he")
            with self.assertRaisesRegex(ProtocolError, r"declared Content-Length: 3 but sent more: 5 bytes so far"):
                await chunks.__anext__()


class ToleranceTests(unittest.IsolatedAsyncioTestCase):
    """What real servers accept from real frameworks is not an error."""

    async def test_upper_case_hop_by_hop_and_padded_headers_accepted(self):
        headers = [(b"Content-Type", b"text/plain"), (b"Connection", b"close"), (b"transfer-encoding", b"chunked"), (b"x-pad", b"  value")]
        response = await call_asgi(validate_asgi(sends(dict(START, headers=headers), BODY)), make_scope())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.body, b"ok")
        self.assertEqual(response.headers["content-type"], "text/plain")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_full_legal_lifespan_passes_and_reaches_server(self):
        app = lifespan_sends("receive", {"type": "lifespan.startup.complete"}, "receive", {"type": "lifespan.shutdown.complete"})
        self.assertEqual(await run_lifespan(app), [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_trailers_and_pathsend_accepted_when_legal(self):
        with tempfile.NamedTemporaryFile(suffix=".txt") as file:
            file.write(b"from disk")
            file.flush()
            start = dict(START, trailers=True)
            app = sends(start, {"type": "http.response.pathsend", "path": file.name}, {"type": "http.response.trailers", "headers": [(b"x-sum", b"1")]})
            response = await call_asgi(validate_asgi(app), make_scope())
        self.assertEqual(response.body, b"from disk")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_websocket_message_with_none_in_unused_key_accepted(self):
        sent: list[Any] = []

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "bytes": None, "text": "hi"})
            await send({"type": "websocket.close", "code": 1000})

        async def receive() -> Any:
            return {"type": "websocket.connect"}

        async def send(message: Any) -> None:
            sent.append(message["type"])

        await validate_asgi(app)(make_scope(scope_type="websocket"), receive, send)
        self.assertEqual(sent, ["websocket.accept", "websocket.send", "websocket.close"])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_unknown_scope_type_passed_through_unchecked(self):
        seen: list[Any] = []

        async def app(scope: Any, receive: Any, send: Any) -> str:
            await send(["anything"])
            return "returned"

        async def send(message: Any) -> None:
            seen.append(message)

        self.assertEqual(await validate_asgi(app)({"type": "custom"}, None, send), "returned")
        self.assertEqual(seen, [["anything"]])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class WrapperTests(unittest.IsolatedAsyncioTestCase):
    async def test_swallowed_violation_reraised_after_app_returns(self):
        async def app(scope: Any, receive: Any, send: Any) -> None:
            try:
                await send(dict(START, status="200"))
            except ProtocolError:
                pass
            await send(START)
            await send(BODY)

        with self.assertRaises(ProtocolError) as caught:
            await call_asgi(validate_asgi(app), make_scope())
        self.assertEqual(caught.exception.rule, "asgi.http.status-type")
        self.assertEqual(caught.exception.value, dict(START, status="200"))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_violating_message_not_forwarded_to_server(self):
        forwarded: list[Any] = []

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send(dict(START, status=None))

        async def send(message: Any) -> None:
            forwarded.append(message)

        with self.assertRaisesRegex(ProtocolError, r"\[asgi.http.status-type\]"):
            await validate_asgi(app)(make_scope(), None, send)
        self.assertEqual(forwarded, [])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_wrapping_twice_returns_same_wrapper(self):
        wrapped = validate_asgi(sends(START, BODY))
        self.assertIs(validate_asgi(wrapped), wrapped)
        self.assertEqual((await call_asgi(wrapped, make_scope())).body, b"ok")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_non_callable_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^validate_asgi\(\) needs an ASGI callable app\(scope, receive, send\), not str: 'app'$"):
            validate_asgi("app")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class PlainHTTPStepTests(unittest.TestCase):
    """The validator's fast path for plain HTTP messages must agree with check_send on every message."""

    MESSAGES = [
        START,
        dict(START, headers=[(b"a", b"1"), [b"b", b"2"]]),
        dict(START, headers=((b"a", b"1"),)),
        dict(START, trailers=False),
        dict(START, trailers=True),
        dict(START, trailers=0),
        dict(START, status=True),
        dict(START, status="200"),
        dict(START, status=None),
        dict(START, headers=[("a", b"1")]),
        dict(START, headers=[(b"a", "1")]),
        dict(START, headers=[(b"a", b"1", b"2")]),
        dict(START, headers=[b"ab"]),
        dict(START, headers={b"a": b"1"}),
        dict(START, headers=b"a"),
        dict(START, headers=iter([(b"a", b"1")])),
        {"type": "http.response.start", "status": 204},
        BODY,
        {"type": "http.response.body"},
        dict(BODY, more_body=True),
        dict(BODY, more_body=False),
        dict(BODY, more_body=1),
        dict(BODY, more_body=None),
        dict(BODY, body="ok"),
        dict(BODY, body=bytearray(b"ok")),
        {"type": "http.response.trailers", "headers": []},
        {"type": "http.response.pathsend", "path": "/x"},
        {"type": "http.response.bogus"},
        {"type": b"http.response.body"},
        {"status": 200},
        [("type", "http.response.start")],
        None,
    ]

    def test_fast_path_agrees_with_check_send(self):
        from asgiwsgi_testkit._asgi_validate import _plain_http_step, check_send

        class Kind(str):
            pass

        messages = self.MESSAGES + [{"type": Kind("http.response.body"), "body": b""}, dict(START, type=Kind("http.response.start"))]
        scope = make_scope()
        for state in ("start", "body", "body+trailers", "trailers", "done"):
            for message in messages:
                with self.subTest(state=state, message=message):
                    fast = _plain_http_step(state, message)
                    try:
                        expected = check_send(scope, "http", state, message)
                    except ProtocolError:
                        self.assertIsNone(fast)  # a flaw always takes the path that names its rule
                    else:
                        self.assertIn(fast, (None, expected))

    def test_fast_path_takes_the_common_messages(self):
        from asgiwsgi_testkit._asgi_validate import _plain_http_step

        self.assertEqual(_plain_http_step("start", dict(START, headers=[(b"content-type", b"text/plain")])), "body")
        self.assertEqual(_plain_http_step("body", dict(BODY, more_body=True)), "body")
        self.assertEqual(_plain_http_step("body", BODY), "done")


if __name__ == "__main__":
    unittest.main()
