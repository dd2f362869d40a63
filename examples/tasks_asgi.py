"""A small tasks API written as a plain ASGI app with lifespan, with the standard library only.

`create_app()` returns a fresh app. Lifespan startup opens a `TaskStore` and
puts it in `scope["state"]["store"]`, so every request finds it there; shutdown
closes it. Routes:

    GET    /tasks             the tasks as a JSON list (?done=true|false filters)
    POST   /tasks             create from a JSON body: 201, the task, Location
    GET    /tasks/<id>        one task, or 404
    PATCH  /tasks/<id>        change `title` and/or `done` from a JSON body
    DELETE /tasks/<id>        204

A POST or PATCH whose `content-type` is not `application/json` is a 415; any
other method on a known path is a 405 with an `allow` header; every error is a
JSON object `{"error": ...}`. A request that finds no open store (lifespan
never ran, or shutdown already did) is a 503. The app routes on `path` minus
`root_path` and writes `root_path` into `location`, so it works mounted under
a prefix.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

__all__ = ["TaskStore", "create_app"]

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

_ALLOW = {"/tasks": "GET, HEAD, POST", "/tasks/<id>": "GET, HEAD, PATCH, DELETE"}


class TaskStore:
    """What startup opens: the tasks, an id counter, and whether shutdown closed it."""

    def __init__(self) -> None:
        self.tasks: dict[int, dict[str, Any]] = {}
        self.last_id = 0
        self.closed = False

    def add(self, title: str, done: bool) -> dict[str, Any]:
        self.last_id += 1
        task = {"id": self.last_id, "title": title, "done": done}
        self.tasks[task["id"]] = task
        return task


class _Error(Exception):
    """An HTTP error answer: status code, message and extra headers."""

    def __init__(self, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or []


async def _send_json(send: Send, status: int, value: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(value).encode("utf-8")
    start_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": start_headers + list(headers or [])})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    """The whole request body, however many `http.request` events it came in."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Error(400, "the client left before sending the whole body")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _read_json(scope: dict[str, Any], receive: Receive) -> dict[str, Any]:
    """The request's JSON object; 415 for another content type, 400 for a body that is not a JSON object."""
    content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise _Error(415, f"send JSON (content-type: application/json), not {media_type or 'no content type'!r}")
    body = await _read_body(receive)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise _Error(400, f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _Error(400, "the body must be a JSON object")
    return data


def _checked_title(data: dict[str, Any]) -> str:
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _Error(400, "a task needs a non-empty 'title'")
    return title.strip()


def _checked_done(data: dict[str, Any]) -> bool:
    done = data.get("done", False)
    if not isinstance(done, bool):
        raise _Error(400, "'done' must be true or false")
    return done


async def _lifespan(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            scope["state"]["store"] = TaskStore()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            scope["state"]["store"].closed = True
            await send({"type": "lifespan.shutdown.complete"})
            return


def _open_store(scope: dict[str, Any]) -> TaskStore:
    store = scope.get("state", {}).get("store")
    if store is None:
        raise _Error(503, "no task store: lifespan startup did not run")
    if store.closed:
        raise _Error(503, "the task store is closed: lifespan shutdown ran")
    return store


async def _handle(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    method = scope["method"]
    root = scope.get("root_path", "")
    path = scope["path"][len(root):] if scope["path"].startswith(root) else scope["path"]
    if path == "/tasks":
        store = _open_store(scope)
        if method in ("GET", "HEAD"):
            items = list(store.tasks.values())
            done = parse_qs(scope["query_string"].decode("latin-1")).get("done")
            if done:
                items = [task for task in items if task["done"] is (done[-1] == "true")]
            return await _send_json(send, 200, items)
        if method == "POST":
            data = await _read_json(scope, receive)
            task = store.add(_checked_title(data), _checked_done(data))
            location = f"{root}/tasks/{task['id']}".encode("latin-1")
            return await _send_json(send, 201, task, [(b"location", location)])
        raise _Error(405, f"{method} is not allowed on /tasks", [(b"allow", _ALLOW["/tasks"].encode())])
    prefix, _, tail = path.rpartition("/")
    if prefix == "/tasks" and tail.isdigit():
        store = _open_store(scope)
        if method not in ("GET", "HEAD", "PATCH", "DELETE"):
            raise _Error(405, f"{method} is not allowed on {path}", [(b"allow", _ALLOW["/tasks/<id>"].encode())])
        task = store.tasks.get(int(tail))
        if task is None:
            raise _Error(404, f"task {tail} not found")
        if method == "PATCH":
            data = await _read_json(scope, receive)
            changes = {}
            if "title" in data:
                changes["title"] = _checked_title(data)
            if "done" in data:
                changes["done"] = _checked_done(data)
            task.update(changes)
        elif method == "DELETE":
            del store.tasks[task["id"]]
            await send({"type": "http.response.start", "status": 204, "headers": []})
            return await send({"type": "http.response.body", "body": b""})
        return await _send_json(send, 200, task)
    raise _Error(404, f"no route for {path}")


def create_app() -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    """Return a new tasks app; its store is opened by lifespan startup."""

    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await _lifespan(scope, receive, send)
        if scope["type"] != "http":
            raise RuntimeError(f"the tasks app serves HTTP only, not {scope['type']!r}")
        try:
            await _handle(scope, receive, send)
        except _Error as error:
            await _send_json(send, error.status, {"error": str(error)}, error.headers)

    return app
