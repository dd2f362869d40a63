"""WSGITestClient: the synchronous client for WSGI apps.

The verbs come from _client_core (ClientVerbs), which also builds each
request, keeps cookies and plans redirects (redirect_chain); this module turns
a request into an environ (_wsgi_environ) and calls the app with server
semantics (_wsgi_call). `stream()` hands out the response as soon as the
headers are final and advances the app's iterable only on demand.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping

from ._client_core import ClientCore, ClientVerbs, check_overrides, merged_overrides, stream_arguments
from ._errors import ProtocolError, TestkitError
from ._headers import Headers
from ._request import DEFAULT_CLIENT, SentRequest, check_client
from ._response import WSGITestResponse
from ._content_length import body_length_declared, cut_chunks
from ._verbs import takes_request_keywords
from ._wsgi_call import _bad_chunk, parse_status, response_headers, start_wsgi
from ._wsgi_environ import _check_protocol, environ_for
from ._wsgi_validate import validate_wsgi

__all__ = ["WSGITestClient"]


def check_wsgi_app(app: Any) -> Callable[..., Any]:
    """Return `app` if it can be a WSGI app; a TypeError naming what it is otherwise."""
    if not callable(app):
        raise TypeError(f"app must be a WSGI callable app(environ, start_response), not {type(app).__name__}: {app!r:.80}")
    call = app if hasattr(app, "__code__") else getattr(type(app), "__call__", None)
    code = getattr(call, "__code__", None)
    if code is not None and code.co_flags & 0x380:  # CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
        raise TypeError(f"app {app!r:.80} is an ASGI app (async def); use ASGITestClient for it")
    return app  # type: ignore[no-any-return]  # callable(): Any narrowed to a callable


class WSGITestClient(ClientVerbs[WSGITestResponse]):
    """Call a WSGI app in-process, exactly as a server would, and return WSGITestResponse objects.

    Options: `base_url` (its path becomes SCRIPT_NAME), `headers` (defaults for
    every request), `cookies` (True: keep Set-Cookie across requests),
    `follow_redirects`, `raise_server_exceptions` (False: an exception becomes
    a 500 response that keeps it), `validate` (wrap the app in validate_wsgi),
    `client` (REMOTE_ADDR, REMOTE_PORT), `server_protocol`, and
    `environ_overrides` (keys merged into every environ last, as WebTest's
    `extra_environ`; a request's own `environ_overrides=` goes on top).
    """

    __test__ = False  # a "Test*"-like class that pytest must not collect

    def __init__(
        self,
        app: Callable[..., Any],
        *,
        base_url: str = "http://testserver",
        headers: Any = None,
        cookies: Any = True,
        follow_redirects: bool = False,
        raise_server_exceptions: bool = True,
        validate: bool = True,
        client: tuple[str, int] = DEFAULT_CLIENT,
        server_protocol: str = "HTTP/1.1",
        environ_overrides: Any = None,
    ) -> None:
        self.app = check_wsgi_app(app)
        self.environ_overrides = check_overrides(environ_overrides, "environ_overrides")
        self._core = ClientCore(
            base_url=base_url,
            headers=headers,
            cookies=cookies,
            follow_redirects=follow_redirects,
            raise_server_exceptions=raise_server_exceptions,
            validate=validate,
        )
        self._called_app = validate_wsgi(app) if validate else app
        self._client = check_client(client)
        self._protocol = _check_protocol(server_protocol)

    @takes_request_keywords(ClientVerbs.request)  # type: ignore[arg-type]  # (see ClientVerbs.get)
    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[WSGITestResponse]:
        """Send a request and yield the response as soon as its headers are final.

        Read the body with `iter_bytes()`, `iter_lines()` or `read()`; leaving
        the block closes the app's iterable, also when it was not read to the end.
        Redirects followed on the way are read and closed before the next request.
        """
        arguments, follow = stream_arguments(kwargs)
        response = self._send(method, path, arguments, follow, stream=True)
        try:
            yield response
        finally:
            response.close()

    # -- one exchange ---------------------------------------------------------------

    def _send(self, method: str, path: Any, arguments: Mapping[str, Any], follow: Any, stream: bool = False) -> WSGITestResponse:
        """What request() and stream() return: one exchange, or the redirect chain driven to its end."""
        core = self._core
        overrides = self.environ_overrides
        if "environ_overrides" in arguments or "scope_overrides" in arguments:
            overrides = merged_overrides(overrides, arguments, "environ_overrides", "scope_overrides", "WSGITestClient")
        follow_redirects = core.should_follow(follow)
        first = core.build(method, path, arguments)
        response = self._call(first, stream, overrides)
        if not (follow_redirects and response.is_redirect):  # one exchange, no chain to track (the hot path)
            core.receive(response)
            return response
        chain = core.redirect_chain(method, path, arguments, sent=(first, response))
        answer = None  # the chain takes the first response from `sent`: it is started with None, then sent each one
        while True:
            try:
                request: SentRequest | None = chain.send(answer)
            except BaseException:
                if stream:
                    response.close()
                raise
            if request is None:
                return response
            if stream:  # a redirect followed: read through and closed before the next request
                try:
                    response.read()
                finally:
                    response.close()
            response = answer = self._call(request, stream, overrides)

    def _call(self, request: SentRequest, stream: bool, overrides: dict[str, Any] | None) -> WSGITestResponse:
        environ = environ_for(request, client=self._client, server_protocol=self._protocol)
        if overrides:
            environ.update(overrides)  # last, as werkzeug's environ_overrides and WebTest's extra_environ
        errors = environ["wsgi.errors"]
        try:
            started = start_wsgi(self._called_app, environ)
            code, reason = parse_status(started.status)
            headers = response_headers(started.headers)
        except ProtocolError as error:
            error.add_context(f"request: {request.method} {request.path}")
            raise
        except Exception as exc:
            if self._core.raise_server_exceptions or isinstance(exc, TestkitError):
                raise
            return _server_error(exc, request, errors)
        head = request.method == "HEAD"  # servers read the app's body for HEAD but send none (RFC 9110 9.3.2)
        # What a server holds the body to (validating, the validator raises at any mismatch first).
        declared = None if self._core.validate else body_length_declared(headers._pairs, request.method, code)
        if stream:
            response = WSGITestResponse(code, reason, headers, None, request, errors, None, _closer(started.close, request))
            chunks_out = _streamed(started, request, head, response.close)
            response._chunks = chunks_out if declared is None else cut_chunks(chunks_out, declared)
            response._chunks_close_themselves = True
            return response
        chunks: list[bytes] = []
        try:
            if type(started.result) is list and not started.state.written:
                body = started.read_all()
            else:
                try:
                    for chunk in started.chunks():
                        chunks.append(chunk)
                finally:
                    started.close()
                body = b"".join(chunks)
        except ProtocolError as error:
            error.add_context(f"request: {request.method} {request.path}")
            raise
        except Exception as exc:
            if self._core.raise_server_exceptions or isinstance(exc, TestkitError):
                raise
            response = WSGITestResponse(code, reason, headers, b"".join(chunks), request, errors)
            _keep_exception(response, exc)
            return response
        if declared is not None and len(body) > declared:
            body = body[:declared]  # what waitress and gunicorn send of a body longer than declared (the validator raises)
        return WSGITestResponse(code, reason, headers, b"" if head else body, request, errors)


@contextmanager
def _request_context(request: SentRequest) -> Iterator[None]:
    """Add the request line to a ProtocolError raised inside the block."""
    try:
        yield
    except ProtocolError as error:
        error.add_context(f"request: {request.method} {request.path}")
        raise


def _streamed(started: Any, request: SentRequest, head: bool, close: Callable[[], None]) -> Iterator[bytes]:
    """The streamed body: one generator between the app's iterable and the reader (speed matters here).

    Checks each item as StartedResponse.chunks() does, keeps write() data in
    order, names the request in a ProtocolError, and closes the app's iterable
    at the end of the body or on an error -- not when the reader merely stops.
    """
    written = started.state.written
    try:
        if not head:
            yield from started.first
        if head:
            for chunk in started.rest:
                if type(chunk) is not bytes:
                    _bad_chunk(chunk, "the app's iterable")
        else:
            for chunk in started.rest:  # the hot loop of stream()
                if written:
                    yield from written
                    written.clear()
                if type(chunk) is bytes:
                    if chunk:
                        yield chunk
                else:
                    _bad_chunk(chunk, "the app's iterable")
        if written and not head:
            yield from written
        written.clear()
        if started.finish is not None:
            started.finish()
    except GeneratorExit:
        raise  # abandoned: the stream() block closes the iterable
    except ProtocolError as error:
        error.add_context(f"request: {request.method} {request.path}")
        close()
        raise
    except BaseException:
        close()
        raise
    close()


def _closer(close: Callable[[], None], request: SentRequest) -> Callable[[], None]:
    def close_in_context() -> None:
        with _request_context(request):
            close()

    return close_in_context


def _keep_exception(response: Any, exc: BaseException) -> None:
    response.exception = exc
    import traceback  # here, not at the top: only a kept exception needs it (import cost)

    response.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _server_error(exc: BaseException, request: SentRequest, errors: Any) -> WSGITestResponse:
    """The 500 a server answers when the app raised before sending anything."""
    headers = Headers._from_pairs([("content-type", "text/plain; charset=utf-8"), ("content-length", "21")])
    response = WSGITestResponse(500, "Internal Server Error", headers, b"Internal Server Error", request, errors)
    _keep_exception(response, exc)
    return response
