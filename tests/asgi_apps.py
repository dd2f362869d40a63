"""Tiny hand-written ASGI apps shared by the ASGI tests, well-behaved ones first, then misbehaving ones."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
from typing import Any

TEXT = (b"content-type", b"text/plain; charset=utf-8")

#: a variable apps set, to show each request runs in its own context copy
REQUEST_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("REQUEST_VAR", default="unset")


async def _start(send: Any, status: int = 200, headers: Any = (TEXT,), **more: Any) -> None:
    await send({"type": "http.response.start", "status": status, "headers": list(headers), **more})


async def read_body(receive: Any) -> tuple[bytes, list[dict]]:
    """The whole request body and the http.request events it came in."""
    events, body = [], b""
    while True:
        event = await receive()
        events.append(event)
        body += event.get("body", b"")
        if not event.get("more_body"):
            return body, events


# -- well-behaved apps -----------------------------------------------------------------


async def hello_app(scope: dict, receive: Any, send: Any) -> None:
    """200 'Hello, world!' as text/plain (lifespan scopes: returns, so no lifespan)."""
    if scope["type"] != "http":
        return
    await _start(send, headers=[TEXT, (b"content-length", b"13")])
    await send({"type": "http.response.body", "body": b"Hello, world!"})


async def echo_app(scope: dict, receive: Any, send: Any) -> None:
    """JSON of method, path, query, headers, body, request events, state and REQUEST_VAR as the app saw them."""
    if scope["type"] != "http":
        return
    body, events = await read_body(receive)
    REQUEST_VAR.set(scope["path"])
    data = {
        "method": scope["method"],
        "path": scope["path"],
        "query": scope["query_string"].decode("latin-1"),
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
        "body": body.decode("latin-1"),
        "events": [[e["type"], e.get("body", b"").decode("latin-1"), e.get("more_body", False)] for e in events],
        "state": scope.get("state"),
    }
    await _start(send, headers=[(b"content-type", b"application/json")])
    await send({"type": "http.response.body", "body": json.dumps(data).encode()})


class ChunksApp:
    """Streams `count` chunks b'chunk 0\\n'...; `returned[i]` is True once send() of chunk i returned."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.returned: list[bool] = [False] * count

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await _start(send)
        for i in range(self.count):
            await send({"type": "http.response.body", "body": f"chunk {i}\n".encode(), "more_body": True})
            self.returned[i] = True
        await send({"type": "http.response.body", "body": b""})


class EndlessApp:
    """Sends chunks until it receives http.disconnect; `finished` is set when it returns."""

    def __init__(self) -> None:
        self.finished = asyncio.Event()
        self.saw_disconnect = False

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await read_body(receive)
        disconnected = asyncio.Event()

        async def watch() -> None:
            event = await receive()
            self.saw_disconnect = event["type"] == "http.disconnect"
            disconnected.set()

        watcher = asyncio.ensure_future(watch())
        try:
            await _start(send)
            while not disconnected.is_set():
                await send({"type": "http.response.body", "body": b"tick\n", "more_body": True})
            await watcher
        finally:
            watcher.cancel()
            self.finished.set()


async def sse_app(scope: dict, receive: Any, send: Any) -> None:
    """Two server-sent events, split awkwardly across chunks."""
    if scope["type"] != "http":
        return
    await _start(send, headers=[(b"content-type", b"text/event-stream")])
    for chunk in (b"event: greet\ndata: hel", b"lo\r\n\r\n", b"id: 7\ndata: a\ndata: b\n\n"):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def trailers_app(scope: dict, receive: Any, send: Any) -> None:
    """A body followed by an http.response.trailers carrying a checksum."""
    if scope["type"] != "http":
        return
    await _start(send, trailers=True)
    await send({"type": "http.response.body", "body": b"data", "more_body": False})
    await send({"type": "http.response.trailers", "headers": [(b"x-checksum", b"abc123")], "more_trailers": False})


def pathsend_app_for(path: str) -> Any:
    """An app answering with http.response.pathsend of `path`."""

    async def pathsend_app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await _start(send, headers=[(b"content-type", b"application/octet-stream")])
        await send({"type": "http.response.pathsend", "path": path})

    return pathsend_app


class ASGI2App:
    """An ASGI 2 double-callable: the class is called with the scope, the instance with receive/send."""

    def __init__(self, scope: dict) -> None:
        self.scope = scope

    async def __call__(self, receive: Any, send: Any) -> None:
        if self.scope["type"] != "http":
            return
        await _start(send)
        await send({"type": "http.response.body", "body": b"asgi2 " + self.scope["path"].encode()})


def redirect_app_for(routes: dict[str, tuple[int, str]]) -> Any:
    """Redirect each path in `routes` to its location; answer 200 with the method and path elsewhere."""

    async def redirect_app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, _ = await read_body(receive)
        if scope["path"] in routes:
            status, location = routes[scope["path"]]
            await _start(send, status, [(b"location", location.encode())])
            await send({"type": "http.response.body", "body": b""})
            return
        await _start(send)
        await send({"type": "http.response.body", "body": f"{scope['method']} {scope['path']} {body.decode()}".encode()})

    return redirect_app


async def cookie_app(scope: dict, receive: Any, send: Any) -> None:
    """/login sets session=abc; any other path echoes the Cookie header."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/login":
        await _start(send, headers=[TEXT, (b"set-cookie", b"session=abc; Path=/")])
        await send({"type": "http.response.body", "body": b"ok"})
        return
    cookie = b"; ".join(v for k, v in scope["headers"] if k == b"cookie")
    await _start(send)
    await send({"type": "http.response.body", "body": cookie})


# -- lifespan apps -----------------------------------------------------------------------


class LifespanApp:
    """Stores state in startup, records the lifespan events; answers requests with JSON of scope['state']."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.shut_down = False

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                self.events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    scope["state"]["db"] = "connected"
                    scope["state"]["items"] = []
                    await send({"type": "lifespan.startup.complete"})
                else:
                    self.shut_down = True
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        state = scope["state"]
        state["added"] = True  # a shallow copy: this key must not reach the next request
        state["items"].append(scope["path"])  # the same list object: this does
        await _start(send, headers=[(b"content-type", b"application/json")])
        await send({"type": "http.response.body", "body": json.dumps({"db": state["db"], "items": state["items"]}).encode()})


async def lifespan_raising_app(scope: dict, receive: Any, send: Any) -> None:
    """Raises on a lifespan scope (as apps without lifespan support do); hello for HTTP."""
    if scope["type"] == "lifespan":
        raise RuntimeError("no lifespan here")
    await hello_app(scope, receive, send)


async def startup_failed_app(scope: dict, receive: Any, send: Any) -> None:
    """Sends lifespan.startup.failed with a message."""
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "database unreachable"})
        return
    await hello_app(scope, receive, send)


async def shutdown_failed_app(scope: dict, receive: Any, send: Any) -> None:
    """Starts up fine, then sends lifespan.shutdown.failed with a message."""
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.failed", "message": "could not flush"})
        return
    await hello_app(scope, receive, send)


class LifespanRecorder:
    """Records every scope type it is called with; answers HTTP with hello."""

    def __init__(self) -> None:
        self.scope_types: list[str] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        self.scope_types.append(scope["type"])
        await hello_app(scope, receive, send)


# -- misbehaving apps (HTTP only: on a lifespan scope they return, so "auto" finds no lifespan) --------


def http_only(app: Any) -> Any:
    """Wrap `app` so that it returns at once for a non-HTTP scope."""

    @functools.wraps(app)
    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await app(scope, receive, send)

    return wrapper


@http_only
async def raising_before_start_app(scope: dict, receive: Any, send: Any) -> None:
    """Raises before sending anything."""
    raise ValueError("boom before start")


@http_only
async def raising_after_start_app(scope: dict, receive: Any, send: Any) -> None:
    """Starts a 200 response, sends a first chunk, then raises."""
    await _start(send)
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise ValueError("boom after start")


@http_only
async def silent_app(scope: dict, receive: Any, send: Any) -> None:
    """Never answers."""
    await asyncio.Event().wait()


@http_only
async def receive_again_app(scope: dict, receive: Any, send: Any) -> None:
    """Reads the body, then awaits receive() again before answering (blocks until disconnect)."""
    await read_body(receive)
    await receive()
    await _start(send)
    await send({"type": "http.response.body", "body": b"late"})


class LingeringApp:
    """Completes its response, then keeps running forever; `cancelled` tells whether it was cancelled."""

    def __init__(self) -> None:
        self.cancelled = False

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await _start(send)
        await send({"type": "http.response.body", "body": b"done"})
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


@http_only
async def body_before_start_app(scope: dict, receive: Any, send: Any) -> None:
    await send({"type": "http.response.body", "body": b"x"})


@http_only
async def start_twice_app(scope: dict, receive: Any, send: Any) -> None:
    await _start(send)
    await _start(send)


@http_only
async def after_complete_app(scope: dict, receive: Any, send: Any) -> None:
    await _start(send)
    await send({"type": "http.response.body", "body": b"x"})
    await send({"type": "http.response.body", "body": b"again"})


@http_only
async def str_status_app(scope: dict, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": "200", "headers": []})


@http_only
async def str_header_name_app(scope: dict, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [("content-type", b"text/plain")]})


@http_only
async def str_body_app(scope: dict, receive: Any, send: Any) -> None:
    await _start(send)
    await send({"type": "http.response.body", "body": "text"})


@http_only
async def unknown_event_app(scope: dict, receive: Any, send: Any) -> None:
    await send({"type": "http.response.begin", "status": 200})


@http_only
async def return_without_response_app(scope: dict, receive: Any, send: Any) -> None:
    return None


# -- WebSocket apps (a non-websocket scope returns at once unless said otherwise) ---------------


def websocket_only(app: Any) -> Any:
    """Wrap `app` so that it returns at once for a non-WebSocket scope (so "auto" finds no lifespan)."""

    @functools.wraps(app)
    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await app(scope, receive, send)

    return wrapper


@websocket_only
async def ws_echo_app(scope: dict, receive: Any, send: Any) -> None:
    """Accepts (the last offered subprotocol, header x-accept: yes), echoes 'echo:' + each message until disconnect."""
    await receive()
    offered = scope["subprotocols"]
    await send({"type": "websocket.accept", "subprotocol": offered[-1] if offered else None, "headers": [(b"x-accept", b"yes")]})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": "echo:" + message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": b"echo:" + message["bytes"]})


class WSRecorder:
    """Accepts, records every event it receives until websocket.disconnect, then tries one more send() and receive().

    `events` holds what receive() gave; `send_after_disconnect` the exception
    that send() raised then (None if it returned); `after` what the receive()
    after the disconnect gave; `finished` is set when the app returns.
    """

    def __init__(self) -> None:
        self.scope: dict | None = None
        self.events: list[dict] = []
        self.send_after_disconnect: BaseException | None = None
        self.after: dict | None = None
        self.finished = asyncio.Event()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        self.scope = scope
        try:
            self.events.append(await receive())
            await send({"type": "websocket.accept"})
            while self.events[-1]["type"] != "websocket.disconnect":
                self.events.append(await receive())
            try:
                await send({"type": "websocket.send", "text": "too late"})
            except OSError as exc:
                self.send_after_disconnect = exc
            self.after = await receive()
        finally:
            self.finished.set()


@websocket_only
async def ws_deny_app(scope: dict, receive: Any, send: Any) -> None:
    """Closes before accepting (code 1008, reason 'members only'): the client sees HTTP 403."""
    await receive()
    await send({"type": "websocket.close", "code": 1008, "reason": "members only"})


@websocket_only
async def ws_denial_response_app(scope: dict, receive: Any, send: Any) -> None:
    """Refuses with a 401 denial response (websocket.http.response.*), its body in two parts."""
    await receive()
    headers = [(b"content-type", b"text/plain"), (b"www-authenticate", b"Bearer")]
    await send({"type": "websocket.http.response.start", "status": 401, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": b"denied ", "more_body": True})
    await send({"type": "websocket.http.response.body", "body": b"by app"})


def ws_closing_app_for(code: int, reason: str, *, before: tuple[str, ...] = ()) -> Any:
    """Accepts, waits for one message, sends the texts in `before`, then closes with `code` and `reason`."""

    @websocket_only
    async def ws_closing_app(scope: dict, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await receive()
        for text in before:
            await send({"type": "websocket.send", "text": text})
        await send({"type": "websocket.close", "code": code, "reason": reason})

    return ws_closing_app


def ws_sends(*messages: Any) -> Any:
    """A WebSocket app that takes websocket.connect, sends `messages` in order and returns."""

    @websocket_only
    async def ws_sends_app(scope: dict, receive: Any, send: Any) -> None:
        await receive()
        for message in messages:
            await send(message)

    return ws_sends_app


class WSSilentApp:
    """Takes websocket.connect and never answers; `cancelled` tells whether the kit cancelled it."""

    def __init__(self) -> None:
        self.cancelled = False

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


@websocket_only
async def ws_mute_app(scope: dict, receive: Any, send: Any) -> None:
    """Accepts and never sends anything; returns on websocket.disconnect."""
    await receive()
    await send({"type": "websocket.accept"})
    while (await receive())["type"] != "websocket.disconnect":
        pass


@websocket_only
async def ws_raising_before_accept_app(scope: dict, receive: Any, send: Any) -> None:
    await receive()
    raise ValueError("boom before accept")


def ws_raising_after_accept_app_for(go: asyncio.Event) -> Any:
    """Accepts, waits until the test sets `go`, then raises ValueError('boom after accept')."""

    @websocket_only
    async def ws_raising_after_accept_app(scope: dict, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await go.wait()
        raise ValueError("boom after accept")

    return ws_raising_after_accept_app


class ChatApp:
    """A chat room: each WebSocket (`?name=...`) joins; a text message goes to every member as 'name: text'.

    HTTP: GET answers JSON {"members": [names]}; POST broadcasts its body as
    'server: body' and answers 204. `members` maps a name to its send().
    """

    def __init__(self) -> None:
        self.members: dict[str, Any] = {}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await self._session(scope, receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _broadcast(self, text: str) -> None:
        for member_send in list(self.members.values()):
            await member_send({"type": "websocket.send", "text": text})

    async def _session(self, scope: dict, receive: Any, send: Any) -> None:
        name = scope["query_string"].decode().partition("name=")[2] or "anonymous"
        await receive()
        await send({"type": "websocket.accept"})
        self.members[name] = send
        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                await self._broadcast(f"{name}: {message['text']}")
        finally:
            del self.members[name]

    async def _http(self, scope: dict, receive: Any, send: Any) -> None:
        body, _ = await read_body(receive)
        if scope["method"] == "POST":
            await self._broadcast(f"server: {body.decode()}")
            await _start(send, 204, [])
            await send({"type": "http.response.body", "body": b""})
            return
        await _start(send, headers=[(b"content-type", b"application/json")])
        await send({"type": "http.response.body", "body": json.dumps({"members": sorted(self.members)}).encode()})
