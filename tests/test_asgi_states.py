"""Tests for _asgi_states: advance() walks every legal sequence and names the broken rule for every illegal step."""

from __future__ import annotations

import unittest
from typing import Any

from asgiwsgi_testkit import ProtocolError
from asgiwsgi_testkit._asgi_states import _STATE_RULES, INITIAL, TRANSITIONS, advance, event_key, server_event

START = {"type": "http.response.start", "status": 200, "headers": []}
START_TRAILERS = {"type": "http.response.start", "status": 200, "headers": [], "trailers": True}
MORE = {"type": "http.response.body", "body": b"a", "more_body": True}
LAST = {"type": "http.response.body", "body": b"b"}
PATHSEND = {"type": "http.response.pathsend", "path": "/tmp/x"}
TRAILER_MORE = {"type": "http.response.trailers", "headers": [], "more_trailers": True}
TRAILER_LAST = {"type": "http.response.trailers", "headers": []}


def walk(scope_type: str, messages: list[Any], state: str | None = None) -> str:
    state = INITIAL[scope_type] if state is None else state
    for message in messages:
        state = advance(scope_type, state, message)
    return state


class LegalSequenceTests(unittest.TestCase):
    """Sequences a server accepts end in the expected state."""

    def test_http_ends_done_when_body_finishes(self):
        self.assertEqual(walk("http", [START, MORE, MORE, LAST]), "done")

    def test_http_ends_done_when_pathsend_follows_start(self):
        self.assertEqual(walk("http", [START, PATHSEND]), "done")

    def test_http_ends_done_when_trailers_follow_body(self):
        self.assertEqual(walk("http", [START_TRAILERS, MORE, LAST, TRAILER_MORE, TRAILER_LAST]), "done")

    def test_http_waits_for_trailers_when_start_announced_them(self):
        self.assertEqual(walk("http", [START_TRAILERS, LAST]), "trailers")
        self.assertEqual(walk("http", [START_TRAILERS, PATHSEND]), "trailers")

    def test_websocket_ends_closed_when_accepted_then_closed(self):
        messages = [{"type": "websocket.accept"}, {"type": "websocket.send", "text": "hi"}, {"type": "websocket.close", "code": 1000}]
        self.assertEqual(walk("websocket", messages), "closed")

    def test_websocket_ends_closed_when_denied_with_body(self):
        messages = [
            {"type": "websocket.http.response.start", "status": 403, "headers": []},
            {"type": "websocket.http.response.body", "body": b"no", "more_body": True},
            {"type": "websocket.http.response.body", "body": b""},
        ]
        self.assertEqual(walk("websocket", messages), "closed")

    def test_websocket_closed_when_closed_before_accept(self):
        self.assertEqual(walk("websocket", [{"type": "websocket.close"}]), "closed")

    def test_lifespan_walks_startup_and_shutdown_with_server_events(self):
        state = server_event("lifespan", "idle", "lifespan.startup")
        self.assertEqual(state, "starting")
        state = advance("lifespan", state, {"type": "lifespan.startup.complete"})
        self.assertEqual(state, "running")
        state = server_event("lifespan", state, "lifespan.shutdown")
        self.assertEqual(state, "stopping")
        self.assertEqual(advance("lifespan", state, {"type": "lifespan.shutdown.complete"}), "stopped")

    def test_lifespan_failed_states_when_app_reports_failure(self):
        self.assertEqual(advance("lifespan", "starting", {"type": "lifespan.startup.failed", "message": "x"}), "failed")
        self.assertEqual(advance("lifespan", "stopping", {"type": "lifespan.shutdown.failed", "message": "x"}), "stopped")

    def test_server_event_leaves_state_when_irrelevant(self):
        self.assertEqual(server_event("lifespan", "running", "lifespan.startup"), "running")
        self.assertEqual(server_event("http", "body", "http.disconnect"), "body")

    def test_event_key_refines_by_flag(self):
        self.assertEqual(event_key(MORE), "http.response.body+more")
        self.assertEqual(event_key(LAST), "http.response.body")
        self.assertEqual(event_key(START_TRAILERS), "http.response.start+trailers")
        self.assertEqual(event_key(TRAILER_MORE), "http.response.trailers+more")
        self.assertEqual(event_key({"type": "websocket.http.response.body", "more_body": True}), "websocket.http.response.body+more")
        self.assertEqual(event_key({"type": "websocket.send"}), "websocket.send")


class IllegalStepTests(unittest.TestCase):
    """Every illegal (state, event) pair raises ProtocolError with the table's rule and the event in the message."""

    def check(self, scope_type: str, state: str, message: dict[str, Any], headline: str) -> ProtocolError:
        with self.assertRaises(ProtocolError) as caught:
            advance(scope_type, state, message)
        error = caught.exception
        rule, expected = _STATE_RULES[(scope_type, state)]
        self.assertEqual(error.rule, rule)
        self.assertIs(error.value, message)
        self.assertEqual(error.expected, expected)
        self.assertEqual(str(error), f"{headline} [{rule}]\n  event: {message!r}\n  expected: {expected}")
        return error

    def test_every_missing_transition_raises_the_state_rule(self):
        samples = {
            "http": [START, START_TRAILERS, MORE, LAST, PATHSEND, TRAILER_MORE, TRAILER_LAST],
            "websocket": [
                {"type": "websocket.accept"},
                {"type": "websocket.send", "text": "x"},
                {"type": "websocket.close"},
                {"type": "websocket.http.response.start", "status": 403},
                {"type": "websocket.http.response.body", "more_body": True},
                {"type": "websocket.http.response.body"},
            ],
            "lifespan": [{"type": t} for t in ("lifespan.startup.complete", "lifespan.startup.failed", "lifespan.shutdown.complete", "lifespan.shutdown.failed")],
        }
        checked = 0
        for scope_type, states in TRANSITIONS.items():
            for state, table in states.items():
                for message in samples[scope_type]:
                    if event_key(message) in table:
                        continue
                    with self.subTest(scope=scope_type, state=state, event=message):
                        with self.assertRaises(ProtocolError) as caught:
                            advance(scope_type, state, message)
                        rule, expected = _STATE_RULES[(scope_type, state)]
                        self.assertEqual(caught.exception.rule, rule)
                        self.assertEqual(caught.exception.expected, expected)
                        self.assertIn(f"  event: {message!r}", str(caught.exception))
                        self.assertIn(f"[{rule}]", str(caught.exception))
                        checked += 1
        self.assertGreater(checked, 40)

    def test_body_before_start_names_start_first(self):
        self.check("http", "start", LAST, "ASGI app sent 'http.response.body' before 'http.response.start'")

    def test_second_start_names_start_once(self):
        self.check("http", "body", START, "ASGI app sent 'http.response.start' twice")

    def test_trailers_without_announcement_names_start_once(self):
        self.check("http", "body", TRAILER_LAST, "ASGI app sent 'http.response.trailers' out of order (state 'body')")

    def test_body_after_body_finished_with_trailers_pending_names_trailers_order(self):
        self.check("http", "trailers", LAST, "ASGI app sent 'http.response.body' out of order (state 'trailers')")

    def test_body_after_complete_names_after_complete(self):
        self.check("http", "done", MORE, "ASGI app sent 'http.response.body' after the http conversation finished")

    def test_send_before_accept_names_accept_first(self):
        self.check("websocket", "connecting", {"type": "websocket.send", "text": "x"}, "ASGI app sent 'websocket.send' out of order (state 'connecting')")

    def test_send_after_close_names_after_close(self):
        self.check("websocket", "closed", {"type": "websocket.send", "text": "x"}, "ASGI app sent 'websocket.send' after the websocket conversation finished")

    def test_accept_twice_names_open(self):
        self.check("websocket", "open", {"type": "websocket.accept"}, "ASGI app sent 'websocket.accept' out of order (state 'open')")

    def test_startup_complete_before_startup_names_lifespan_order(self):
        self.check("lifespan", "idle", {"type": "lifespan.startup.complete"}, "ASGI app sent 'lifespan.startup.complete' out of order (state 'idle')")

    def test_shutdown_complete_while_running_names_lifespan_order(self):
        self.check("lifespan", "running", {"type": "lifespan.shutdown.complete"}, "ASGI app sent 'lifespan.shutdown.complete' out of order (state 'running')")

    def test_unknown_event_type_raises_unknown_event(self):
        message = {"type": "http.response.bogus"}
        with self.assertRaisesRegex(ProtocolError, r"^ASGI app sent unknown event type 'http.response.bogus' on a 'http' scope \[asgi.http.unknown-event\]") as caught:
            advance("http", "start", message)
        self.assertEqual(caught.exception.rule, "asgi.http.unknown-event")
        self.assertIs(caught.exception.value, message)
        self.assertIn("'http.response.start'", caught.exception.expected)
        self.assertIn("  event: {'type': 'http.response.bogus'}", str(caught.exception))

    def test_websocket_event_on_lifespan_scope_is_unknown(self):
        with self.assertRaises(ProtocolError) as caught:
            advance("lifespan", "starting", {"type": "websocket.accept"})
        self.assertEqual(caught.exception.rule, "asgi.lifespan.unknown-event")

    def test_non_dict_message_raises_message_type(self):
        for message in (["type", "http.response.start"], None, {"type": 5}, {"status": 200}):
            with self.subTest(message=message):
                with self.assertRaises(ProtocolError) as caught:
                    advance("http", "start", message)
                error = caught.exception
                self.assertEqual(error.rule, "asgi.http.message-type")
                self.assertIs(error.value, message)
                self.assertEqual(error.expected, "a dict with a str 'type' key")
                self.assertEqual(str(error), f"ASGI app sent {message!r}, expected a dict with a str 'type' [asgi.http.message-type]\n  expected: a dict with a str 'type' key")

    def test_long_event_shortened_in_message(self):
        message = {"type": "http.response.body", "body": b"x" * 500}
        with self.assertRaises(ProtocolError) as caught:
            advance("http", "done", message)
        event_line = str(caught.exception).splitlines()[1]
        self.assertTrue(event_line.endswith("..."), event_line)
        self.assertLessEqual(len(event_line), len("  event: ") + 200)


if __name__ == "__main__":
    unittest.main()
