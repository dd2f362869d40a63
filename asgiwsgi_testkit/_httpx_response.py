"""The kit's ASGI response in httpx's vocabulary, for `testclient.TestClient` (SPEC section 12).

`Response` wraps an ASGITestResponse: `content` (decoded from gzip, deflate
and, where the interpreter has `compression.zstd`, zstd, as httpx decodes),
`text`, `json()`, `headers` whose repeated names read joined with ", ",
`url` and `request` views, `history`, `is_success`, `raise_for_status()`,
`extensions`, and the streaming readers of httpx. Nothing here imports httpx.
"""

from __future__ import annotations

import json as json_module
import zlib
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from ._describe import reason_phrase
from ._errors import TestkitError
from ._headers import Headers

__all__ = ["HTTPStatusError", "Response", "ResponseHeaders", "accept_encoding"]


def _zstd_decompressor() -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found,unused-ignore]  # Python 3.14+
    except ImportError:
        return None
    return zstd.ZstdDecompressor


def accept_encoding() -> str:
    """What httpx sends as Accept-Encoding without brotli installed: the codings this module decodes."""
    return "gzip, deflate, zstd" if _zstd_decompressor() is not None else "gzip, deflate"


# Where httpx's reason phrases (the RFC 7231 wording) differ from http.HTTPStatus's on some Python
# (3.13 took RFC 9110's: "Content Too Large", ...); a test written for Starlette's client compares httpx's.
_HTTPX_PHRASES = {
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    416: "Requested Range Not Satisfiable",
    418: "I'm a teapot",
    422: "Unprocessable Entity",
}


class ResponseHeaders(Headers):
    """Headers read as httpx reads them: a repeated name's values joined with ", " (`get_list()` keeps them apart)."""

    __slots__ = ()

    def __getitem__(self, name: str) -> str:
        values = self.get_all(name)
        if not values:
            return super().__getitem__(name)  # the KeyError naming the header and those present
        return ", ".join(values)

    def get(self, name: str, default: Any = None) -> Any:
        values = self.get_all(name)
        return ", ".join(values) if values else default

    def get_list(self, name: str, split_commas: bool = False) -> list[str]:
        values = self.get_all(name)
        if split_commas:
            return [part.strip() for value in values for part in value.split(",")]
        return values

    def items(self) -> list[tuple[str, str]]:
        return [(name, ", ".join(self.get_all(name))) for name in self.keys()]

    def values(self) -> list[str]:
        return [value for _, value in self.items()]


class URL:
    """The parts of an absolute URL httpx's `URL` shows: scheme, host, port, path, query (bytes), and str()."""

    __slots__ = ("_url", "_parts")

    def __init__(self, url: str) -> None:
        self._url = url
        self._parts = urlsplit(url)

    @property
    def scheme(self) -> str:
        return self._parts.scheme

    @property
    def host(self) -> str:
        return self._parts.hostname or ""

    @property
    def port(self) -> int | None:
        return self._parts.port

    @property
    def path(self) -> str:
        return self._parts.path or "/"

    @property
    def query(self) -> bytes:
        return self._parts.query.encode("ascii", "replace")

    @property
    def fragment(self) -> str:
        return self._parts.fragment

    @property
    def netloc(self) -> bytes:
        return self._parts.netloc.encode("ascii", "replace")

    @property
    def raw_path(self) -> bytes:
        return (self.path + (f"?{self._parts.query}" if self._parts.query else "")).encode("ascii", "replace")

    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"URL({self._url!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, URL):
            return self._url == other._url
        if isinstance(other, str):
            return self._url == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._url)


class Request:
    """What was sent, as httpx's `Request` shows it: method, url, headers, content."""

    __slots__ = ("_sent",)

    def __init__(self, sent: Any) -> None:
        self._sent = sent

    method = property(lambda self: self._sent.method)
    url = property(lambda self: URL(self._sent.url))
    headers = property(lambda self: ResponseHeaders(self._sent.headers))

    @property
    def content(self) -> bytes:
        body = self._sent.body
        return body if body is not None else b""

    def read(self) -> bytes:
        return self.content

    def __repr__(self) -> str:
        return f"<Request({self.method!r}, {self._sent.url!r})>"


class HTTPStatusError(TestkitError):
    """`raise_for_status()` on a 4xx or 5xx response, as httpx's HTTPStatusError: `request` and `response`."""

    def __init__(self, message: str, *, request: Any, response: Any) -> None:
        super().__init__(message)
        self.request = request
        self.response = response


class _Decoder:
    """Undoes a response's Content-Encoding chunk by chunk (the codings in the reverse of their order)."""

    def __init__(self, codings: list[str]) -> None:
        self._steps: list[Any] = []
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                self._steps.append(zlib.decompressobj(zlib.MAX_WBITS | 16))
            elif coding == "deflate":
                self._steps.append(_Deflate())
            elif coding == "zstd" and _zstd_decompressor() is not None:
                self._steps.append(_zstd_decompressor()())
            elif coding not in ("identity", ""):
                self._steps = []  # a coding httpx would not decode either (br without brotli): leave the bytes as sent
                return

    def feed(self, data: bytes) -> bytes:
        for step in self._steps:
            data = step.decompress(data)
        return data

    def end(self) -> bytes:
        data = b""
        for step in self._steps:
            data = step.decompress(data) + (step.flush() if hasattr(step, "flush") else b"")
        return data


class _Deflate:
    """'deflate' as httpx reads it: zlib-wrapped, or a raw deflate stream when the first bytes say so."""

    def __init__(self) -> None:
        self._inner: zlib._Decompress | None = None  # set by the first bytes: zlib-wrapped or raw

    def decompress(self, data: bytes) -> bytes:
        if self._inner is None:
            if not data:
                return b""
            self._inner = zlib.decompressobj()
            try:
                return self._inner.decompress(data)
            except zlib.error:
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inner.decompress(data)

    def flush(self) -> bytes:
        return self._inner.flush() if self._inner is not None else b""


class Response:
    """A response as a test written for Starlette's TestClient reads it (httpx's names)."""

    def __init__(self, inner: Any, history: list[Response] | None = None, on_close: Callable[[], None] | None = None) -> None:
        self._inner = inner
        self.history = history if history is not None else []
        self._headers: ResponseHeaders | None = None
        self._content: bytes | None = None
        self._on_close = on_close
        self.is_closed = on_close is None

    @property
    def headers(self) -> ResponseHeaders:
        if self._headers is None:
            self._headers = ResponseHeaders._from_pairs(self._inner.headers._pairs)
        return self._headers

    # -- status ------------------------------------------------------------------------

    @property
    def status_code(self) -> int:
        return self._inner.status_code  # type: ignore[no-any-return]

    @property
    def reason_phrase(self) -> str:
        code = self.status_code
        return _HTTPX_PHRASES.get(code) or reason_phrase(code)

    @property
    def http_version(self) -> str:
        return "HTTP/1.1"

    is_informational = property(lambda self: 100 <= self.status_code < 200)
    is_success = property(lambda self: 200 <= self.status_code < 300)
    is_redirect = property(lambda self: self.status_code in (301, 302, 303, 307, 308) and "location" in self.headers)
    is_client_error = property(lambda self: 400 <= self.status_code < 500)
    is_server_error = property(lambda self: 500 <= self.status_code < 600)
    is_error = property(lambda self: 400 <= self.status_code < 600)

    def raise_for_status(self) -> Response:
        """Raise HTTPStatusError for a 4xx or 5xx response; return the response otherwise, as httpx does."""
        if self.is_error:
            kind = "Client error" if self.is_client_error else "Server error"
            message = f"{kind} '{self.status_code} {self.reason_phrase}' for url '{self.url}'"
            raise HTTPStatusError(message, request=self.request, response=self)
        return self

    # -- what it answers -----------------------------------------------------------------

    @property
    def request(self) -> Request:
        return Request(self._inner.request)

    @property
    def url(self) -> URL:
        return URL(self._inner.request.url)

    @property
    def cookies(self) -> dict[str, str]:
        return self._inner.cookies  # type: ignore[no-any-return]

    @property
    def extensions(self) -> dict[str, Any]:
        trailers = self._inner._trailers
        return {"http.response.trailers": trailers} if trailers else {}

    @property
    def next_request(self) -> None:
        return None  # redirects are followed by the client, or not at all

    # -- the body ----------------------------------------------------------------------

    def _decoder(self) -> _Decoder:
        return _Decoder([c.strip().lower() for c in self.headers.get_list("content-encoding", split_commas=True)])

    @property
    def content(self) -> bytes:
        if self._content is None:
            if self._inner._reader is not None:
                self.read()
            elif "content-encoding" not in self.headers:
                self._content = self._inner.body  # (nearly every response: nothing to decode)
            else:
                decoder = self._decoder()
                self._content = decoder.feed(self._inner.body) + decoder.end()
        return self._content  # type: ignore[return-value]

    @property
    def encoding(self) -> str:
        return self._inner.charset or "utf-8"

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        return json_module.loads(self.content, **kwargs)

    @property
    def num_bytes_downloaded(self) -> int:
        return len(self._inner.body) if self._inner._reader is None else 0

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body as the app sent it, not decoded."""
        yield from self._inner.iter_bytes()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The decoded body, a chunk at a time."""
        if self._content is not None:
            yield from ([self._content] if self._content else [])
            return
        decoder = self._decoder()
        for chunk in self.iter_raw():
            data = decoder.feed(chunk)
            if data:
                yield data
        rest = decoder.end()
        if rest:
            yield rest

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        import codecs

        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        for chunk in self.iter_bytes():
            text = decoder.decode(chunk)
            if text:
                yield text
        rest = decoder.decode(b"", final=True)
        if rest:
            yield rest

    def iter_lines(self) -> Iterator[str]:
        """Decoded lines, line ends dropped, as httpx yields them."""
        from ._response import LineSplitter

        splitter = LineSplitter(self.encoding)
        for chunk in self.iter_bytes():
            yield from splitter.feed(chunk)
        yield from splitter.end()

    def read(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self.iter_bytes())
        return self._content

    def close(self) -> None:
        if self._on_close is not None and not self.is_closed:
            self.is_closed = True
            self._on_close()

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}]>"
