"""The kit's exceptions: whose fault it was, and what a test can read off them.

    Exception
     +-- TestkitError ............ base of every error the kit raises itself
          +-- ProtocolError ....... the app broke the WSGI/ASGI spec (.rule, .value, .expected)
          +-- AppTimeout .......... the app took longer than the client's timeout (.step, .timeout)
          |                         (also a TimeoutError)
          +-- LifespanError ....... lifespan startup or shutdown failed
          +-- WebSocketDenied ..... the app refused a WebSocket (.status_code, .response)
          +-- WebSocketClosed ..... the app closed a WebSocket (.code, .reason)

Misuse of the kit itself is a plain TypeError or ValueError naming the
argument; these classes are for what the application did.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AppTimeout",
    "LifespanError",
    "ProtocolError",
    "TestkitError",
    "WebSocketClosed",
    "WebSocketDenied",
]
# rule_broken() and event_rule_broken() below are the package's own message builders, not exported.


class TestkitError(Exception):
    """Base class of every error raised by asgiwsgi_testkit about an app."""

    __test__ = False  # a "Test*" name that pytest must not collect


class ProtocolError(TestkitError):
    """The app broke a rule of PEP 3333 or the ASGI spec.

    Attributes: `rule` (a stable dotted id such as 'wsgi.status.type'),
    `value` (the offending value or event) and `expected` (what the spec wants).
    """

    def __init__(self, message: str, *, rule: str = "", value: Any = None, expected: str = "") -> None:
        super().__init__(message)
        self.rule = rule
        self.value = value
        self.expected = expected

    def add_context(self, line: str) -> None:
        """Append an indented context line (the request line) to the message, once."""
        text = self.args[0] if self.args else ""
        if line not in text:
            self.args = (f"{text}\n  {line}",) + tuple(self.args[1:])


def rule_broken(rule: str, headline: str, value: Any, expected: str, *, show_value: bool = False) -> ProtocolError:
    """The ProtocolError for a broken rule: 'headline [rule]', the offending event if asked, then what was expected."""
    lines = [f"{headline} [{rule}]"]
    if show_value:
        shown = repr(value)
        lines.append(f"  event: {shown if len(shown) <= 200 else shown[:197] + '...'}")
    lines.append(f"  expected: {expected}")
    return ProtocolError("\n".join(lines), rule=rule, value=value, expected=expected)


def event_rule_broken(rule: str, headline: str, event: Any, expected: str) -> ProtocolError:
    """rule_broken() for an ASGI app: the message shows the offending event."""
    return rule_broken(rule, headline, event, expected, show_value=True)


class AppTimeout(TestkitError, TimeoutError):
    """The app did not take its next step within the client's timeout.

    Attributes: `step` (what the kit was waiting for, e.g. 'waiting for
    http.response.start'), `timeout` (seconds) and `last_event` (the last
    message the app sent, or None).
    """

    def __init__(self, message: str, *, step: str = "", timeout: float = 0.0, last_event: Any = None) -> None:
        super().__init__(message)
        self.step = step
        self.timeout = timeout
        self.last_event = last_event


class LifespanError(TestkitError):
    """Lifespan startup or shutdown failed; the message carries the app's own."""


class WebSocketDenied(TestkitError):
    """The app refused a WebSocket handshake.

    Attributes: `status_code` (403 for a close before accept), `response`
    (the denial response as an ASGITestResponse, or None), and `code` and
    `reason` of the app's `websocket.close` when it closed before accepting
    (None for a denial response). The reason is what the app sent, as it
    sent it: servers never put it on the wire, and FastAPI sends a list there.
    """

    def __init__(self, message: str, *, status_code: int = 403, response: Any = None, code: Any = None, reason: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.response = response
        self.code = code
        self.reason = reason


class WebSocketClosed(TestkitError):
    """The app closed the WebSocket; attributes `code` and `reason`."""

    def __init__(self, message: str, *, code: int = 1000, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


def warn_outside_the_kit(message: str, category: type[Warning]) -> None:
    """warnings.warn() attributed to the first caller outside this package (the test), so the warning points at it."""
    import os
    import sys
    import warnings

    package_dir = os.path.dirname(__file__)
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is our caller
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == package_dir:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    if frame is None:  # before 3.11 a resumed coroutine's callers may be missing from the chain: name our caller
        level = 2
    warnings.warn(message, category, stacklevel=level)
