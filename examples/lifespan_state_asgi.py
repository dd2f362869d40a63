"""Lifespan state in a plain ASGI app: startup opens shared objects, every request finds them in `scope["state"]`.

`create_app(fail_startup=None)` returns a new `ServiceApp`. Its lifespan
startup puts a `Database` and the settings in the state dict and shutdown
closes the database; `log` records the lifespan events the app received, so a
test can see that shutdown ran. With `fail_startup="reason"` startup answers
`lifespan.startup.failed` with that message. Routes:

    GET /health    {"database": "open" | "closed", "queries": <n>}, counting
                   queries on the shared Database; 503 without a state
    GET /state     the names in this request's state; it then adds one of its
                   own, which the next request does not see (each request gets
                   a shallow copy of the state: the objects in it are shared)

`plain_app` is the other kind of app found in the wild: no lifespan support,
it fails on any scope that is not HTTP (`assert scope["type"] == "http"`).
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

__all__ = ["Database", "ServiceApp", "create_app", "plain_app"]

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class Database:
    """A stand-in for a connection pool: open until `close()`, counting the queries made."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.open = True
        self.queries = 0

    def query(self) -> int:
        if not self.open:
            raise RuntimeError(f"database {self.url} is closed")
        self.queries += 1
        return self.queries

    def close(self) -> None:
        self.open = False


async def _send_json(send: Send, status: int, value: Any) -> None:
    body = json.dumps(value).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


class ServiceApp:
    """The ASGI app; see the module docstring."""

    def __init__(self, fail_startup: str | None = None) -> None:
        self.fail_startup = fail_startup
        self.log: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        else:
            raise RuntimeError(f"ServiceApp serves HTTP only, not {scope['type']!r}")

    async def _lifespan(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            self.log.append(message["type"])
            if message["type"] == "lifespan.startup":
                if self.fail_startup is not None:
                    await send({"type": "lifespan.startup.failed", "message": self.fail_startup})
                    return
                scope["state"]["db"] = Database("sqlite:///:memory:")
                scope["state"]["settings"] = {"page_size": 20}
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                scope["state"]["db"].close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        if scope["path"] == "/health":
            db = state.get("db")
            if db is None:
                return await _send_json(send, 503, {"error": "no database: lifespan startup did not run"})
            queries = db.query() if db.open else db.queries
            return await _send_json(send, 200, {"database": "open" if db.open else "closed", "queries": queries})
        if scope["path"] == "/state":
            names = sorted(state)
            state["seen_by_this_request"] = True  # only in this request's copy
            return await _send_json(send, 200, {"state": names})
        await _send_json(send, 404, {"error": f"no route for {scope['path']}"})


def create_app(fail_startup: str | None = None) -> ServiceApp:
    """A new app with an empty lifespan log; `fail_startup` makes startup fail with that message."""
    return ServiceApp(fail_startup)


async def plain_app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """An app without lifespan support, written the common way."""
    assert scope["type"] == "http", f"plain_app serves HTTP only, not {scope['type']!r}"
    await _send_json(send, 200, {"has_state": "state" in scope})
