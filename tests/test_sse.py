"""Tests for _sse: EventParser interprets text/event-stream lines as the WHATWG HTML standard says."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit._sse import EventParser, ServerSentEvent


def parse(*lines: str) -> list[ServerSentEvent]:
    parser = EventParser()
    return [event for event in map(parser.feed, lines) if event is not None]


class EventParserTests(unittest.TestCase):
    def test_event_defaults_to_message_when_no_event_field(self):
        self.assertEqual(parse("data: hello", ""), [ServerSentEvent("message", "hello", "", None)])

    def test_event_field_sets_type_for_one_event_only(self):
        events = parse("event: update", "data: 1", "", "data: 2", "")
        self.assertEqual([e.event for e in events], ["update", "message"])

    def test_multi_line_data_joined_with_newline(self):
        self.assertEqual(parse("data: one", "data: two", "data:", "")[0].data, "one\ntwo\n")

    def test_comment_lines_ignored(self):
        self.assertEqual(parse(": keep-alive", "data: x", ":another", ""), [ServerSentEvent("message", "x", "", None)])

    def test_comment_alone_dispatches_nothing(self):
        self.assertEqual(parse(": ping", ""), [])

    def test_id_persists_across_events(self):
        events = parse("id: 7", "data: a", "", "data: b", "", "id", "data: c", "")
        self.assertEqual([e.id for e in events], ["7", "7", ""])

    def test_id_with_nul_ignored(self):
        self.assertEqual(parse("id: 1", "id: 2\x003", "data: x", "")[0].id, "1")

    def test_retry_taken_when_ascii_digits(self):
        self.assertEqual(parse("retry: 1500", "data: x", "")[0].retry, 1500)

    def test_retry_ignored_when_not_only_digits(self):
        for value in ("1.5", "-1", "10s", " 10", "", "\u00b2", "\u0663"):
            with self.subTest(value=value):
                self.assertIsNone(parse(f"retry: {value}", "data: x", "")[0].retry)

    def test_field_without_colon_has_empty_value(self):
        self.assertEqual(parse("data", "data", "")[0].data, "\n")
        self.assertEqual(parse("data", "")[0], ServerSentEvent("message", "", "", None))

    def test_only_one_leading_space_stripped(self):
        self.assertEqual(parse("data:  two spaces", "")[0].data, " two spaces")
        self.assertEqual(parse("data:no space", "")[0].data, "no space")
        self.assertEqual(parse("event:\ttab", "data: x", "")[0].event, "\ttab")

    def test_value_keeps_later_colons(self):
        self.assertEqual(parse("data: a: b", "")[0].data, "a: b")

    def test_no_dispatch_without_data(self):
        self.assertEqual(parse("event: ping", "id: 3", "retry: 10", ""), [])

    def test_event_type_reset_when_no_data_dispatched(self):
        events = parse("event: ping", "", "data: x", "")
        self.assertEqual(events, [ServerSentEvent("message", "x", "", None)])

    def test_id_set_without_data_applies_to_next_event(self):
        self.assertEqual(parse("id: 9", "", "data: x", "")[0].id, "9")

    def test_unknown_and_wrong_case_fields_ignored(self):
        self.assertEqual(parse("Data: no", "foo: bar", "data: yes", ""), [ServerSentEvent("message", "yes", "", None)])

    def test_blank_line_without_fields_dispatches_nothing(self):
        self.assertEqual(parse("", "", ""), [])

    def test_feed_returns_none_until_blank_line(self):
        parser = EventParser()
        self.assertIsNone(parser.feed("data: x"))
        self.assertEqual(parser.feed(""), ServerSentEvent("message", "x", "", None))


if __name__ == "__main__":
    unittest.main()
