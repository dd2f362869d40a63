"""validate_wsgi: check what PEP 3333 requires of an application, and raise ProtocolError.

Rules (id: what is checked -- the PEP 3333 sentence it enforces):

  wsgi.start_response.args    start_response() gets 2 or 3 positional arguments
                              -- "start_response(status, response_headers, exc_info=None)"
  wsgi.status.type            status is a str -- "The status argument is a status string"
  wsgi.status.form            '<3 digits> <reason>' (the space required, the reason may be empty), code >= 100,
                              no control characters
                              -- "a status code and a reason phrase, in that order and separated by a single space"
  wsgi.headers.type           response_headers is a list -- "must be a Python list; i.e. type(response_headers) is ListType"
  wsgi.headers.item           each header is a (str, str) tuple -- "a list of (header_name, header_value) tuples"
  wsgi.header.name            a header name is an HTTP token, no colon
  wsgi.header.value           no CR, LF or other control characters; latin-1 only
                              -- "must not contain control characters, including carriage returns or linefeeds"
  wsgi.header.status          no 'Status' header -- "The status ... should not ... be a Status: header"
  wsgi.header.hop-by-hop      no Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade, ...
                              -- "Applications ... must not generate any 'hop-by-hop' headers"
  wsgi.start_response.once    a second call carries exc_info -- "it is a fatal error to call start_response
                              without the exc_info argument if start_response has already been called"
  wsgi.exc_info.type          exc_info is None or a (type, value, traceback) tuple -- "a Python sys.exc_info() tuple"
  wsgi.exc_info.swallowed     the app let the error start_response re-raised propagate
                              -- "The application must not trap any exceptions raised by start_response"
  wsgi.start_response.missing start_response() was called before the first body bytes
                              -- "must invoke the start_response() callable before the iterable yields its first body bytestring"
  wsgi.iterable.type          the return value is an iterable, not None, str or bytes
  wsgi.body.type              every item yielded, and every write() argument, is bytes -- "bytestrings only"
  wsgi.iterable.len           len(iterable), when it works, is accurate -- "the value returned must be accurate"
  wsgi.content-length         a Content-Length is a decimal number, and the body (write() data and items) has
                              exactly that many bytes; not for HEAD, 1xx, 204 and 304 -- "the server should
                              not transmit more bytes than the Content-Length header allows" (PEP 3333, RFC 9110 8.6)
  wsgi.write.in-iterable      write() is not called from inside the iterable
                              -- "must not invoke the write() callable from within the iterable"
  wsgi.input.close            the app does not close wsgi.input -- "applications must not call close()"
  wsgi.errors.type            wsgi.errors.write() gets str -- "text mode"
  wsgi.errors.close           the app does not close wsgi.errors

Not a rule, on purpose: a missing Content-Type (wsgiref.validate's opinion,
not the PEP's). A status without its space ('200') is one: waitress then writes
a status line without the space RFC 9112 requires, and wsgiref.validate warns.
The kit's own server side is in _wsgi_call.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from ._content_length import content_length, length_mismatch
from ._errors import ProtocolError, rule_broken
from ._wsgi_environ import InputProxy

__all__ = ["RULES", "validate_wsgi"]

_STATUS = re.compile(r"[1-9][0-9]{2} [^\x00-\x1f\x7f]*\Z")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers", "transfer-encoding", "upgrade"})

RULES = tuple(re.findall(r"^  (wsgi\.[a-z_.\-]+)", __doc__ or "", re.M))

# Statuses and (name, value) header tuples already found valid, each with the body length it declares
# (a Content-Length header's number, else None). An app sends the same few again and again, and each
# check depends on the value alone, so a repeat is one dict lookup (bounded).
_KNOWN_GOOD: dict[Any, Any] = {}
_UNKNOWN = object()
_NO_BODY = ("204", "304")  # statuses whose Content-Length does not describe the body they carry (nor 1xx)


def _remember(value: Any, length: int | None = None) -> None:
    if len(_KNOWN_GOOD) >= 1024:
        _KNOWN_GOOD.clear()
    _KNOWN_GOOD[value] = length


_fail = rule_broken


def check_status(status: Any) -> None:
    if type(status) is not str:
        raise _fail("wsgi.status.type", f"start_response() status must be a str like '200 OK', not {type(status).__name__}: {status!r}", status, "str")
    if status in _KNOWN_GOOD:  # (the dict's keys)
        return
    if not _STATUS.match(status):
        raise _fail("wsgi.status.form", f"start_response() status {status!r} is not '<3 digits> <reason>'", status, "a str like '200 OK': the code, a space, the reason phrase")
    try:
        status.encode("latin-1")
    except UnicodeEncodeError:
        raise _fail("wsgi.status.form", f"start_response() status {status!r} is not latin-1", status, "latin-1 characters only") from None
    if len(status) <= 256:
        _remember(status)


def check_headers(headers: Any) -> int | None:
    """Check the app's header list; return the body length its Content-Length declares (None without one)."""
    if type(headers) is not list:
        raise _fail("wsgi.headers.type", f"start_response() headers must be a list, not {type(headers).__name__}: {headers!r:.100}", headers, "list")
    declared = None
    for item in headers:
        if type(item) is not tuple or len(item) != 2 or type(item[0]) is not str or type(item[1]) is not str:
            raise _fail("wsgi.headers.item", f"start_response() header {item!r:.100} is not a (str, str) tuple", item, "a (str, str) tuple")
        length = _KNOWN_GOOD.get(item, _UNKNOWN)
        if length is not _UNKNOWN:
            if length is not None:
                declared = _one_length(declared, length, headers)
            continue
        name, value = item
        if not _TOKEN.match(name):
            raise _fail("wsgi.header.name", f"start_response() header name {name!r} is not an HTTP token", name, "a token such as 'Content-Type' (no colon, space or control character)")
        lower = name.lower()
        if lower == "status":
            raise _fail("wsgi.header.status", f"start_response() got a 'Status' header {value!r}", item, "the status as start_response()'s first argument")
        if lower in _HOP_BY_HOP:
            raise _fail("wsgi.header.hop-by-hop", f"start_response() got hop-by-hop header {name!r}: {value!r}", item, "no hop-by-hop headers: the server owns the connection")
        if _BAD_VALUE.search(value):
            raise _fail("wsgi.header.value", f"start_response() header {name!r} value {value!r} contains a CR, LF or control character", item, "no control characters")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise _fail("wsgi.header.value", f"start_response() header {name!r} value {value!r} is not latin-1", item, "latin-1 characters only (PEP 3333 'Unicode Issues')") from None
        length = None
        if lower == "content-length":
            try:
                length = content_length((item,))
            except ValueError as error:
                raise _fail("wsgi.content-length", f"start_response() got {error}", item, "a Content-Length of digits, e.g. '42'") from None
            declared = _one_length(declared, length, headers)
        if len(name) + len(value) <= 256:
            _remember(item, length)
    return declared


def _one_length(declared: int | None, length: int | None, headers: list[Any]) -> int | None:
    if declared is not None and length != declared:
        raise _fail("wsgi.content-length", f"start_response() got two Content-Length headers that disagree: {declared} and {length}", headers, "one Content-Length")
    return length


def check_exc_info(exc_info: Any) -> None:
    if exc_info is not None and not (type(exc_info) is tuple and len(exc_info) == 3):
        raise _fail("wsgi.exc_info.type", f"start_response() exc_info must be None or sys.exc_info(), not {exc_info!r:.100}", exc_info, "None or a (type, value, traceback) tuple")


def _check_chunk(chunk: Any, where: str) -> None:
    if type(chunk) is not bytes:
        raise _fail("wsgi.body.type", f"{where} got {type(chunk).__name__} {chunk!r:.80}, expected bytes", chunk, "bytes")


class _CallChecker:
    """Everything the validator remembers about one call of the app."""

    __slots__ = ("start_response_", "method", "started", "reraised", "iterating", "body_generator", "violation", "declared", "sent")

    def __init__(self, start_response: Callable[..., Any], method: Any = "GET") -> None:
        self.start_response_ = start_response
        self.method = method
        #: the body length the response's Content-Length promises (None: nothing to hold it to), and the bytes sent so far
        self.declared: int | None = None
        self.sent = 0
        self.started = False
        self.reraised = False
        self.iterating = False
        #: the app's own generator when the kit's server iterates it directly (see kit_items)
        self.body_generator: Any = None
        self.violation: ProtocolError | None = None

    def _record(self, error: ProtocolError) -> ProtocolError:
        if self.violation is None:
            self.violation = error
        return error

    def count(self, size: int) -> None:
        """`size` more body bytes: a ProtocolError as soon as they exceed the declared Content-Length."""
        self.sent += size
        if self.declared is not None and self.sent > self.declared:
            headline, expected = length_mismatch(self.declared, self.sent, ended=False)
            self.declared = None  # said once
            raise self._record(_fail("wsgi.content-length", headline, self.sent, expected))

    def check_length_at_end(self) -> None:
        """The body ended: a ProtocolError when it differs from the declared Content-Length."""
        if self.declared is not None and self.sent != self.declared:
            headline, expected = length_mismatch(self.declared, self.sent, ended=True)
            raise self._record(_fail("wsgi.content-length", headline, self.sent, expected))

    def start_response(self, *args: Any, **kwargs: Any) -> Callable[[bytes], None]:
        if kwargs or not 2 <= len(args) <= 3:
            raise self._record(_fail("wsgi.start_response.args", f"start_response() takes 2 or 3 positional arguments, got {len(args)} and keywords {sorted(kwargs)}", (args, kwargs), "start_response(status, headers[, exc_info])"))
        status, headers = args[0], args[1]
        exc_info = args[2] if len(args) == 3 else None
        try:
            check_status(status)
            declared = check_headers(headers)
            if exc_info is not None:
                check_exc_info(exc_info)
            if declared is not None and (self.method == "HEAD" or status[0] == "1" or status[:3] in _NO_BODY):
                declared = None  # the length of another body (describes_body(), inlined: once per request)
        except ProtocolError as error:
            raise self._record(error) from None
        if self.started and not exc_info:
            raise self._record(_fail("wsgi.start_response.once", f"start_response() called a second time without exc_info (now {status!r})", status, "one start_response() call, or a later one with exc_info"))
        self.started = True
        self.declared = declared
        try:
            write = self.start_response_(status, headers, exc_info)
        except ProtocolError as error:
            raise self._record(error)
        except BaseException:
            self.reraised = True
            raise
        finally:
            exc_info = None
        return self._checked_write(write)

    def _checked_write(self, write: Callable[[bytes], None]) -> Callable[[bytes], None]:
        def checked_write(data: bytes) -> None:
            if self.iterating or getattr(self.body_generator, "gi_running", False):
                raise self._record(_fail("wsgi.write.in-iterable", "write() called from inside the app's iterable", data, "yield the bytes instead"))
            try:
                _check_chunk(data, "write()")
            except ProtocolError as error:
                raise self._record(error) from None
            if self.declared is not None:
                self.count(len(data))
            write(data)

        return checked_write


class _InputWrapper(InputProxy):
    """wsgi.input as the app sees it under validation: close() is a violation."""

    def __init__(self, stream: Any, checker: _CallChecker) -> None:
        self._stream = stream  # what InputProxy.__init__ sets, without its call: one is made per request
        self._checker = checker

    def close(self) -> None:
        raise self._checker._record(_fail("wsgi.input.close", "the app called wsgi.input.close()", None, "leave wsgi.input open: the server owns it"))


class _ErrorsWrapper:
    """wsgi.errors under validation: str only, never closed."""

    def __init__(self, stream: Any, checker: _CallChecker) -> None:
        self._stream = stream
        self._checker = checker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def write(self, text: str) -> None:
        if type(text) is not str:
            raise self._checker._record(_fail("wsgi.errors.type", f"wsgi.errors.write() got {type(text).__name__} {text!r:.80}, expected str", text, "str"))
        self._stream.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        raise self._checker._record(_fail("wsgi.errors.close", "the app called wsgi.errors.close()", None, "leave wsgi.errors open: the server owns it"))


class _IterableWrapper:
    """The app's iterable under validation: items are bytes, start_response came first, len() is honest."""

    def __init__(self, result: Any, checker: _CallChecker) -> None:
        self._result = result
        self._checker = checker
        try:
            self._declared: int | None = len(result)
        except TypeError:
            self._declared = None

    def __iter__(self) -> Iterator[bytes]:
        checker = self._checker
        count = 0
        for chunk in self._result:
            checker.iterating = False
            count += 1
            if type(chunk) is not bytes or not checker.started:  # else nothing to check: skip the call
                try:
                    _check_chunk(chunk, "the app's iterable")
                    if chunk and not checker.started:
                        raise _fail("wsgi.start_response.missing", f"the app's iterable yielded {chunk!r:.60} before start_response() was called", chunk, "start_response() before the first body bytes")
                except ProtocolError as error:
                    raise checker._record(error) from None
            if checker.declared is not None:
                checker.count(len(chunk))
            yield chunk
            checker.iterating = True
        checker.iterating = False
        self._finish(count)

    def kit_items(self) -> Any:
        """The fast path for the kit's own server: `(items, finish)` or None.

        When start_response was already called and no len() needs counting,
        every per-item duty is one the kit's server does itself (items are
        bytes: rule wsgi.body.type), so it iterates the app's items directly,
        with no generator layer per chunk, and calls `finish()` at the end.
        Any other server uses __iter__ and gets every check.
        """
        if self._declared is not None or not self._checker.started or self._checker.declared is not None:
            return None  # items to count (len(), Content-Length), or start_response still to come
        items = iter(self._result)
        if hasattr(items, "gi_running"):
            self._checker.body_generator = items  # write() from inside it is still caught
        return items, self._finish_without_count

    def _finish_without_count(self) -> None:
        self._finish(None)

    def _finish(self, count: int | None) -> None:
        """The checks that run when the app's iterable is exhausted."""
        checker = self._checker
        if checker.reraised:  # a generator app trapped what start_response(..., exc_info) re-raised
            raise checker._record(_fail("wsgi.exc_info.swallowed", "the app's iterable caught the exception start_response(..., exc_info) re-raised and went on", None, "let the re-raised exception propagate"))
        if self._declared is not None and count is not None and count != self._declared:
            raise checker._record(_fail("wsgi.iterable.len", f"len() of the app's iterable is {self._declared} but it yielded {count} item{'' if count == 1 else 's'}", count, f"{self._declared} items, as len() said"))
        if not checker.started:
            raise checker._record(_fail("wsgi.start_response.missing", "the app returned its iterable without calling start_response()", None, "start_response(status, headers) before the body"))
        checker.check_length_at_end()

    def close(self) -> None:
        close = getattr(self._result, "close", None)
        if close is not None:
            close()
        violation = self._checker.violation
        if violation is not None:
            raise violation  # the app swallowed it: surface it anyway


def validate_wsgi(app: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a WSGI app so that each PEP 3333 rule it breaks raises ProtocolError.

    A violation the app catches and hides is raised again when the server
    closes the iterable, so it always reaches the test.
    """
    if getattr(app, "_asgiwsgi_validated", False):
        return app
    if not callable(app):
        raise TypeError(f"validate_wsgi() needs a WSGI callable app(environ, start_response), not {type(app).__name__}: {app!r:.80}")

    def validated(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        checker = _CallChecker(start_response, environ.get("REQUEST_METHOD"))
        environ["wsgi.input"] = _InputWrapper(environ["wsgi.input"], checker)
        environ["wsgi.errors"] = _ErrorsWrapper(environ["wsgi.errors"], checker)
        result = app(environ, checker.start_response)
        if result is None or isinstance(result, (str, bytes)):
            raise checker._record(_fail("wsgi.iterable.type", f"the app returned {type(result).__name__} {result!r:.60}, expected an iterable of bytes such as [b'...']", result, "an iterable of bytes"))
        if checker.reraised:
            raise checker._record(_fail("wsgi.exc_info.swallowed", "the app caught the exception start_response(..., exc_info) re-raised and returned normally", None, "let the re-raised exception propagate"))
        if type(result) is list and checker.started and checker.violation is None:
            for chunk in result:  # fast path: a list is checked at once, with nothing to wrap
                if type(chunk) is not bytes:
                    raise checker._record(_fail("wsgi.body.type", f"the app's iterable got {type(chunk).__name__} {chunk!r:.80}, expected bytes", chunk, "bytes"))
            if checker.declared is not None:
                checker.sent += sum(map(len, result))
                if checker.sent != checker.declared:
                    checker.check_length_at_end()
            return result
        return _IterableWrapper(result, checker)

    validated._asgiwsgi_validated = True  # type: ignore[attr-defined]
    validated.__wrapped__ = app  # type: ignore[attr-defined]
    return validated
