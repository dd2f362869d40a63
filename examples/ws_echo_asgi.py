"""A WebSocket echo service and chat rooms as a plain ASGI app, stdlib only.

`create_app()` returns a fresh `ChatApp`. Routes (WebSocket unless said):

    /echo           accepts with the first subprotocol it supports among the
                    client's (`SUBPROTOCOLS`, in the server's order of
                    preference) and an `x-server` header; echoes text as text
                    and bytes as bytes; the text "bye" makes the app close
                    with code 1000, reason "goodbye".
    /json           parses every text message as JSON and answers
                    {"echo": <value>, "n": <count so far>}; a message that is
                    not JSON closes the socket with 1003 (unsupported data).
    /rooms/<name>   a chat room; `?user=<name>` is required, without it the
                    app closes before accepting (code 1008: the client sees
                    HTTP 403). Everyone in the room gets {"event": "join"},
                    {"event": "message"} and {"event": "leave"} as JSON; a
                    message over `MAX_MESSAGE` characters closes the sender
                    with 1009 (message too big).
    /admin          refused with a 401 denial response (the
                    `websocket.http.response` extension) unless the request
                    has `authorization: Bearer letmein`; then it sends "hello
                    admin" and closes with 1000.
    HTTP, any path  426 Upgrade Required.

The app has no lifespan: it returns at once on a lifespan scope, which a
client in `lifespan="auto"` takes as "no lifespan". `rooms` maps each room to
its members, so a test can see who is in, and `sessions_finished` counts the
WebSocket calls that returned.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, List

__all__ = ["MAX_MESSAGE", "SUBPROTOCOLS", "ChatApp", "create_app"]

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

#: the subprotocols /echo speaks, in the server's order of preference
SUBPROTOCOLS = ("chat.v2", "chat.v1")
#: the longest chat message a room accepts, in characters
MAX_MESSAGE = 200


class Member:
    """One connection in a room: its user name and the send() of its own ASGI call."""

    def __init__(self, user: str, send: Send) -> None:
        self.user = user
        self.send = send


class ChatApp:
    """The ASGI app; one instance keeps its rooms across connections."""

    def __init__(self) -> None:
        self.rooms: Dict[str, List[Member]] = {}
        self.sessions_finished = 0

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return  # no lifespan
        if scope["type"] == "http":
            await self.upgrade_required(receive, send)
            return
        try:
            await self.websocket(scope, receive, send)
        finally:
            self.sessions_finished += 1

    async def upgrade_required(self, receive: Receive, send: Send) -> None:
        await receive()
        body = b"this path speaks WebSocket only\n"
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"upgrade", b"websocket"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 426, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def websocket(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        connect = await receive()
        assert connect["type"] == "websocket.connect", connect
        path = scope["path"]
        if path == "/echo":
            await self.echo(scope, receive, send)
        elif path == "/json":
            await self.json_echo(receive, send)
        elif path.startswith("/rooms/") and len(path) > len("/rooms/"):
            await self.room(scope, path[len("/rooms/") :], receive, send)
        elif path == "/admin":
            await self.admin(scope, receive, send)
        else:
            await send({"type": "websocket.close", "code": 1008, "reason": f"no WebSocket at {path}"})

    async def echo(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        offered = scope.get("subprotocols", [])
        chosen = next((p for p in SUBPROTOCOLS if p in offered), None)
        await send({"type": "websocket.accept", "subprotocol": chosen, "headers": [(b"x-server", b"ws-echo")]})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") == "bye":
                await send({"type": "websocket.close", "code": 1000, "reason": "goodbye"})
                return
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})

    async def json_echo(self, receive: Receive, send: Send) -> None:
        await send({"type": "websocket.accept"})
        count = 0
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                value = json.loads(message.get("text") or "")
            except ValueError:
                await send({"type": "websocket.close", "code": 1003, "reason": "send JSON text"})
                return
            count += 1
            await send({"type": "websocket.send", "text": json.dumps({"echo": value, "n": count})})

    async def room(self, scope: dict[str, Any], name: str, receive: Receive, send: Send) -> None:
        user = _query_value(scope, "user")
        if not user:
            await send({"type": "websocket.close", "code": 1008, "reason": "?user= is required"})
            return
        await send({"type": "websocket.accept"})
        members = self.rooms.setdefault(name, [])
        me = Member(user, send)
        members.append(me)
        try:
            await self.broadcast(name, {"event": "join", "user": user})
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text") or ""
                if len(text) > MAX_MESSAGE:
                    await send({"type": "websocket.close", "code": 1009, "reason": f"messages are limited to {MAX_MESSAGE} characters"})
                    return
                await self.broadcast(name, {"event": "message", "user": user, "text": text})
        finally:
            if me in members:
                members.remove(me)
            if members:
                await self.broadcast(name, {"event": "leave", "user": user})
            else:
                del self.rooms[name]

    async def broadcast(self, name: str, event: dict[str, Any]) -> None:
        """Send `event` to everyone in room `name`; a member whose client has gone is dropped (its send raises OSError)."""
        text = json.dumps(event)
        for member in list(self.rooms.get(name, ())):
            try:
                await member.send({"type": "websocket.send", "text": text})
            except OSError:
                if member in self.rooms.get(name, ()):
                    self.rooms[name].remove(member)

    async def admin(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        if headers.get(b"authorization") != b"Bearer letmein":
            if "websocket.http.response" in scope.get("extensions", {}):
                body = b'{"error": "log in first"}'
                await send({"type": "websocket.http.response.start", "status": 401, "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
                await send({"type": "websocket.http.response.body", "body": body})
            else:  # a server without the denial extension: close before accept, which it answers with 403
                await send({"type": "websocket.close", "code": 1008, "reason": "log in first"})
            return
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "hello admin"})
        await send({"type": "websocket.close", "code": 1000, "reason": "done"})


def _query_value(scope: dict[str, Any], key: str) -> str:
    from urllib.parse import parse_qs

    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(key)
    return values[0] if values else ""


def create_app() -> ChatApp:
    """A new app with no rooms."""
    return ChatApp()
