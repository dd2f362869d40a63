"""Tests for _asgi_validate: every rule in the catalogue fires on its misbehaving app, and legitimate apps pass untouched."""

from __future__ import annotations

import asyncio
import tempfile
import unittest
from typing import Any, Awaitable, Callable

from asgiwsgi_testkit import ProtocolError
from asgiwsgi_testkit._asgi_call import call_asgi
from asgiwsgi_testkit._asgi_scope import lifespan_scope, make_scope
from asgiwsgi_testkit._asgi_validate import RULES, validate_asgi

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
    "asgi.http.returned-without-response": ("http", sends(), None, "an 'http.response.start' and a final 'http.response.body' before returning",
                                            "ASGI app returned without sending 'http.response.start' (GET /)"),
    "asgi.http.returned-incomplete": ("http", sends(START, dict(BODY, more_body=True)), dict(BODY, more_body=True),
                                      "'http.response.body' with more_body False (or the trailers) before returning",
                                      "ASGI app returned before completing its response (GET /; waiting for http.response.body)"),
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


if __name__ == "__main__":
    unittest.main()
