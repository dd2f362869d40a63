"""ASGITestResponse: an ASGI app's response, with trailers and async streaming readers.

Built from an HTTPExchange (whole responses) or around a stream reader
(`client.stream()`), whose `aiter_bytes()` takes one chunk at a time from the
app, so memory does not grow with the body. SSE parsing lives in _sse.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

from ._describe import reason_phrase
from ._headers import Headers
from ._response import LineSplitter, TestResponseBase

__all__ = ["ASGITestResponse"]


class ASGITestResponse(TestResponseBase):
    """An ASGI app's response; `trailers` holds what `http.response.trailers` sent."""

    def __init__(self, status_code: int, headers: Headers, body: bytes | None, request: Any = None, trailers: Headers | None = None, reader: Any = None) -> None:
        super().__init__(status_code, reason_phrase(status_code), headers, body, request)
        self.trailers = trailers if trailers is not None else Headers()
        self._reader = reader

    @classmethod
    def from_exchange(cls, exchange: Any, request: Any) -> ASGITestResponse:
        body = b"".join(exchange.chunks)
        if exchange.scope.get("method") == "HEAD":
            body = b""  # a server sends no body for HEAD (RFC 9110 9.3.2)
        return cls(exchange.status_code, Headers._from_pairs(exchange.headers), body, request, Headers._from_pairs(exchange.trailers))

    def _streaming_reader(self) -> Any:
        if self._reader is None:
            raise ValueError(f"{self!r}: aiter_bytes(), aiter_lines() and aiter_events() read a body only inside `async with client.stream(...)`; use .body outside it")
        return self._reader

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Yield body chunks as the app sends them; the app's send() returns once each is taken."""
        if self._body is not None and self._reader is None:
            raise ValueError(f"{self!r}: aiter_bytes() reads a body only inside `async with client.stream(...)`; use .body outside it")
        reader = self._streaming_reader()
        while True:
            chunk = await reader.next_chunk()
            if chunk is None:
                self.trailers = Headers._from_pairs(reader.exchange.trailers)
                return
            yield chunk

    async def aiter_lines(self) -> AsyncIterator[str]:
        """Yield decoded lines (split at LF, CRLF or CR, line ends dropped) as they arrive."""
        splitter = LineSplitter(self.charset or "utf-8")
        async for chunk in self.aiter_bytes():
            for line in splitter.feed(chunk):
                yield line
        for line in splitter.end():
            yield line

    async def aiter_events(self) -> AsyncIterator[Any]:
        """Yield server-sent events (`event`, `data`, `id`, `retry`) parsed as the WHATWG HTML standard says."""
        from ._sse import EventParser

        parser = EventParser()
        async for line in self.aiter_lines():
            event = parser.feed(line)
            if event is not None:
                yield event

    async def aread(self) -> bytes:
        """Read the rest of a streamed body; afterwards `body`, `text` and `json()` work."""
        if self._body is None:
            self._body = b"".join([chunk async for chunk in self.aiter_bytes()])
        return self._body
