"""One WSGI call with the server's side of PEP 3333: `call_wsgi()` and the lazy `start_wsgi()`.

The duties a server has and this module fulfils: `start_response` returns a
`write()` callable; headers count as sent only with the first non-empty body
chunk, so a later `start_response(..., exc_info)` may still replace them; the
iterable's `close()` is always called, also when iteration fails. What the
*app* must do is checked by _wsgi_validate; the few things a server cannot
proceed without (a status, bytes for the body) raise ProtocolError here too.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from ._content_length import body_length_declared
from ._errors import rule_broken
from ._headers import Headers
from ._response import WSGITestResponse

__all__ = ["StartedResponse", "call_wsgi", "start_wsgi"]


class _ResponseState:
    """The server's memory of one call: status, headers, and whether they went out."""

    __slots__ = ("status", "headers", "headers_sent", "written")

    def __init__(self) -> None:
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.headers_sent = False
        self.written: list[bytes] = []

    def start_response(self, status: str, headers: list[Any], exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info:
            try:
                if self.headers_sent:
                    # PEP 3333: "if the headers have already been sent, start_response must raise
                    # an error, and should re-raise using the exc_info tuple".
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # PEP 3333: avoid a reference cycle through the traceback
        elif self.status is not None:
            raise rule_broken("wsgi.start_response.once", f"start_response() called a second time without exc_info (first status {self.status!r}, now {status!r})", status, "one start_response() call, or a later one with exc_info")
        self.status = status
        self.headers = headers
        return self.write

    def write(self, data: bytes) -> None:
        if self.status is None:
            raise rule_broken("wsgi.write.before-start", "write() called before start_response()", data, "start_response() first")
        if type(data) is not bytes:
            _bad_chunk(data, "write()")
        if data:
            self.headers_sent = True
        self.written.append(data)


def _bad_chunk(chunk: Any, where: str) -> None:
    raise rule_broken("wsgi.body.type", f"{where} got {type(chunk).__name__} {chunk!r:.80}, expected bytes", chunk, "bytes")


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class StartedResponse:
    """A WSGI response whose headers are final and whose body may not be read yet."""

    __slots__ = ("status", "headers", "first", "rest", "result", "state", "finish")

    def __init__(self, state: _ResponseState, first: list[bytes], rest: Iterator[Any], result: Any, finish: Any = None) -> None:
        self.state = state
        self.status: str = state.status  # type: ignore[assignment]
        self.headers = state.headers
        self.first = first
        self.rest = rest
        self.result = result
        #: called once the app's items are exhausted (the validator's end-of-body checks), or None
        self.finish = finish

    def chunks(self) -> Iterator[bytes]:
        """The body from the first non-empty chunk on, checking each item; write() data in order."""
        state = self.state
        yield from self.first
        for chunk in self.rest:
            if state.written:
                yield from state.written
                state.written.clear()
            if type(chunk) is not bytes:
                _bad_chunk(chunk, "the app's iterable")
            if chunk:
                yield chunk
        if state.written:
            yield from state.written
            state.written.clear()
        if self.finish is not None:
            self.finish()

    def close(self) -> None:
        _close(self.result)

    def read_all(self) -> bytes:
        """Read the whole body and close the iterable (also when iteration fails)."""
        if type(self.result) is list and not self.state.written:  # fast path: a list of bytes (a list has no close())
            body = list(self.first)
            for chunk in self.rest:  # a loop: before 3.12 a comprehension is a call of its own
                if type(chunk) is not bytes:
                    _bad_chunk(chunk, "the app's iterable")
                body.append(chunk)
            if self.finish is not None:
                self.finish()
            return b"".join(body)
        try:
            return b"".join(self.chunks())
        finally:
            _close(self.result)


def start_wsgi(app: Callable[..., Any], environ: dict[str, Any]) -> StartedResponse:
    """Call the app and advance its iterable to the first non-empty chunk (or its end).

    On return the status and headers are final. On any exception the
    iterable's close() has been called.
    """
    state = _ResponseState()
    result = app(environ, state.start_response)
    finish = None
    try:
        if type(result) is list:  # the common answer: nothing more to ask of it
            rest: Iterator[Any] = iter(result)
        elif result is None or isinstance(result, (str, bytes)):
            raise rule_broken("wsgi.iterable.type", f"the app returned {type(result).__name__} {result!r:.60}, expected an iterable of bytes such as [b'...']", result, "an iterable of bytes")
        else:
            fast = getattr(result, "kit_items", None)  # a validate_wsgi iterable: skip its per-item layer
            fast = fast() if fast is not None else None
            if fast is not None:
                rest, finish = fast
            else:
                rest = iter(result)
        first: list[bytes] = []
        if state.written:
            first.extend(state.written)
            state.written.clear()
        if not state.headers_sent:
            for chunk in rest:
                if type(chunk) is not bytes:
                    _bad_chunk(chunk, "the app's iterable")
                if state.written:
                    first.extend(state.written)
                    state.written.clear()
                if chunk:
                    first.append(chunk)
                    break
        if state.written:
            first.extend(state.written)
            state.written.clear()
        if state.status is None:
            raise rule_broken("wsgi.start_response.missing", "the app returned its iterable without calling start_response()", None, "start_response(status, headers) before the first body bytes")
        state.headers_sent = True
        return StartedResponse(state, first, rest, result, finish)
    except BaseException:
        _close(result)
        raise


# Status lines already parsed: an app sends the same few again and again (bounded, str keys only).
_PARSED_STATUSES: dict[str, tuple[int, str]] = {}


def parse_status(status: Any) -> tuple[int, str]:
    """'404 Not Found' -> (404, 'Not Found'); ProtocolError when it is no status line."""
    if type(status) is str:
        parsed = _PARSED_STATUSES.get(status)
        if parsed is not None:
            return parsed
        if len(status) >= 3 and status[:3].isdigit():
            code = int(status[:3])
            if code >= 100 and (len(status) == 3 or status[3] == " "):
                parsed = (code, status[4:])
                if len(_PARSED_STATUSES) < 256:
                    _PARSED_STATUSES[status] = parsed
                return parsed
    raise rule_broken("wsgi.status.form", f"start_response() status must be a str like '200 OK', not {type(status).__name__}: {status!r}", status, "a str '<3 digits> <reason>'")


def response_headers(headers: Any) -> Headers:
    """The app's header list as Headers (types were checked by the validator when it is on)."""
    pairs = []
    try:
        for name, value in headers:  # a loop: before 3.12 a comprehension is a call of its own
            pairs.append((name, value.strip(" \t")))  # an HTTP client strips the optional whitespace around a value (RFC 9110 5.5)
    except (TypeError, ValueError, AttributeError):
        raise rule_broken("wsgi.headers.type", f"start_response() headers must be a list of (name, value) str tuples, not {headers!r:.100}", headers, "a list of (str, str) tuples") from None
    return Headers._from_pairs(pairs)


def call_wsgi(app: Callable[..., Any], environ: dict[str, Any]) -> WSGITestResponse:
    """Call a WSGI app once with PEP 3333 server semantics and return the whole response.

    The app's exceptions propagate with their own traceback; the iterable's
    close() is always called. Only an app wrapped with `validate_wsgi` is
    checked against the spec beyond what a server needs to go on. As a
    server, the body is read but not returned for HEAD, and cut to the
    declared Content-Length when the app sent more.
    """
    errors = environ.get("wsgi.errors")
    request = _request_of(environ)
    started = start_wsgi(app, environ)
    body = started.read_all()
    code, reason = parse_status(started.status)
    headers = response_headers(started.headers)
    method = environ.get("REQUEST_METHOD")
    if method == "HEAD":
        body = b""  # gunicorn, waitress and wsgiref read the app's body for HEAD and send none (RFC 9110 9.3.2)
    else:
        declared = body_length_declared(headers._pairs, method, code)
        if declared is not None and len(body) > declared:
            body = body[:declared]
    return WSGITestResponse(code, reason, headers, body, request, errors)


def _request_of(environ: dict[str, Any]) -> Any:
    """What the environ describes, as a SentRequest (so the response's repr names the request)."""
    from ._request import request_from_parts

    try:
        headers = [(k[5:].replace("_", "-").lower(), v) for k, v in environ.items() if k.startswith("HTTP_")]
        port = int(environ.get("SERVER_PORT") or 80)
        script = environ.get("SCRIPT_NAME", "").encode("latin-1").decode("utf-8", "replace")
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        return request_from_parts(environ.get("REQUEST_METHOD", "GET"), environ.get("wsgi.url_scheme", "http"), environ.get("SERVER_NAME", ""), port, script, path, environ.get("QUERY_STRING", ""), headers)
    except Exception:  # a hand-made environ may lack anything; the response still works
        return None
