"""Tiny hand-written WSGI apps shared by the tests, ending with one misbehaving app per validate_wsgi rule."""

from __future__ import annotations

import io
import json
import sys
from typing import Any, Callable, Iterator

from asgiwsgi_testkit import ProtocolError

TEXT = ("Content-Type", "text/plain; charset=utf-8")


# -- well-behaved apps -----------------------------------------------------------------


def hello_app(environ: dict, start_response: Callable) -> list[bytes]:
    """200 'Hello, world!' as text/plain with a Content-Length."""
    body = b"Hello, world!"
    start_response("200 OK", [TEXT, ("Content-Length", str(len(body)))])
    return [body]


def echo_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Answer with JSON of what the app saw: method, path, script_name, query, headers, body.

    `headers` maps HTTP_* keys (plus CONTENT_TYPE and CONTENT_LENGTH) to their
    values; `body` is the request body decoded as latin-1, so any bytes survive.
    """
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "script_name": environ["SCRIPT_NAME"],
        "query": environ["QUERY_STRING"],
        "headers": {k: v for k, v in environ.items() if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")},
        "body": environ["wsgi.input"].read().decode("latin-1"),
    }
    body = json.dumps(seen).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def json_app_for(payload: Any, status: str = "200 OK", content_type: str = "application/json") -> Callable:
    """An app answering `payload` as JSON with `status`."""

    def json_app(environ: dict, start_response: Callable) -> list[bytes]:
        body = json.dumps(payload).encode("utf-8")
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return json_app


json_app = json_app_for({"ok": True, "items": [1, 2, 3]})


def text_app_for(body: bytes, status: str = "200 OK", headers: list | None = None) -> Callable:
    """An app answering the fixed `body` with `status` and `headers` (text/plain by default)."""

    def text_app(environ: dict, start_response: Callable) -> list[bytes]:
        start_response(status, list(headers) if headers is not None else [TEXT])
        return [body]

    return text_app


class StreamApp:
    """A generator app yielding `count` chunks b'chunk 0\\n', ...; `pulled` counts what was taken."""

    def __init__(self, count: int = 5) -> None:
        self.count = count
        self.pulled = 0
        self.closed = False

    def __call__(self, environ: dict, start_response: Callable) -> Iterator[bytes]:
        start_response("200 OK", [TEXT])
        return self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        try:
            for index in range(self.count):
                self.pulled += 1
                yield b"chunk %d\n" % index
        finally:
            self.closed = True


def write_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Uses the write() callable before returning its iterable: b'written;' comes first."""
    write = start_response("200 OK", [TEXT])
    write(b"written;")
    write(b"")
    return [b"returned"]


def lazy_start_app(environ: dict, start_response: Callable) -> Iterator[bytes]:
    """A generator app: start_response() is called only when the server starts iterating."""
    yield b""
    start_response("201 Created", [TEXT, ("X-Lazy", "yes")])
    yield b""
    yield b"late"
    yield b" start"


def exc_info_app(environ: dict, start_response: Callable) -> Iterator[bytes]:
    """Starts a 200, fails before any body bytes and replaces it with a 500 via exc_info."""
    start_response("200 OK", [("Content-Type", "application/json")])
    yield b""
    try:
        raise ValueError("database unreachable")
    except ValueError:
        start_response("500 Internal Server Error", [TEXT], sys.exc_info())
    yield b"sorry"


def exc_info_after_headers_app(environ: dict, start_response: Callable) -> Iterator[bytes]:
    """Sends body bytes, then calls start_response(..., exc_info): the server re-raises the error."""
    start_response("200 OK", [TEXT])
    yield b"partial"
    try:
        raise KeyError("late failure")
    except KeyError:
        start_response("500 Internal Server Error", [TEXT], sys.exc_info())
    yield b"never sent"  # pragma: no cover - start_response re-raised


class AppError(Exception):
    """The exception the raising apps below raise, so tests can tell it from the kit's."""


def raise_before_start_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Raises before calling start_response()."""
    raise AppError("boom before start")


class RaiseAfterStartApp:
    """Sends 'partial ' then raises mid-iteration; records that close() was called."""

    def __init__(self) -> None:
        self.closed = False

    def __call__(self, environ: dict, start_response: Callable) -> Iterator[bytes]:
        start_response("200 OK", [TEXT])
        return self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        try:
            yield b"partial "
            raise AppError("boom after start")
        finally:
            self.closed = True


def set_cookie_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Sets session=abc (path /) and a Secure cookie token=xyz."""
    start_response("200 OK", [TEXT, ("Set-Cookie", "session=abc; Path=/"), ("Set-Cookie", "token=xyz; Path=/; Secure")])
    return [b"cookies set"]


def read_cookie_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Answers with the raw Cookie header it received ('' when none)."""
    start_response("200 OK", [TEXT])
    return [environ.get("HTTP_COOKIE", "").encode("latin-1")]


def redirect_app_for(routes: dict[str, tuple[str, str]]) -> Callable:
    """Redirects each path in `routes` (PATH_INFO -> (status, location)); any other path gets echo_app.

    A location starting with '/' is put under SCRIPT_NAME, as frameworks'
    url_for() does. The echo at the end of a chain shows what the final
    request carried (method, body, headers, SCRIPT_NAME).
    """

    def redirect_app(environ: dict, start_response: Callable) -> list[bytes]:
        route = routes.get(environ["PATH_INFO"])
        if route is None:
            return echo_app(environ, start_response)
        environ["wsgi.input"].read()
        status, location = route
        if location.startswith("/"):
            location = environ["SCRIPT_NAME"] + location
        start_response(status, [TEXT, ("Location", location)])
        return [b"redirecting"]

    return redirect_app


class ClosingApp:
    """Answers `chunks` through an iterable whose close() call is recorded in `close_calls`."""

    def __init__(self, chunks: tuple[bytes, ...] = (b"a", b"b", b"c")) -> None:
        self.chunks = chunks
        self.close_calls = 0
        self.pulled = 0

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        start_response("200 OK", [TEXT])
        return _ClosingIterable(self)


class _ClosingIterable:
    def __init__(self, app: ClosingApp) -> None:
        self._app = app

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._app.chunks:
            self._app.pulled += 1
            yield chunk

    def close(self) -> None:
        self._app.close_calls += 1


def file_wrapper_app(environ: dict, start_response: Callable) -> Any:
    """Answers 1,000 bytes through environ['wsgi.file_wrapper'] in 300-byte blocks."""
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return environ["wsgi.file_wrapper"](io.BytesIO(b"x" * 1000), 300)


def errors_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Writes two lines to wsgi.errors, then answers 200."""
    environ["wsgi.errors"].write("first line\n")
    environ["wsgi.errors"].writelines(["second line\n"])
    environ["wsgi.errors"].flush()
    start_response("200 OK", [TEXT])
    return [b"ok"]


def input_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Reads wsgi.input with read(n), readline(), readlines() and iteration and answers with a JSON log."""
    stream = environ["wsgi.input"]
    seen = [stream.read(2).decode(), stream.readline().decode(), [line.decode() for line in stream.readlines(1)]]
    seen.append([line.decode() for line in stream])
    seen.append(stream.read().decode())
    body = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


#: PATH_INFO -> (status, headers, body) answered by showcase_app (the assertion and message tests use these)
SHOWCASE = {
    "/tasks/7": ("404 Not Found", [("Content-Type", "application/json")], b'{"detail": "task 7 not found"}'),
    "/tasks": ("200 OK", [("Content-Type", "application/json"), ("ETag", '"v1"')], b'[{"id": 7, "title": "write tests"}]'),
    "/problem": ("400 Bad Request", [("Content-Type", "application/problem+json; charset=utf-8")], b'{"title": "bad"}'),
    "/page": ("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"), ("Vary", "Accept"), ("Vary", "Cookie")], b"<h1>Welcome, caf\xc3\xa9</h1>"),
    "/latin": ("200 OK", [("Content-Type", "text/plain; charset=latin-1")], b"caf\xe9"),
    "/login": ("303 See Other", [("Location", "/welcome"), ("Set-Cookie", "csrftoken=t1; Path=/")], b""),
    "/moved": ("301 Moved Permanently", [("Location", "http://testserver/new")], b""),
    "/method": ("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")], b"nope"),
    "/image": ("200 OK", [("Content-Type", "image/png")], b"\x89PNG" + b"\0" * 5116),
    "/empty": ("204 No Content", [], b""),
    "/long": ("200 OK", [("Content-Type", "text/plain")], b"x" * 1240),
    "/bad-json": ("200 OK", [("Content-Type", "application/json")], b'{"a": '),
    "/session": ("200 OK", [TEXT, ("Set-Cookie", "session=s1; Path=/; HttpOnly")], b"logged in"),
}


def showcase_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Answers the fixed responses of SHOWCASE by PATH_INFO; /boom raises ZeroDivisionError."""
    path = environ["PATH_INFO"]
    if path == "/boom":
        1 / 0
    status, headers, body = SHOWCASE[path]
    start_response(status, list(headers))
    return [body]


async def asgi_app(scope: dict, receive: Callable, send: Callable) -> None:  # pragma: no cover - never awaited
    """An ASGI app, for the clients' 'use ASGITestClient' error."""


# -- legitimate apps the validator must accept -------------------------------------------


def no_reason_app(environ: dict, start_response: Callable) -> list[bytes]:
    """A status with an empty reason phrase (the space is there, as RFC 9112 requires)."""
    start_response("299 ", [TEXT])
    return [b"no reason"]


def bad_status_without_space(environ: dict, start_response: Callable) -> list[bytes]:
    """A status without its reason phrase and space: waitress would write 'HTTP/1.1 200' (rule wsgi.status.form)."""
    start_response("200", [TEXT])
    return [b"no space"]


def bad_content_length(environ: dict, start_response: Callable) -> list[bytes]:
    """Declares 3 bytes and sends 5 (rule wsgi.content-length)."""
    start_response("200 OK", [TEXT, ("Content-Length", "3")])
    return [b"hello"]


def no_content_type_app(environ: dict, start_response: Callable) -> list[bytes]:
    """A response without Content-Type."""
    start_response("200 OK", [])
    return [b"untyped"]


def no_content_app(environ: dict, start_response: Callable) -> list[bytes]:
    """A 204 with an empty body."""
    start_response("204 No Content", [])
    return []


def leading_space_header_app(environ: dict, start_response: Callable) -> list[bytes]:
    """A header value with leading whitespace and a tab."""
    start_response("200 OK", [TEXT, ("X-Padded", "  padded\tvalue")])
    return [b"ok"]


def generator_app(environ: dict, start_response: Callable) -> Iterator[bytes]:
    """A generator app that reads its input and yields several chunks."""
    environ["wsgi.input"].read()
    start_response("200 OK", [TEXT])
    yield b"one "
    yield b""
    yield b"two"


# -- one misbehaving app per validate_wsgi rule ----------------------------------------------


def _ok(start_response: Callable) -> None:
    start_response("200 OK", [TEXT])


def bad_start_response_args(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK")  # type: ignore[call-arg]
    return [b""]  # pragma: no cover


def bad_status_type(environ: dict, start_response: Callable) -> list[bytes]:
    start_response(200, [TEXT])
    return [b""]  # pragma: no cover


def bad_status_form(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200OK", [TEXT])
    return [b""]  # pragma: no cover


def bad_status_latin1(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 \u2713", [TEXT])
    return [b""]  # pragma: no cover


def bad_headers_type(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", (TEXT,))
    return [b""]  # pragma: no cover


def bad_headers_item(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", [["Content-Type", "text/plain"]])
    return [b""]  # pragma: no cover


def bad_header_name(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", [("Content-Type:", "text/plain")])
    return [b""]  # pragma: no cover


def bad_header_value(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", [("X-Injected", "a\r\nSet-Cookie: evil=1")])
    return [b""]  # pragma: no cover


def bad_header_value_latin1(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", [("X-Name", "caf\u00e9 \u2713")])
    return [b""]  # pragma: no cover


def bad_header_status(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", [("Status", "404 Not Found")])
    return [b""]  # pragma: no cover


def bad_header_hop_by_hop(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", [TEXT, ("Connection", "close")])
    return [b""]  # pragma: no cover


def bad_start_response_once(environ: dict, start_response: Callable) -> list[bytes]:
    _ok(start_response)
    start_response("404 Not Found", [TEXT])
    return [b""]  # pragma: no cover


def bad_exc_info_type(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("500 Internal Server Error", [TEXT], "oops")
    return [b""]  # pragma: no cover


def bad_exc_info_swallowed(environ: dict, start_response: Callable) -> list[bytes]:
    write = start_response("200 OK", [TEXT])
    write(b"headers are out")
    try:
        raise AppError("late")
    except AppError:
        try:
            start_response("500 Internal Server Error", [TEXT], sys.exc_info())
        except AppError:
            pass  # the violation: the re-raised error is trapped
    return [b""]


def bad_start_response_missing(environ: dict, start_response: Callable) -> list[bytes]:
    return [b"body without a status"]


def bad_start_response_missing_empty(environ: dict, start_response: Callable) -> Iterator[bytes]:
    """A generator that ends without ever calling start_response()."""
    yield b""


def bad_iterable_type(environ: dict, start_response: Callable) -> Any:
    _ok(start_response)
    return "a str, not an iterable of bytes"


def bad_iterable_none(environ: dict, start_response: Callable) -> Any:
    _ok(start_response)
    return None


def bad_body_type(environ: dict, start_response: Callable) -> list[Any]:
    _ok(start_response)
    return [b"fine", "not bytes"]


def bad_body_type_generator(environ: dict, start_response: Callable) -> Iterator[Any]:
    _ok(start_response)
    yield b"fine"
    yield 42


def bad_write_type(environ: dict, start_response: Callable) -> list[bytes]:
    write = start_response("200 OK", [TEXT])
    write("text, not bytes")
    return []  # pragma: no cover


class _LyingLength:
    def __len__(self) -> int:
        return 3

    def __iter__(self) -> Iterator[bytes]:
        yield b"only one"


def bad_iterable_len(environ: dict, start_response: Callable) -> Any:
    _ok(start_response)
    return _LyingLength()


def bad_write_in_iterable(environ: dict, start_response: Callable) -> Iterator[bytes]:
    write = start_response("200 OK", [TEXT])
    yield b"first"
    write(b"from inside the iterable")
    yield b"second"  # pragma: no cover


def bad_input_close(environ: dict, start_response: Callable) -> list[bytes]:
    environ["wsgi.input"].close()
    return [b""]  # pragma: no cover


def bad_errors_type(environ: dict, start_response: Callable) -> list[bytes]:
    environ["wsgi.errors"].write(b"bytes, not str")
    return [b""]  # pragma: no cover


def bad_errors_close(environ: dict, start_response: Callable) -> list[bytes]:
    environ["wsgi.errors"].close()
    return [b""]  # pragma: no cover


def hides_violation_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Breaks wsgi.input.close, catches the ProtocolError and answers normally."""
    try:
        environ["wsgi.input"].close()
    except ProtocolError:
        pass
    _ok(start_response)
    return [b"nothing to see"]


#: rule id -> the misbehaving app that breaks it (every rule in validate_wsgi.RULES)
MISBEHAVING = {
    "wsgi.start_response.args": bad_start_response_args,
    "wsgi.status.type": bad_status_type,
    "wsgi.status.form": bad_status_form,
    "wsgi.headers.type": bad_headers_type,
    "wsgi.headers.item": bad_headers_item,
    "wsgi.header.name": bad_header_name,
    "wsgi.header.value": bad_header_value,
    "wsgi.header.status": bad_header_status,
    "wsgi.header.hop-by-hop": bad_header_hop_by_hop,
    "wsgi.start_response.once": bad_start_response_once,
    "wsgi.exc_info.type": bad_exc_info_type,
    "wsgi.exc_info.swallowed": bad_exc_info_swallowed,
    "wsgi.start_response.missing": bad_start_response_missing,
    "wsgi.iterable.type": bad_iterable_type,
    "wsgi.body.type": bad_body_type,
    "wsgi.iterable.len": bad_iterable_len,
    "wsgi.write.in-iterable": bad_write_in_iterable,
    "wsgi.input.close": bad_input_close,
    "wsgi.errors.type": bad_errors_type,
    "wsgi.errors.close": bad_errors_close,
    "wsgi.content-length": bad_content_length,
}
