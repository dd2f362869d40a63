"""An ASGI middleware that times each HTTP response and says so in two response headers, stdlib only.

`TimingMiddleware(app, clock=time.perf_counter, metric="app")` measures from
the call until the app sends `http.response.start`, and adds to that message

    server-timing: app;dur=<milliseconds, 1 decimal>
    x-response-time: <milliseconds, 1 decimal>ms

leaving every other header, the status and the body alone. It does not touch
the scope or the request events, and passes lifespan and WebSocket scopes
straight through. `clock` is injectable so a test can make the duration exact.
An app that already set `server-timing` keeps its own metrics: the middleware
appends its metric to the same header, comma-separated (RFC 9110 5.3).
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

__all__ = ["TimingMiddleware"]


class TimingMiddleware:
    """Wrap an ASGI app; add `server-timing` and `x-response-time` to each HTTP response."""

    def __init__(self, app: Callable[..., Awaitable[None]], clock: Callable[[], float] = time.perf_counter, metric: str = "app") -> None:
        self.app = app
        self.clock = clock
        self.metric = metric

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()

        async def timed_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                millis = f"{(self.clock() - started) * 1000:.1f}"
                headers = list(message.get("headers", ()))
                timing = f"{self.metric};dur={millis}".encode("latin-1")
                for index, (name, value) in enumerate(headers):
                    if name.lower() == b"server-timing":
                        headers[index] = (name, value + b", " + timing)
                        break
                else:
                    headers.append((b"server-timing", timing))
                headers.append((b"x-response-time", f"{millis}ms".encode("latin-1")))
                message = {**message, "headers": headers}  # a new dict: the app's own message is left as it sent it
            await send(message)

        await self.app(scope, receive, timed_send)
