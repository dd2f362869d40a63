"""Response objects: what came back, with the request that produced it.

`TestResponseBase` holds everything SPEC section 4 lists; WSGITestResponse
adds `errors` and lazy `iter_bytes()`/`iter_lines()` for `stream()`, and the
ASGI response (in _asgi_response) adds trailers and the async iterators.
Describing a response for a failure message lives in _describe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, NoReturn

from ._describe import _charset, media_type, request_line
from ._headers import Headers

__all__ = ["JSONMethod", "TestResponseBase", "WSGITestResponse", "iter_lines_of"]


# Attributes of other clients' responses and the kit's word for each (SPEC 13).
_OTHER_CLIENTS_ATTRIBUTES = {
    "content": ".body (bytes)",
    "data": ".body (bytes)",
    "get_data": ".body (bytes)",
    "normal_body": ".body (bytes)",
    "get_json": ".json()",
    "status_int": ".status_code",
    "reason_phrase": ".reason",
    "ok": ".status_code (or assertStatus() in a test case)",
    "is_success": ".status_code (or assertStatus() in a test case)",
    "raise_for_status": "assertStatus(response, 200) in a test case",
    "mustcontain": "assertIn(text, response.text)",
}


def _json(self: TestResponseBase) -> Any:
    """The body parsed as JSON; a ValueError naming the request when it is not JSON."""
    import json

    try:
        return json.loads(self.body)
    except ValueError as exc:
        excerpt = self.body[:200]
        msg = f"{request_line(self)} -> {self.status}: body is not JSON ({exc}); content-type {self.headers.get('content-type')!r}, body starts {excerpt!r}"
        raise ValueError(msg) from None


_json.__name__ = _json.__qualname__ = "json"


class _JSONAttribute:
    """`response.json`: that response's JSONMethod; on the class, the plain function (so `Response.json(r)` works).

    A non-data descriptor, as a method is: an instance attribute (`mock.patch.object(response, "json")`) wins.
    """

    def __get__(self, response: TestResponseBase | None, owner: type | None = None) -> Any:
        return _json if response is None else JSONMethod(response)


class JSONMethod:
    """What `response.json` is: call it for the parsed body; indexing or comparing it (werkzeug's habit) says to call it.

    Otherwise it reads as a bound method: `__self__`, `__func__`, `__name__`, equal to the same response's.
    """

    __slots__ = ("__self__",)
    __func__ = staticmethod(_json)
    __name__ = "json"

    def __init__(self, response: TestResponseBase) -> None:
        self.__self__ = response

    def __call__(self) -> Any:
        """The body parsed as JSON; a ValueError naming the request when it is not JSON."""
        return _json(self.__self__)

    @staticmethod
    def _not_called(example: str) -> TypeError:
        return TypeError(f"response.json is a method, not the parsed body: call it, as in {example} (werkzeug's response.json is a property; the kit's, like httpx's, is a method)")

    def __getitem__(self, key: Any) -> NoReturn:
        raise self._not_called(f"response.json()[{key!r}]")

    def __contains__(self, item: Any) -> NoReturn:
        raise self._not_called(f"{item!r:.40} in response.json()")

    def __iter__(self) -> NoReturn:
        raise self._not_called("for item in response.json()")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JSONMethod):
            return other.__self__ is self.__self__
        if other is None or isinstance(other, (dict, list, str, int, float)):
            raise self._not_called(f"response.json() == {other!r:.40}")
        return NotImplemented

    def __hash__(self) -> int:
        return hash((JSONMethod, id(self.__self__)))

    def __repr__(self) -> str:
        return f"<bound method json of {self.__self__!r}>"


class TestResponseBase:
    """A response: status, headers, body, and what was sent to get it."""

    __test__ = False  # a "Test*" name that pytest must not collect

    #: the exception the app raised when the client kept it (raise_server_exceptions=False)
    exception: BaseException | None = None
    #: its formatted traceback, when kept
    traceback: str = ""

    def __init__(self, status_code: int, reason: str, headers: Headers, body: bytes | None, request: Any = None) -> None:
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self._body = body
        self.request = request
        self.history: list[TestResponseBase] = []
        self._cookies: dict[str, str] | None = None
        self._base_url: Any = None  # the client's base_url (a URL), to name the request relative to it

    if not TYPE_CHECKING:  # (a checker that saw it would take every misspelt attribute for Any)

        def __getattr__(self, name: str) -> Any:
            """Only for names the class lacks: another client's attribute gets the kit's word in the error."""
            hint = _OTHER_CLIENTS_ATTRIBUTES.get(name)
            if hint is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}: that is another client's word; the kit's is {hint}")

    @property
    def status(self) -> str:
        """'200 OK'."""
        return f"{self.status_code} {self.reason}" if self.reason else str(self.status_code)

    @property
    def body(self) -> bytes:
        if self._body is None:
            raise ValueError(
                f"the body of a streamed response ({self!r}) is not read yet: "
                "iterate iter_bytes()/iter_lines() or call read() inside the stream() block"
            )
        return self._body

    def _body_or_none(self) -> bytes | None:
        return self._body

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when there is no Content-Type)."""
        return media_type(self.headers.get("content-type", ""))

    @property
    def charset(self) -> str:
        """The charset parameter of Content-Type ('' when absent)."""
        return _charset(self.headers.get("content-type", ""))

    @property
    def text(self) -> str:
        """The body decoded by the Content-Type charset (UTF-8 by default)."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    if TYPE_CHECKING:

        def json(self) -> Any:
            """The body parsed as JSON; a ValueError naming the request when it is not JSON."""

    else:
        json = _JSONAttribute()

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies this response set, name -> value (a deletion shows as its empty value)."""
        if self._cookies is None:
            from ._cookies import CookieJar

            target = getattr(self.request, "target", None)
            host, path = (target.host, target.path) if target is not None else ("testserver", "/")
            self._cookies = CookieJar().extract(self.headers.get_all("set-cookie"), host, path, store=False)
        return self._cookies

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "location" in self.headers

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status}] {request_line(self)}>"


class WSGITestResponse(TestResponseBase):
    """A WSGI app's response; `errors` is the text the app wrote to `wsgi.errors`."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        headers: Headers,
        body: bytes | None,
        request: Any = None,
        errors: Any = None,
        chunks: Iterator[bytes] | None = None,
        close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(status_code, reason, headers, body, request)
        self._errors = errors
        self._chunks = chunks
        self._close = close

    @property
    def errors(self) -> str:
        """What the app wrote to `wsgi.errors`."""
        errors = self._errors
        return errors.getvalue() if hasattr(errors, "getvalue") else (errors or "")

    def iter_bytes(self) -> Iterator[bytes]:
        """Iterate the body chunk by chunk, advancing the app's iterable only on demand.

        Stopping part-way leaves the rest for a later iter_bytes() or read();
        the stream() block closes the app's iterable when it is left.
        """
        if self._body is not None:
            return iter((self._body,) if self._body else ())
        if self._chunks is None:
            raise ValueError(f"{self!r}: the stream was closed; iterate inside the stream() block")
        if self._chunks_close_themselves:
            return self._chunks  # the client's stream closes at its end: no extra layer per chunk
        return self._closing_chunks()

    #: True when the chunk iterator itself calls close() at the end of the body or on an error
    _chunks_close_themselves = False

    def _closing_chunks(self) -> Iterator[bytes]:
        chunks = self._chunks
        try:
            for chunk in chunks:  # type: ignore[union-attr]  # not `yield from`: dropping this generator must not end the body
                yield chunk
        except GeneratorExit:
            raise  # abandoned: closing here would hide the app's close() errors in garbage collection
        except BaseException:
            self.close()
            raise
        self.close()

    def iter_lines(self) -> Iterator[str]:
        """Yield decoded lines (without line ends) as the body arrives."""
        return iter_lines_of(self.iter_bytes(), self.charset or "utf-8")

    def read(self) -> bytes:
        """Read the rest of a streamed body; afterwards `body`, `text` and `json()` work."""
        if self._body is None:
            self._body = b"".join(self.iter_bytes())
        return self._body

    def close(self) -> None:
        """Close the app's iterable (calls its close()); safe to call twice."""
        close, self._close = self._close, None
        self._chunks = None
        if close is not None:
            close()


class LineSplitter:
    """Incremental bytes -> decoded lines at LF, CRLF or CR (line ends dropped); shared by iter_lines and aiter_lines."""

    def __init__(self, charset: str) -> None:
        import codecs
        import re

        self._line_end = re.compile(r"\r\n|\r|\n")
        self._decoder = codecs.getincrementaldecoder(charset)(errors="replace")
        self._buffer = ""

    def feed(self, chunk: bytes) -> list[str]:
        """The lines completed by `chunk`."""
        buffer = self._buffer + self._decoder.decode(chunk)
        lines = []
        start = 0
        for match in self._line_end.finditer(buffer):
            if match.group() == "\r" and match.end() == len(buffer):
                break  # may be the first half of a CRLF split across chunks
            lines.append(buffer[start : match.start()])
            start = match.end()
        self._buffer = buffer[start:]
        return lines

    def end(self) -> list[str]:
        """The lines still held at the end of the body (a final CR, an unterminated last line)."""
        buffer = self._buffer + self._decoder.decode(b"", final=True)
        self._buffer = ""
        if not buffer:
            return []
        lines = self._line_end.split(buffer)
        return lines[:-1] if lines[-1] == "" else lines


def iter_lines_of(chunks: Iterator[bytes], charset: str) -> Iterator[str]:
    """Split a stream of byte chunks into decoded lines at LF, CRLF or CR (line ends dropped)."""
    splitter = LineSplitter(charset)
    for chunk in chunks:
        yield from splitter.feed(chunk)
    yield from splitter.end()
