"""Server-sent events from a plain ASGI app: an endless ticker and a finite news feed, stdlib only.

`create_app(interval=1.0)` returns a fresh `EventsApp`. Routes:

    GET /ticks     an endless text/event-stream: first `retry: 3000` and a
                   comment, then `event: tick` with `id: <n>` and
                   `data: {"n": <n>}`, one every `interval` seconds, forever.
                   A `Last-Event-ID` header resumes after that id.
    GET /news      three events, one with multi-line data, then the end.

An endless response must notice that the client left: the app listens for
`http.disconnect` in a second task (as Starlette's StreamingResponse does) and
stops. `open_streams` counts the streams still running and `disconnects` the
ones a client left, so a test can see the app really finished. The app has no
lifespan: it returns at once on a lifespan scope, which a client in
`lifespan="auto"` takes as "no lifespan".
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from typing import Any, Awaitable, Callable

__all__ = ["EventsApp", "create_app"]

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

_EVENT_STREAM_HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]

NEWS = (
    b": three items today\n\n",
    b"event: headline\nid: n1\ndata: Kit ships ASGI\n\n",
    b"event: story\nid: n2\ndata: Line one,\r\ndata: line two.\r\n\r\n",
    b"id: n3\ndata: {\"done\": true}\n\n",
)


class EventsApp:
    """The ASGI app; see the module docstring for its routes."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.open_streams = 0
        self.disconnects = 0

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no lifespan, no WebSocket
        if scope["path"] == "/ticks":
            await self._ticks(scope, receive, send)
        elif scope["path"] == "/news":
            await send({"type": "http.response.start", "status": 200, "headers": _EVENT_STREAM_HEADERS})
            for item in NEWS:
                await send({"type": "http.response.body", "body": item, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"not found"})

    async def _ticks(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        last_id = dict(scope["headers"]).get(b"last-event-id", b"")
        first = int(last_id) + 1 if last_id.isdigit() else 0
        watcher = asyncio.ensure_future(_until_disconnect(receive))
        self.open_streams += 1
        try:
            await send({"type": "http.response.start", "status": 200, "headers": _EVENT_STREAM_HEADERS})
            await send({"type": "http.response.body", "body": b"retry: 3000\n: ticking\n\n", "more_body": True})
            for n in itertools.count(first):
                event = f"event: tick\nid: {n}\ndata: {json.dumps({'n': n})}\n\n"
                await send({"type": "http.response.body", "body": event.encode(), "more_body": True})
                await asyncio.wait({watcher}, timeout=self.interval)  # the pause between ticks, cut short by a disconnect
                if watcher.done():
                    self.disconnects += 1
                    return
        finally:
            self.open_streams -= 1
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def _until_disconnect(receive: Receive) -> None:
    """Return when the client has left (after the request body, receive() waits for exactly that)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def create_app(interval: float = 1.0) -> EventsApp:
    """A new events app whose ticker sends one event every `interval` seconds (0 in tests)."""
    return EventsApp(interval)
