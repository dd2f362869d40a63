"""asgiwsgi_testkit: test WSGI and ASGI apps in-process, exactly as real servers call them.

Everything public is re-exported here; the modules behind it are private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import AppTimeout, LifespanError, ProtocolError, TestkitError, WebSocketClosed, WebSocketDenied
from ._headers import Headers
from ._response import WSGITestResponse
from ._wsgi_call import call_wsgi
from ._wsgi_client import WSGITestClient
from ._wsgi_environ import make_environ
from ._wsgi_validate import validate_wsgi

__version__ = "0.1.0"

__all__ = [
    "ASGIRecorder",
    "ASGITestCase",
    "ASGITestClient",
    "ASGITestResponse",
    "AppTimeout",
    "Headers",
    "LifespanError",
    "ProtocolError",
    "ResponseAssertions",
    "SyncASGITestClient",
    "TestkitError",
    "WSGIRecorder",
    "WSGITestCase",
    "WSGITestClient",
    "WSGITestResponse",
    "WebSocketClosed",
    "WebSocketDenied",
    "WebSocketSession",
    "call_asgi",
    "call_wsgi",
    "compose",
    "echo_app",
    "fixed_response_app",
    "make_environ",
    "make_scope",
    "make_websocket_scope",
    "validate_asgi",
    "validate_wsgi",
]

if TYPE_CHECKING:  # what type checkers and editors see for the names loaded on first use below
    from ._asgi_call import call_asgi
    from ._asgi_client import ASGITestClient
    from ._asgi_response import ASGITestResponse
    from ._asgi_scope import make_scope, make_websocket_scope
    from ._asgi_testcase import ASGITestCase
    from ._asgi_validate import validate_asgi
    from ._asgi_websocket import WebSocketSession
    from ._assertions import ResponseAssertions
    from ._middleware import compose, echo_app, fixed_response_app
    from ._recorders import ASGIRecorder, WSGIRecorder
    from ._sync_client import SyncASGITestClient
    from ._testcase import WSGITestCase

# Names whose modules import asyncio or unittest load on first use (PEP 562), so a
# WSGI-only program never imports asyncio and `import asgiwsgi_testkit` stays cheap.
_LAZY = {
    "ASGITestCase": "._asgi_testcase",
    "ASGITestClient": "._asgi_client",
    "SyncASGITestClient": "._sync_client",
    "ASGITestResponse": "._asgi_response",
    "call_asgi": "._asgi_call",
    "make_scope": "._asgi_scope",
    "validate_asgi": "._asgi_validate",
    "WebSocketSession": "._asgi_websocket",
    "make_websocket_scope": "._asgi_scope",
    "ASGIRecorder": "._recorders",
    "WSGIRecorder": "._recorders",
    "compose": "._middleware",
    "echo_app": "._middleware",
    "fixed_response_app": "._middleware",
    "ResponseAssertions": "._assertions",
    "WSGITestCase": "._testcase",
}


if not TYPE_CHECKING:  # (checkers see the names above; a __getattr__ would make every misspelt name valid to them)

    def __getattr__(name: str) -> object:
        """Import unittest-based names only when used, so `import asgiwsgi_testkit` stays cheap."""
        module_name = _LAZY.get(name)
        if module_name is None:
            raise AttributeError(f"module 'asgiwsgi_testkit' has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(module_name, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
