"""ASGITestResponse: an ASGI app's response, with trailers and async streaming readers.

Built from an HTTPExchange (whole responses) or around a stream reader
(`client.stream()`), whose `aiter_bytes()` takes one chunk at a time from the
app, so memory does not grow with the body. SSE parsing lives in _sse.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Iterator

from ._describe import reason_phrase
from ._headers import Headers
from ._response import LineSplitter, TestResponseBase

if TYPE_CHECKING:
    from ._asgi_stream import StreamReader

__all__ = ["ASGITestResponse"]


class ASGITestResponse(TestResponseBase):
    """An ASGI app's response; `trailers` holds what `http.response.trailers` sent."""

    def __init__(self, status_code: int, headers: Headers, body: bytes | None, request: Any = None, trailers: Headers | None = None, reader: Any = None) -> None:
        super().__init__(status_code, reason_phrase(status_code), headers, body, request)
        self._trailers = trailers
        self._reader: StreamReader | None = reader
        #: SyncASGITestClient's loop runner, set on its streamed responses: the sync readers step it
        self._run: Callable[[Any], Any] | None = None

    @property
    def trailers(self) -> Headers:
        """What `http.response.trailers` sent: empty Headers when nothing was sent (made on first use, as most responses have none)."""
        if self._trailers is None:
            self._trailers = Headers()
        return self._trailers

    @trailers.setter
    def trailers(self, trailers: Headers) -> None:
        self._trailers = trailers

    @classmethod
    def from_exchange(cls, exchange: Any, request: Any) -> ASGITestResponse:
        body = b"".join(exchange.chunks)
        if exchange.scope.get("method") == "HEAD":
            body = b""  # a server sends no body for HEAD (RFC 9110 9.3.2)
        trailers = Headers._from_pairs(exchange.trailers) if exchange.trailers else None
        return cls(exchange.status_code, Headers._from_pairs(exchange.headers), body, request, trailers)

    def _streaming_reader(self) -> StreamReader:
        if self._reader is None:
            raise ValueError(f"{self!r}: aiter_bytes(), aiter_lines() and aiter_events() read a body only inside `async with client.stream(...)`; use .body outside it")
        return self._reader

    # The readers are async iterators, not async generators: a generator left by `break` is closed by a
    # task the loop's finalizer starts later, which would outlive the stream block (SPEC section 5).

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Yield body chunks as the app sends them; the app's send() returns once each is taken."""
        return self._streaming_reader().chunks(self)

    def aiter_lines(self) -> AsyncIterator[str]:
        """Yield decoded lines (split at LF, CRLF or CR, line ends dropped) as they arrive."""
        splitter = LineSplitter(self.charset or "utf-8")
        return _Derived(self.aiter_bytes(), splitter.feed, splitter.end)

    def aiter_events(self) -> AsyncIterator[Any]:
        """Yield server-sent events (`event`, `data`, `id`, `retry`) parsed as the WHATWG HTML standard says."""
        from ._sse import EventParser

        parser = EventParser()

        def feed(line: str) -> list[Any]:
            event = parser.feed(line)
            return [] if event is None else [event]

        return _Derived(self.aiter_lines(), feed, list)

    async def aread(self) -> bytes:
        """Read the rest of a streamed body; afterwards `body`, `text` and `json()` work."""
        if self._body is None:
            self._body = b"".join([chunk async for chunk in self.aiter_bytes()])
        return self._body

    # -- the synchronous readers (SyncASGITestClient.stream()) ---------------------------

    def iter_bytes(self) -> Iterator[bytes]:
        """Body chunks as the app sends them, inside `with sync_client.stream(...)` (a read body: as one chunk)."""
        return self._synchronously(self.aiter_bytes)

    def iter_lines(self) -> Iterator[str]:
        """Decoded lines as they arrive, as aiter_lines() gives them."""
        return self._synchronously(self.aiter_lines)

    def iter_events(self) -> Iterator[Any]:
        """Server-sent events as they arrive, as aiter_events() gives them."""
        return self._synchronously(self.aiter_events)

    def read(self) -> bytes:
        """Read the rest of a streamed body synchronously; afterwards `body`, `text` and `json()` work."""
        if self._body is None:
            self._body = b"".join(self.iter_bytes())
        return self._body

    def _synchronously(self, make: Callable[[], AsyncIterator[Any]]) -> Iterator[Any]:
        run = self._run
        if run is None:
            if self._reader is None and self._body is not None:
                return self._from_body(make)
            raise TypeError(f"{self!r}: iter_bytes(), iter_lines(), iter_events() and read() are for SyncASGITestClient.stream(); in `async with client.stream(...)` use the aiter_*() methods and aread()")
        return _stepped(make(), run)

    def _from_body(self, make: Callable[[], AsyncIterator[Any]]) -> Iterator[Any]:
        """A whole response read through the same parsers (a body already read, or a response that was not streamed)."""
        if make == self.aiter_bytes:
            return iter([self._body] if self._body else [])
        splitter = LineSplitter(self.charset or "utf-8")
        lines = splitter.feed(self._body or b"") + splitter.end()
        if make == self.aiter_lines:
            return iter(lines)
        from ._sse import EventParser

        parser = EventParser()
        return iter([event for event in map(parser.feed, lines + [""]) if event is not None])


def _stepped(items: AsyncIterator[Any], run: Callable[[Any], Any]) -> Iterator[Any]:
    """An async iterator read from synchronous code: each item is one run of the client's private loop."""
    while True:
        try:
            item = run(items.__anext__())
        except StopAsyncIteration:
            return
        try:
            yield item
        except GeneratorExit:  # the reader stopped early: end the async iterator too, if its loop still runs
            aclose = getattr(items, "aclose", None)
            if aclose is not None:
                from ._errors import TestkitError

                try:
                    run(aclose())
                except TestkitError:
                    pass
            raise


class _Derived:
    """Items made from another async iterator's: `feed(item)` and, at its end, `end()` return lists of them."""

    def __init__(self, source: Any, feed: Callable[[Any], list[Any]], end: Callable[[], list[Any]]) -> None:
        self._source = source
        self._feed = feed
        self._end = end
        self._ready: deque[Any] = deque()
        self._ended = False

    def __aiter__(self) -> _Derived:
        return self

    async def __anext__(self) -> Any:
        while not self._ready:
            if self._ended:
                raise StopAsyncIteration
            try:
                item = await self._source.__anext__()
            except StopAsyncIteration:
                self._ended = True
                self._ready.extend(self._end())
            else:
                self._ready.extend(self._feed(item))
        return self._ready.popleft()

    async def aclose(self) -> None:
        self._ended = True
        self._ready.clear()
        await self._source.aclose()
