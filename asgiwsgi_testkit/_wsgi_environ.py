"""Build WSGI environ dicts the way a real server (gunicorn, waitress) would.

`make_environ()` is the public builder; `environ_for()` turns a SentRequest
into an environ for the client. URL splitting and percent-decoding live in
_urls, request building in _request. The pieces a server lends the app live
here too: the streamed `wsgi.input`, and `wsgi.file_wrapper`.
"""

from __future__ import annotations

import io
from typing import Any, Iterable, Iterator

from ._content import check_chunk
from ._headers import normalize_header_input
from ._request import DEFAULT_CLIENT, SentRequest, build_request, check_client
from ._urls import DEFAULT_PORTS, merge_queries, parse_base_url, path_info_from_raw

__all__ = ["FileWrapper", "InputProxy", "StreamedInput", "environ_for", "make_environ"]

SERVER_SOFTWARE = "asgiwsgi_testkit"
# Request headers whose repeats are joined with "; " rather than ", " (RFC 6265 5.4).
_JOIN_WITH_SEMICOLON = frozenset({"HTTP_COOKIE"})


class StreamedInput(io.RawIOBase):
    """`wsgi.input` over a streamed request body: chunks are pulled only when the app reads.

    Behaves like the body stream gunicorn hands an app: `read(n)`, `read()`,
    `readline()`, `readlines()` and iteration, EOF at the end of the body.
    """

    def __init__(self, chunks: Iterable[Any]) -> None:
        super().__init__()
        if hasattr(chunks, "__aiter__") and not hasattr(chunks, "__iter__"):
            raise TypeError("body= is an async iterable; a WSGI app reads synchronously: pass bytes or a sync iterable of bytes")
        self._chunks: Iterator[Any] | None = iter(chunks)
        self._buffer = bytearray()

    def readable(self) -> bool:
        return True

    def _fill(self, wanted: int) -> None:
        """Pull chunks until the buffer holds `wanted` bytes (-1: everything) or the body ends."""
        while self._chunks is not None and (wanted < 0 or len(self._buffer) < wanted):
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._chunks = None
                break
            self._buffer += check_chunk(chunk)

    def readinto(self, target: Any) -> int:
        self._fill(len(target))
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        del self._buffer[:count]
        return count

    def read(self, size: int | None = -1) -> bytes:
        wanted = -1 if size is None or size < 0 else size
        self._fill(wanted)
        count = len(self._buffer) if wanted < 0 else min(wanted, len(self._buffer))
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None or size < 0 else size
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0 and (limit < 0 or end < limit):
                return self.read(end + 1)
            if limit >= 0 and len(self._buffer) >= limit:
                return self.read(limit)
            if self._chunks is None:
                return self.read(limit)
            before = len(self._buffer)
            self._fill(before + 1)


class InputProxy:
    """A stand-in for `wsgi.input` that forwards to the real stream; `_seen()` sees every piece read.

    Validators and recorders wrap the server's stream with a subclass (close()
    checks, recording) instead of each writing the same forwarding again.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _seen(self, data: bytes) -> bytes:
        return data

    def read(self, *args: Any) -> bytes:
        return self._seen(self._stream.read(*args))

    def readline(self, *args: Any) -> bytes:
        return self._seen(self._stream.readline(*args))

    def readlines(self, *args: Any) -> list[bytes]:
        return [self._seen(line) for line in self._stream.readlines(*args)]

    def __iter__(self) -> Iterator[bytes]:
        for line in self._stream:
            yield self._seen(line)


class FileWrapper:
    """`wsgi.file_wrapper`: iterate a file-like object in blocks; `close()` closes it (PEP 3333)."""

    def __init__(self, filelike: Any, blksize: int = 8192) -> None:
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self) -> Iterator[bytes]:
        read = self.filelike.read
        while True:
            block = read(self.blksize)
            if not block:
                return
            yield block


def _input_for(request: SentRequest) -> Any:
    content = request.content
    if isinstance(content, bytes):
        return io.BytesIO(content)
    return StreamedInput(content)


# The environ keys that depend only on where requests go and who sends them, built once per
# (scheme, host, port, root path, client, protocol) and copied for each request: copying a dict is
# about three times cheaper than filling its 21 keys. The per-request keys are None placeholders
# here, so that every environ keeps one key order. Bounded; the templates are never handed out.
_SERVER_ENVIRONS: dict[tuple[Any, ...], dict[str, Any]] = {}


def _server_environ(target: Any, client: tuple[str, int], server_protocol: str) -> dict[str, Any]:
    """A fresh environ holding the server's and the connection's keys; the request's are None."""
    key = (target.scheme, target.host, target.port, target.root_path, client, server_protocol)
    template = _SERVER_ENVIRONS.get(key)
    if template is None:
        template = {
            "REQUEST_METHOD": None,
            "SCRIPT_NAME": path_info_from_raw(target.root_path) if target.root_path else "",
            "PATH_INFO": None,
            "QUERY_STRING": None,
            "SERVER_NAME": target.host,
            "SERVER_PORT": str(target.port),
            "SERVER_PROTOCOL": server_protocol,
            "REQUEST_URI": None,
            "RAW_URI": None,
            "REMOTE_ADDR": client[0],
            "REMOTE_PORT": str(client[1]),
            "SERVER_SOFTWARE": SERVER_SOFTWARE,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": target.scheme,
            "wsgi.input": None,
            "wsgi.errors": None,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
            "wsgi.file_wrapper": FileWrapper,
        }
        if len(_SERVER_ENVIRONS) < 64:
            _SERVER_ENVIRONS[key] = template
    return template.copy()


# CGI names of request headers sent without the HTTP_ prefix (PEP 3333, CGI 1.1 4.1.2 and 4.1.3).
_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
# Header name as sent -> its environ key. The same few names come with every request. Bounded.
_ENVIRON_KEYS: dict[str, str] = {}


def _environ_key(name: str) -> str | None:
    """'X-Foo' -> 'HTTP_X_FOO', 'Content-Type' -> 'CONTENT_TYPE'; None for a name a server drops."""
    if "_" in name:
        return None  # gunicorn and waitress drop these: X_Foo must not pose as X-Foo
    key = name.upper().replace("-", "_")
    if key not in _UNPREFIXED:
        key = "HTTP_" + key
    if len(_ENVIRON_KEYS) < 256:
        _ENVIRON_KEYS[name] = key
    return key


def environ_for(
    request: SentRequest,
    *,
    client: tuple[str, int] = DEFAULT_CLIENT,
    server_protocol: str = "HTTP/1.1",
) -> dict[str, Any]:
    """The environ a server builds for `request` (PEP 3333, as gunicorn fills it)."""
    target = request.target
    environ = _server_environ(target, client, server_protocol)
    environ["REQUEST_METHOD"] = request.method
    environ["PATH_INFO"] = path_info_from_raw(target.path_below_root)
    environ["QUERY_STRING"] = target.query
    environ["REQUEST_URI"] = environ["RAW_URI"] = target.target
    environ["wsgi.input"] = _input_for(request)
    environ["wsgi.errors"] = io.StringIO()
    for name, value in request.headers._pairs:
        key = _ENVIRON_KEYS.get(name) or _environ_key(name)
        if key is None:
            continue
        value = value.strip(" \t")  # surrounding whitespace is not part of a field value (RFC 9112 5); servers strip it
        if key in environ and key not in _UNPREFIXED:
            environ[key] += ("; " if key in _JOIN_WITH_SEMICOLON else ", ") + value
        else:
            environ[key] = value
    return environ


_MAKE_ENVIRON_OPTIONS = ("base_url", "scheme", "client", "server_protocol", "query", "json", "form", "files", "cookies")


def make_environ(
    method: str = "GET",
    path: str = "/",
    query_string: str = "",
    body: Any = b"",
    content_type: str = "",
    headers: Any = None,
    environ_overrides: dict[str, Any] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """Build one WSGI environ exactly as a real server would hand it to an app.

    `path` may carry `?query` (merged with `query_string`) or be an absolute
    URL. Also accepted by keyword: `base_url` (its path becomes SCRIPT_NAME),
    `scheme`, `client` (address, port), `server_protocol`, and the request
    arguments `query`, `json`, `form`, `files`, `cookies` (a mapping).
    `environ_overrides` is applied last.
    """
    unknown = sorted(set(more) - set(_MAKE_ENVIRON_OPTIONS))
    if unknown:
        raise TypeError(f"make_environ() got an unexpected keyword argument {unknown[0]!r} (accepted: {', '.join(_MAKE_ENVIRON_OPTIONS)})")
    if not isinstance(query_string, (str, bytes)):
        raise TypeError(f"query_string= must be a str, not {type(query_string).__name__}")
    base = parse_base_url(more.get("base_url", "http://testserver"))
    scheme = more.get("scheme")
    if scheme is not None:
        if scheme not in ("http", "https"):
            raise ValueError(f"scheme= must be 'http' or 'https', not {scheme!r}")
        port = DEFAULT_PORTS[scheme] if base.port == DEFAULT_PORTS[base.scheme] else base.port
        base = base._replace(scheme=scheme, port=port)
    header_pairs = normalize_header_input(headers)
    if content_type:
        header_pairs.append(("content-type", content_type))
    query = more.get("query")
    if query_string:
        query = merge_queries(query_string, query)
    body_args: dict[str, Any] = {}
    for key in ("json", "form", "files"):
        if key in more:
            body_args[key] = more[key]
    if body not in (b"", None) or not body_args:
        body_args["body"] = body
    request = build_request(method, path, base, query=query, headers=header_pairs, cookies=more.get("cookies"), **body_args)
    environ = environ_for(
        request,
        client=check_client(more.get("client", DEFAULT_CLIENT)),
        server_protocol=_check_protocol(more.get("server_protocol", "HTTP/1.1")),
    )
    if environ_overrides:
        environ.update(environ_overrides)
    return environ





def _check_protocol(protocol: Any) -> str:
    if protocol not in ("HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0"):
        raise ValueError(f"server_protocol= must be 'HTTP/1.0', 'HTTP/1.1' or 'HTTP/2', not {protocol!r}")
    return str(protocol)
