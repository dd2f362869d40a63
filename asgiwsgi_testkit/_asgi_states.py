"""Transition tables for what an ASGI app may send, per scope type (http, websocket, lifespan).

Theory of operation. A conversation between server and app is in one state
at a time; each message the *app* sends either moves it to a next state or is
illegal there. The tables below are the whole truth about order: an illegal
step is a missing key, and `advance()` turns that into the one "wrong order"
ProtocolError for every scope type (the h11 pattern).

Rule 1: everything that decides which app message may come next lives here.
Rule 2: this module does not know whether it serves (the clients) or checks
(validate_asgi); both call `advance()`. Key types are checked elsewhere.

Server-side happenings that change what the app may send (the server sending
`lifespan.shutdown`, a client disconnect) go through `SERVER_TRANSITIONS`.
"""

from __future__ import annotations

from typing import Any

from ._errors import event_rule_broken, rule_broken

__all__ = ["INITIAL", "SERVER_TRANSITIONS", "TRANSITIONS", "advance", "event_key"]

# {scope type: {state: {event key: next state}}}. An event key is the message
# type, refined by `event_key()` where a flag decides the next state.
TRANSITIONS: dict[str, dict[str, dict[str, str]]] = {
    "http": {
        "start": {"http.response.start": "body", "http.response.start+trailers": "body+trailers"},
        "body": {
            "http.response.body+more": "body",
            "http.response.body": "done",
            "http.response.pathsend": "done",
        },
        "body+trailers": {
            "http.response.body+more": "body+trailers",
            "http.response.body": "trailers",
            "http.response.pathsend": "trailers",
        },
        "trailers": {"http.response.trailers+more": "trailers", "http.response.trailers": "done"},
        "done": {},
    },
    "websocket": {
        "connecting": {
            "websocket.accept": "open",
            "websocket.close": "closed",
            "websocket.http.response.start": "denial-body",
        },
        "open": {"websocket.send": "open", "websocket.close": "closed"},
        "denial-body": {"websocket.http.response.body+more": "denial-body", "websocket.http.response.body": "closed"},
        "closed": {},
    },
    "lifespan": {
        "idle": {},
        "starting": {"lifespan.startup.complete": "running", "lifespan.startup.failed": "failed"},
        "running": {},
        "stopping": {"lifespan.shutdown.complete": "stopped", "lifespan.shutdown.failed": "stopped"},
        "failed": {},
        "stopped": {},
    },
}

INITIAL = {"http": "start", "websocket": "connecting", "lifespan": "idle"}

# What the server does that moves the conversation: {scope: {(state, server event): next state}}.
SERVER_TRANSITIONS: dict[str, dict[tuple[str, str], str]] = {
    "lifespan": {("idle", "lifespan.startup"): "starting", ("running", "lifespan.shutdown"): "stopping"},
}

# Per (scope, state): the rule id broken by an illegal event there, and what was expected.
_STATE_RULES: dict[tuple[str, str], tuple[str, str]] = {
    ("http", "start"): ("asgi.http.start-first", "exactly one 'http.response.start' first (ASGI HTTP spec, 'Response Start')"),
    ("http", "body"): ("asgi.http.start-once", "'http.response.body' until more_body is False"),
    ("http", "body+trailers"): ("asgi.http.start-once", "'http.response.body' until more_body is False, then 'http.response.trailers'"),
    ("http", "trailers"): ("asgi.http.trailers-order", "'http.response.trailers' after the body, since the start announced trailers"),
    ("http", "done"): ("asgi.http.after-complete", "nothing after the response is complete"),
    ("websocket", "connecting"): ("asgi.websocket.accept-first", "'websocket.accept', 'websocket.close' or 'websocket.http.response.start' first"),
    ("websocket", "open"): ("asgi.websocket.open", "'websocket.send' or 'websocket.close' once accepted"),
    ("websocket", "denial-body"): ("asgi.websocket.denial-order", "'websocket.http.response.body' until more_body is False"),
    ("websocket", "closed"): ("asgi.websocket.after-close", "nothing after the WebSocket is closed"),
    ("lifespan", "idle"): ("asgi.lifespan.order", "no message before receiving 'lifespan.startup'"),
    ("lifespan", "starting"): ("asgi.lifespan.order", "'lifespan.startup.complete' or 'lifespan.startup.failed'"),
    ("lifespan", "running"): ("asgi.lifespan.order", "no message until 'lifespan.shutdown' is received"),
    ("lifespan", "stopping"): ("asgi.lifespan.order", "'lifespan.shutdown.complete' or 'lifespan.shutdown.failed'"),
    ("lifespan", "failed"): ("asgi.lifespan.order", "nothing after 'lifespan.startup.failed'"),
    ("lifespan", "stopped"): ("asgi.lifespan.order", "nothing after shutdown finished"),
}

_KNOWN = {scope: {key.split("+")[0] for table in states.values() for key in table} for scope, states in TRANSITIONS.items()}


def event_key(message: dict[str, Any]) -> str:
    """The table key of an app message: its type, refined by the flag that decides the next state."""
    kind: str = message["type"]
    if kind == "http.response.body" or kind == "websocket.http.response.body":
        return kind + "+more" if message.get("more_body") else kind
    if kind == "http.response.start":
        return kind + "+trailers" if message.get("trailers") else kind
    if kind == "http.response.trailers":
        return kind + "+more" if message.get("more_trailers") else kind
    return kind


def _show(message: Any) -> str:
    text = repr(message)
    return text if len(text) <= 200 else text[:197] + "..."


def advance(scope_type: str, state: str, message: Any) -> str:
    """The state after the app sends `message` in `state`, or the ProtocolError for sending it there."""
    if type(message) is not dict or type(message.get("type")) is not str:
        raise rule_broken(f"asgi.{scope_type}.message-type", f"ASGI app sent {_show(message)}, expected a dict with a str 'type'", message, "a dict with a str 'type' key")
    key = event_key(message)
    following = TRANSITIONS[scope_type][state].get(key)
    if following is not None:
        return following
    kind = message["type"]
    if kind not in _KNOWN[scope_type]:
        known = ", ".join(repr(k) for k in sorted(_KNOWN[scope_type]))
        headline = f"ASGI app sent unknown event type {kind!r} on a {scope_type!r} scope"
        raise event_rule_broken(f"asgi.{scope_type}.unknown-event", headline, message, f"one of {known}")
    rule, expected = _STATE_RULES[(scope_type, state)]
    raise event_rule_broken(rule, _order_headline(scope_type, state, kind), message, expected)

def _order_headline(scope_type: str, state: str, kind: str) -> str:
    if scope_type == "http" and state == "start":
        return f"ASGI app sent {kind!r} before 'http.response.start'"
    if state in ("done", "closed", "stopped", "failed"):
        return f"ASGI app sent {kind!r} after the {scope_type} conversation finished"
    if kind == "http.response.start":
        return "ASGI app sent 'http.response.start' twice"
    return f"ASGI app sent {kind!r} out of order (state {state!r})"


def server_event(scope_type: str, state: str, server_message_type: str) -> str:
    """The state after the server sends `server_message_type` (unchanged if it does not matter)."""
    return SERVER_TRANSITIONS.get(scope_type, {}).get((state, server_message_type), state)
