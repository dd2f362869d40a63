"""Server-sent events: text/event-stream lines to events, as the WHATWG HTML standard parses them.

Pure: feed decoded lines (CR, LF and CRLF already split) to `EventParser.feed()`,
which returns an event when a blank line dispatches one. Comments (lines
starting with ':') are ignored; multi-line `data` is joined with '\\n'.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["EventParser", "ServerSentEvent"]


class ServerSentEvent(NamedTuple):
    """One dispatched event: `event` ('message' by default), `data`, `id`, `retry` (int or None)."""

    event: str
    data: str
    id: str
    retry: int | None


class EventParser:
    """The WHATWG event-stream interpretation, one line at a time."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = ""
        self._id = ""
        self._retry: int | None = None
        self._has_data = False

    def feed(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
            self._has_data = True
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\x00" not in value:
                self._id = value
        elif field == "retry":
            if value.isascii() and value.isdigit():  # "only ASCII digits"; str.isdigit() also accepts '²'
                self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        # The last event ID persists across events (the standard's "last event ID buffer").
        if not self._has_data:
            self._event = ""
            return None
        event = ServerSentEvent(self._event or "message", "\n".join(self._data), self._id, self._retry)
        self._data, self._event, self._has_data, self._retry = [], "", False, None
        return event
