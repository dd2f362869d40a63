"""validate_asgi: check what the ASGI specs require of an application, and raise ProtocolError.

Order is checked by the transition tables in _asgi_states (one place makes
every "wrong order" error); this module checks each message's keys and types.

Rules (id: what is checked -- the spec sentence it enforces):

  asgi.http.message-type        a message is a dict with a str 'type'
  asgi.http.unknown-event       the type is one the scope allows
  asgi.http.start-first         'http.response.start' comes first -- "Starts sending a response to the client"
  asgi.http.start-once          one 'http.response.start'; the body follows until more_body is False
  asgi.http.trailers-order      trailers only after the body, and only when the start announced them
  asgi.http.after-complete      nothing after the response completed
  asgi.http.status-type         status is an int -- "status (int) -- HTTP status code"
  asgi.http.header-type         headers are an iterable of [name, value] pairs of bytes
                                -- "headers (Iterable[[byte string, byte string]])"
  asgi.http.body-type           body is bytes, a bytearray or a memoryview (what servers serve) -- "body (byte string)"
  asgi.http.flag-type           more_body, trailers and more_trailers are bool
  asgi.http.pathsend-path       pathsend's path is a str -- "path (Unicode string)"
  asgi.http.content-length      a content-length is a decimal number, and the body has exactly that many bytes;
                                not for HEAD, 1xx, 204 and 304 (RFC 9110 8.6: waitress and gunicorn cut a longer
                                body, uvicorn raises)
  asgi.http.returned-without-response  the app sent 'http.response.start' before returning
  asgi.http.returned-incomplete the app finished its body before returning
  asgi.websocket.message-type   a WebSocket message is a dict with a str 'type'
  asgi.websocket.unknown-event  the type is one a WebSocket scope allows
  asgi.websocket.accept-first   'websocket.accept', 'websocket.close' or a denial response comes first
                                -- "the application must send ... websocket.accept ... or websocket.close"
  asgi.websocket.open           once accepted, only 'websocket.send' and 'websocket.close'
  asgi.websocket.denial-order   'websocket.http.response.body' follows the denial start until more_body is False
  asgi.websocket.after-close    nothing after 'websocket.close' or the end of a denial response
  asgi.websocket.denial-extension  a denial response only when the scope advertises 'websocket.http.response'
  asgi.websocket.send-payload   exactly one of text (str) and bytes (bytes) is set; the other may be None
  asgi.websocket.key-type       subprotocol is a str or None, close code an int, reason a str or None
  asgi.websocket.returned-without-answer  the app accepted, closed or denied before returning
  asgi.lifespan.message-type    a lifespan message is a dict with a str 'type'
  asgi.lifespan.unknown-event   the type is a lifespan one
  asgi.lifespan.order           startup.complete/failed only after lifespan.startup, shutdown.* only after lifespan.shutdown
  asgi.lifespan.message         a failed message's 'message' is a str

Tolerated on purpose, because real servers accept it from real frameworks:
upper-case header names, hop-by-hop headers (PEP 3333's rule, not ASGI's),
leading whitespace in header values, None in the unused bytes/text key of a
WebSocket message.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ._asgi_states import INITIAL, SERVER_TRANSITIONS, advance, server_event
from ._content import BYTES_LIKE
from ._content_length import content_length, length_mismatch
from ._errors import ProtocolError, event_rule_broken

__all__ = ["RULES", "HTTPSendChecker", "check_send", "validate_asgi"]

RULES = tuple(re.findall(r"^  (asgi\.[a-z_.\-]+)", __doc__ or "", re.M))

_FLAGS = {
    "http.response.start": ("trailers",),
    "http.response.body": ("more_body",),
    "http.response.trailers": ("more_trailers",),
    "websocket.http.response.body": ("more_body",),
}


_fail = event_rule_broken


def _check_headers(message: dict[str, Any]) -> None:
    kind = message["type"]
    headers = message.get("headers", ())
    if isinstance(headers, (str, bytes, dict)) or not hasattr(headers, "__iter__"):
        raise _fail("asgi.http.header-type", f"ASGI app sent {kind!r} with headers of type {type(headers).__name__}", message, "an iterable of [bytes, bytes] pairs")
    for pair in headers:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise _fail("asgi.http.header-type", f"ASGI app sent {kind!r} with header {pair!r:.80}, not a pair", message, "[name, value] pairs of bytes")
        name, value = pair
        if type(name) is not bytes:
            raise _fail("asgi.http.header-type", f"ASGI app sent {kind!r} with header name {name!r} of type {type(name).__name__}", message, "header names as bytes, e.g. b'content-type'")
        if type(value) is not bytes:
            raise _fail("asgi.http.header-type", f"ASGI app sent {kind!r} with header {name!r} value {value!r:.60} of type {type(value).__name__}", message, "header values as bytes")


def check_message_keys(message: dict[str, Any], before_accept: bool = False) -> None:
    """Key and type checks for one app message whose order was already accepted (`before_accept`: a WebSocket handshake's)."""
    kind = message["type"]
    for flag in _FLAGS.get(kind, ()):
        if flag in message and type(message[flag]) is not bool:
            raise _fail("asgi.http.flag-type", f"ASGI app sent {kind!r} with {flag}={message[flag]!r}", message, f"{flag} as a bool")
    if kind in ("http.response.start", "websocket.http.response.start"):
        status = message.get("status")
        if type(status) is not int:
            raise _fail("asgi.http.status-type", f"ASGI app sent {kind!r} with status {status!r} of type {type(status).__name__}", message, "status as an int such as 200")
        _check_headers(message)
    elif kind in ("http.response.body", "websocket.http.response.body"):
        body = message.get("body", b"")
        if type(body) is not bytes and not isinstance(body, BYTES_LIKE):
            raise _fail("asgi.http.body-type", f"ASGI app sent {kind!r} with body of type {type(body).__name__}: {body!r:.60}", message, "body as bytes")
    elif kind == "http.response.trailers":
        _check_headers(message)
    elif kind == "http.response.pathsend":
        if type(message.get("path")) is not str:
            raise _fail("asgi.http.pathsend-path", f"ASGI app sent 'http.response.pathsend' with path {message.get('path')!r}", message, "path as a str")
    elif kind.startswith("websocket."):
        _check_websocket_keys(kind, message, before_accept)
    elif kind.startswith("lifespan.") and kind.endswith(".failed"):
        if "message" in message and type(message["message"]) is not str:
            raise _fail("asgi.lifespan.message", f"ASGI app sent {kind!r} with message {message['message']!r}", message, "message as a str")


def _check_websocket_keys(kind: str, message: dict[str, Any], before_accept: bool = False) -> None:
    if kind == "websocket.send":
        text, data = message.get("text"), message.get("bytes")
        if (text is None) == (data is None):
            raise _fail("asgi.websocket.send-payload", f"ASGI app sent 'websocket.send' with {'both' if text is not None else 'neither'} 'text' and 'bytes'", message, "exactly one of text (str) or bytes (bytes)")
        if text is not None and type(text) is not str or data is not None and type(data) is not bytes and not isinstance(data, BYTES_LIKE):
            raise _fail("asgi.websocket.send-payload", "ASGI app sent 'websocket.send' with text that is not str or bytes that are not bytes", message, "text as str, bytes as bytes")
    elif kind == "websocket.accept":
        subprotocol = message.get("subprotocol")
        if subprotocol is not None and type(subprotocol) is not str:
            raise _fail("asgi.websocket.key-type", f"ASGI app sent 'websocket.accept' with subprotocol {subprotocol!r}", message, "subprotocol as a str or None")
        _check_headers(message)
    elif kind == "websocket.close":
        code, reason = message.get("code", 1000), message.get("reason")
        if isinstance(code, bool) or not isinstance(code, int):
            raise _fail("asgi.websocket.key-type", f"ASGI app sent 'websocket.close' with code {code!r}", message, "code as an int such as 1000")
        if reason is not None and type(reason) is not str and not before_accept:
            raise _fail("asgi.websocket.key-type", f"ASGI app sent 'websocket.close' with reason {reason!r}", message, "reason as a str or None")


def check_send(scope: dict[str, Any], scope_type: str, state: str, message: Any) -> str:
    """The state after the app sends `message` in `state`, once its order, keys and types are checked.

    Raises the ProtocolError naming the broken rule. validate_asgi calls it for
    every message; the stream reader calls it for all but the plain body chunk.
    """
    following = advance(scope_type, state, message)
    if following == "denial-body" and "websocket.http.response" not in (scope.get("extensions") or {}):
        raise _fail("asgi.websocket.denial-extension", "ASGI app sent 'websocket.http.response.start' but the scope does not advertise 'websocket.http.response'", message, "websocket.close to refuse the handshake")
    # A close before accept is an HTTP 403 on the wire: servers never read its reason, and FastAPI sends
    # a list there (its validation errors). Tolerated; after accept the reason must be a str.
    check_message_keys(message, before_accept=state == "connecting")
    return following


def _plain_http_step(state: str, message: Any) -> str | None:
    """The state after a plain, valid HTTP response message; None for anything else.

    The fast path of an HTTP response: nearly every app sends one `http.response.start`
    (an int status, a list of bytes pairs, no trailers), then `http.response.body` with
    bytes. Those shapes are recognised here in one pass; every other message, and any
    flaw, goes to check_send, which names the broken rule. Both reach the same state.
    """
    if type(message) is not dict:
        return None
    kind = message.get("type")
    if type(kind) is not str:
        return None
    if kind == "http.response.body" and state == "body":
        more_body = message.get("more_body", False)
        if type(message.get("body", b"")) is not bytes:
            return None
        return "done" if more_body is False else "body" if more_body is True else None
    if kind == "http.response.start" and state == "start":
        if type(message.get("status")) is not int or message.get("trailers", False) is not False:
            return None
        headers = message.get("headers", ())
        if type(headers) is not list and type(headers) is not tuple:
            return None
        for pair in headers:
            if (type(pair) is not tuple and type(pair) is not list) or len(pair) != 2 or type(pair[0]) is not bytes or type(pair[1]) is not bytes:
                return None
        return "body"
    return None


class HTTPSendChecker:
    """The validator's view of one HTTP response: its order, keys and types, and its body against its content-length.

    `check()` takes each message the app sends (plain ones through _plain_http_step,
    the rest through check_send) and raises the ProtocolError of the first rule it
    breaks; `send()` is validate_asgi's send() for the HTTP scope.
    """

    __slots__ = ("scope", "state", "violation", "declared", "sent", "_send")

    def __init__(self, scope: dict[str, Any], send: Callable[..., Any] | None = None) -> None:
        self.scope = scope
        self.state = INITIAL["http"]
        #: the first violation, raised again after the app returned (in case the app swallowed it)
        self.violation: ProtocolError | None = None
        #: the body length the response's content-length promises (None: nothing to hold it to), and the bytes sent
        self.declared: int | None = None
        self.sent = 0
        self._send = send

    def check(self, message: Any, following: str | None = None) -> None:
        """Check one message (`following`: the state _plain_http_step already found for it)."""
        state = self.state
        try:
            if following is None:
                following = _plain_http_step(state, message) or check_send(self.scope, "http", state, message)
            if state == "start":
                self._declare(message)
            elif self.declared is not None and message["type"] == "http.response.body":
                self._count(message)
        except ProtocolError as error:
            if self.violation is None:
                self.violation = error
            raise
        self.state = following

    async def send(self, message: Any) -> None:
        following = _plain_http_step(self.state, message)
        declared = self.declared
        if following == "done" and (declared is None or self.sent + len(message.get("body", b"")) == declared):
            self.state = following  # the common last message (bytes, as _plain_http_step found): nothing more to check
        else:
            self.check(message, following)
        await self._send(message)  # type: ignore[misc]

    def _declare(self, start: dict[str, Any]) -> None:
        try:
            declared = content_length(start.get("headers", ()))
        except ValueError as error:
            raise _fail("asgi.http.content-length", f"ASGI app sent 'http.response.start' with {error}", start, "one content-length of digits, e.g. b'42'") from None
        if declared is not None:
            status = start["status"]
            if status >= 200 and status != 204 and status != 304 and self.scope.get("method") != "HEAD":  # describes_body(), inlined
                self.declared = declared

    def _count(self, message: dict[str, Any]) -> None:
        body = message.get("body", b"")
        sent = self.sent = self.sent + (len(body) if type(body) is bytes else memoryview(body).nbytes)
        declared: int = self.declared  # type: ignore[assignment]
        if sent > declared or sent != declared and not message.get("more_body", False):
            headline, expected = length_mismatch(declared, sent, ended=not message.get("more_body", False))
            self.declared = None  # said once
            raise _fail("asgi.http.content-length", headline, message, expected)


def _is_cancellation(error: BaseException) -> bool:
    import asyncio  # here: only an exception in receive() needs it, and then a loop runs (import cost otherwise)

    return isinstance(error, (asyncio.CancelledError, GeneratorExit))


def validate_asgi(app: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an ASGI 3 app so that each message breaking the spec raises ProtocolError.

    The error is raised from the app's `send()`, so it surfaces in the app's
    own frame; the client re-raises it even if the app swallowed it.
    """
    if getattr(app, "_asgiwsgi_validated", False):
        return app
    if not callable(app):
        raise TypeError(f"validate_asgi() needs an ASGI callable app(scope, receive, send), not {type(app).__name__}: {app!r:.80}")

    async def validated(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> Any:
        scope_type = scope.get("type") if isinstance(scope, dict) else None
        if scope_type == "http":  # the hot path: one small object instead of the closures below
            checker = HTTPSendChecker(scope, send)
            result = await app(scope, receive, checker.send)
            if checker.violation is not None:
                raise checker.violation  # the app swallowed it: surface it anyway
            return result
        if scope_type not in INITIAL:
            return await app(scope, receive, send)
        state = INITIAL[scope_type]
        violation: list[ProtocolError] = []

        async def checked_receive() -> Any:
            nonlocal state
            try:
                message = await receive()
            except BaseException as exc:
                if _is_cancellation(exc):  # the loop ends a lifespan left up: as a shutdown (see _asgi_lifespan)
                    state = server_event(scope_type, state, "lifespan.shutdown")
                raise
            if isinstance(message, dict):
                state = server_event(scope_type, state, message.get("type", ""))
            return message

        async def checked_send(message: Any) -> None:
            nonlocal state
            try:
                following = check_send(scope, scope_type, state, message)
            except ProtocolError as error:
                violation.append(error)
                raise
            state = following
            await send(message)

        # Only lifespan has server messages that move the table (SERVER_TRANSITIONS): elsewhere
        # receive() needs no wrapper, which saves a coroutine frame per message.
        result = await app(scope, checked_receive if scope_type in SERVER_TRANSITIONS else receive, checked_send)
        if violation:
            raise violation[0]  # the app swallowed it: surface it anyway
        return result

    validated._asgiwsgi_validated = True  # type: ignore[attr-defined]
    validated.__wrapped__ = app  # type: ignore[attr-defined]
    return validated
