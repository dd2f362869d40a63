"""A small tasks API written as a plain WSGI app, with the standard library only.

`create_app()` returns a fresh app with its own empty task list, so every test
can start from nothing. Routes:

    GET    /                  302 to /tasks
    GET    /tasks             the tasks as a JSON list (?done=true|false filters)
    POST   /tasks             create from JSON or a form: 201, the task, Location
    GET    /tasks/export      every task as one JSON line, streamed
    GET    /tasks/<id>        one task, or 404
    DELETE /tasks/<id>        204
    POST   /session           form user=<name>: sets the `user` cookie, 303 to /tasks

A task created while the `user` cookie is set records it as `owner`. Any
other method on a known path is a 405 with an `Allow` header. Every URL the
app writes (Location) starts with SCRIPT_NAME, so the app works mounted
under a prefix.
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import parse_qs

__all__ = ["create_app"]

_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"


def _reason(code: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(code).phrase


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, whether it came with a Content-Length or streamed (wsgi.input_terminated)."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH", "")
    if length:
        return stream.read(int(length))
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    return b""


class _Error(Exception):
    """An HTTP error answer: status code, message, and extra headers."""

    def __init__(self, code: int, message: str, headers: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.headers = headers or []


def create_app() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """Return a new tasks app with an empty task list."""
    tasks: dict[int, dict[str, Any]] = {}
    counter = [0]

    def send(start_response: Callable[..., Any], code: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> list[bytes]:
        headers = list(headers or [])
        if body:
            headers.append(("Content-Length", str(len(body))))
        start_response(f"{code} {_reason(code)}", headers)
        return [body] if body else []

    def send_json(start_response: Callable[..., Any], code: int, value: Any, headers: list[tuple[str, str]] | None = None) -> list[bytes]:
        body = json.dumps(value).encode("utf-8")
        return send(start_response, code, body, [("Content-Type", _JSON)] + list(headers or []))

    def parse_task(environ: dict[str, Any]) -> dict[str, Any]:
        body = _read_body(environ)
        media_type = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        if media_type == _JSON:
            try:
                data = json.loads(body or b"null")
            except ValueError as exc:
                raise _Error(400, f"body is not JSON: {exc}") from None
        elif media_type == _FORM:
            data = {k: v[-1] for k, v in parse_qs(body.decode("latin-1")).items()}
        else:
            raise _Error(415, f"send JSON or a form, not {media_type or 'no content type'!r}")
        if not isinstance(data, dict) or not isinstance(data.get("title"), str) or not data["title"].strip():
            environ["wsgi.errors"].write("rejected a task without a title\n")
            raise _Error(400, "a task needs a non-empty 'title'")
        return data

    def current_user(environ: dict[str, Any]) -> str | None:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        morsel = cookie.get("user")
        return morsel.value if morsel is not None else None

    def export(start_response: Callable[..., Any], items: list[dict[str, Any]]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "application/x-ndjson")])
        for task in items:
            yield json.dumps(task).encode("utf-8") + b"\n"

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "") or "/"
        root = environ.get("SCRIPT_NAME", "")
        try:
            if path == "/":
                if method not in ("GET", "HEAD"):
                    raise _Error(405, f"{method} is not allowed on /", [("Allow", "GET, HEAD")])
                return send(start_response, 302, headers=[("Location", f"{root}/tasks")])
            if path == "/session":
                if method != "POST":
                    raise _Error(405, f"{method} is not allowed on /session", [("Allow", "POST")])
                form = parse_qs(_read_body(environ).decode("latin-1"))
                user = form.get("user", [""])[-1]
                if not user.isalnum():
                    raise _Error(400, "form field 'user' must be letters and digits")
                cookie = f"user={user}; Path={root or '/'}; HttpOnly"
                return send(start_response, 303, headers=[("Location", f"{root}/tasks"), ("Set-Cookie", cookie)])
            if path == "/tasks":
                if method in ("GET", "HEAD"):
                    items = list(tasks.values())
                    done = parse_qs(environ.get("QUERY_STRING", "")).get("done")
                    if done:
                        wanted = done[-1] == "true"
                        items = [t for t in items if t["done"] is wanted]
                    return send_json(start_response, 200, items)
                if method == "POST":
                    data = parse_task(environ)
                    counter[0] += 1
                    task = {"id": counter[0], "title": data["title"].strip(), "done": bool(data.get("done", False)), "owner": current_user(environ)}
                    tasks[task["id"]] = task
                    return send_json(start_response, 201, task, [("Location", f"{root}/tasks/{task['id']}")])
                raise _Error(405, f"{method} is not allowed on /tasks", [("Allow", "GET, HEAD, POST")])
            if path == "/tasks/export":
                if method != "GET":
                    raise _Error(405, f"{method} is not allowed on /tasks/export", [("Allow", "GET")])
                return export(start_response, list(tasks.values()))
            prefix, _, tail = path.rpartition("/")
            if prefix == "/tasks" and tail.isdigit():
                task_id = int(tail)
                if method not in ("GET", "HEAD", "DELETE"):
                    raise _Error(405, f"{method} is not allowed on {path}", [("Allow", "GET, HEAD, DELETE")])
                if task_id not in tasks:
                    raise _Error(404, f"task {task_id} not found")
                if method == "DELETE":
                    del tasks[task_id]
                    return send(start_response, 204)
                return send_json(start_response, 200, tasks[task_id])
            raise _Error(404, f"no route for {path}")
        except _Error as error:
            return send_json(start_response, error.code, {"error": str(error)}, error.headers)

    return app
