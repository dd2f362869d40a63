"""Middleware helpers (SPEC section 7): compose(), terminal apps to wrap, and recorders that show what changed.

`compose(app, *middleware)` stacks middleware around an app, the first item
outermost, and returns exactly what the outermost middleware built: nothing
is added per request. `fixed_response_app()` and `echo_app()` are terminal
apps to put under a middleware (the echo app answers with the request it saw,
as JSON). The recorders that wrap an inner app and keep what it saw live in
_recorders.

Everything here works for WSGI and ASGI alike and imports no asyncio: the
ASGI apps and the ASGI recorder only await the callables they are given.
Nothing here imports a client; run the pieces with WSGITestClient or
ASGITestClient (validation on), or with call_wsgi / call_asgi.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

from ._headers import normalize_header_input

__all__ = ["compose", "echo_app", "fixed_response_app"]

_INTERFACES = ("wsgi", "asgi")
# Statuses that must not carry Content-Length (RFC 9110 8.6: 1xx and 204; a 304's would describe another body).
_NO_CONTENT_LENGTH = frozenset({204, 304})


def _name_of(obj: Any) -> str:
    return getattr(obj, "__qualname__", None) or getattr(type(obj), "__qualname__", None) or repr(obj)


# -- compose -----------------------------------------------------------------------------------


def _factory_of(item: Any, position: int) -> tuple[Callable[..., Any], Mapping[str, Any]]:
    """Split one compose() item into (factory, kwargs), or raise TypeError naming its position."""
    if isinstance(item, (tuple, list)):
        if len(item) == 2 and callable(item[0]):
            factory, kwargs = item
            if not isinstance(kwargs, Mapping):
                raise TypeError(f"compose() middleware #{position} is a (factory, kwargs) pair whose kwargs must be a mapping of keyword arguments, not {type(kwargs).__name__}: {kwargs!r:.80}")
            bad = [key for key in kwargs if not isinstance(key, str)]
            if bad:
                raise TypeError(f"compose() middleware #{position} kwargs must have str keys, not {bad[0]!r}")
            return factory, kwargs
    elif callable(item):
        return item, {}
    raise TypeError(f"compose() middleware #{position} must be a callable or a (factory, kwargs) pair, not {item!r:.80}")


def compose(app: Callable[..., Any], *middleware: Any) -> Callable[..., Any]:
    """Wrap `app` in `middleware`, the first item outermost, and return the outermost app.

    Each item is a callable taking an app and returning an app (a middleware
    class works) or a `(factory, kwargs)` pair, called as `factory(app, **kwargs)`.
    Works for WSGI and ASGI alike. `compose(app)` returns `app` itself, and
    the result is what the outermost factory returned, so composing costs
    nothing per request. Every item is checked before any factory is called.

    Raises:
        TypeError: `app` is not callable, an item is neither a callable nor a
            `(factory, kwargs)` pair, or a factory returned None or a non-callable.
    """
    if not callable(app):
        raise TypeError(f"compose() app must be a WSGI or ASGI callable, not {type(app).__name__}: {app!r:.80}")
    factories = [_factory_of(item, position) for position, item in enumerate(middleware, 1)]
    wrapped = app
    for position in range(len(factories), 0, -1):  # the last item wraps the app first: the first ends outermost
        factory, kwargs = factories[position - 1]
        result = factory(wrapped, **kwargs)
        if result is None or not callable(result):
            what = "None" if result is None else f"a non-callable {type(result).__name__}: {result!r:.80}"
            raise TypeError(f"compose() middleware #{position} ({_name_of(factory)}) returned {what}; a middleware must return the wrapped app")
        wrapped = result
    return wrapped


# -- terminal apps ---------------------------------------------------------------------------


def _check_interface(interface: Any, function: str) -> str:
    if interface not in _INTERFACES:
        raise ValueError(f"{function}() interface= must be 'wsgi' or 'asgi', not {interface!r}")
    return str(interface)


def _status_of(status: Any) -> tuple[int, str]:
    """An int or '404 Not Found' as (code, WSGI status line)."""
    from http import HTTPStatus

    if isinstance(status, str):
        head = status[:3]
        if len(status) >= 4 and head.isdigit() and status[3] == " " and int(head) >= 100:
            return int(head), status
        raise ValueError(f"fixed_response_app() status must be an int such as 200 or a status line such as '200 OK', not {status!r}")
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"fixed_response_app() status must be an int such as 200 or a str such as '200 OK', not {type(status).__name__}: {status!r}")
    if not 100 <= status <= 999:
        raise ValueError(f"fixed_response_app() status must be a 3-digit HTTP status code, not {status!r}")
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        return status, f"{status} "  # no standard reason phrase: an empty one (the space stays, RFC 9112 4)
    return status, f"{status} {reason}"


def _body_of(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"fixed_response_app() body must be bytes or str, not {type(body).__name__}: {body!r:.80}")


async def _drain(receive: Callable[..., Any]) -> list[bytes]:
    """Receive the whole request body (or up to a disconnect); return its chunks."""
    chunks = []
    while True:
        message = await receive()
        kind = message.get("type")
        if kind == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return chunks
        elif kind == "http.disconnect":
            return chunks


async def _non_http(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any], name: str) -> None:
    """What a terminal ASGI app does outside HTTP: lifespan succeeds, a WebSocket is refused."""
    kind = scope.get("type")
    if kind == "lifespan":
        while True:
            message = await receive()
            if message.get("type") == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message.get("type") == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif kind == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1000, "reason": ""})  # before accept: the server answers 403
    else:
        raise ValueError(f"{name} does not handle ASGI scope type {kind!r} (only 'http', 'websocket' and 'lifespan')")


def fixed_response_app(status: Any = 200, body: Any = b"", headers: Any = None, *, interface: str = "asgi") -> Callable[..., Any]:
    """Return a WSGI or ASGI app that answers every request with this fixed response.

    `status` is an int (or a status line such as '418 I'm a teapot'), `body`
    bytes or str (UTF-8; then `content-type: text/plain; charset=utf-8` unless
    given), `headers` a mapping or (name, value) pairs sent in order, plus a
    `content-length` unless given (or the status is 1xx, 204 or 304). Each
    call gets fresh header lists, so a middleware may edit them in place. The
    ASGI app drains the request body first; on a lifespan scope it completes
    startup and shutdown, and it refuses a WebSocket (close before accept,
    which a server answers with 403). The WSGI app does not read wsgi.input.
    """
    _check_interface(interface, "fixed_response_app")
    code, status_line = _status_of(status)
    text = isinstance(body, str)
    payload = _body_of(body)
    pairs = normalize_header_input(headers, "headers")
    names = {name.lower() for name, _ in pairs}
    if text and "content-type" not in names:
        pairs.append(("content-type", "text/plain; charset=utf-8"))
    if "content-length" not in names and code >= 200 and code not in _NO_CONTENT_LENGTH:
        pairs.append(("content-length", str(len(payload))))
    label = f"fixed_response_app({code}, interface={interface!r})"

    if interface == "wsgi":
        wsgi_headers = [(name, value) for name, value in pairs]

        def fixed_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            start_response(status_line, list(wsgi_headers))
            return [payload]

        fixed_wsgi.__name__ = fixed_wsgi.__qualname__ = label
        return fixed_wsgi

    asgi_headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs]

    async def fixed_asgi(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope.get("type") != "http":
            return await _non_http(scope, receive, send, label)
        await _drain(receive)
        await send({"type": "http.response.start", "status": code, "headers": list(asgi_headers)})
        await send({"type": "http.response.body", "body": payload})

    fixed_asgi.__name__ = fixed_asgi.__qualname__ = label
    return fixed_asgi


def _json_response(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _text(data: bytes) -> str:
    """Body bytes as text: UTF-8, with any invalid byte shown as an escape such as \\xff."""
    return data.decode("utf-8", "backslashreplace")


def _read_wsgi_body(environ: dict[str, Any]) -> bytes:
    """The request body as PEP 3333 lets an app read it: CONTENT_LENGTH bytes, or to EOF when the input is terminated."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH", "")
    if length and length.isdigit():
        return bytes(stream.read(int(length)))
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read())
    return b""


def _wsgi_request_headers(environ: dict[str, Any]) -> list[list[str]]:
    """The request headers a WSGI environ carries, as [lower-case name, value] in environ order."""
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append([key[5:].replace("_", "-").lower(), value])
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers.append([key.replace("_", "-").lower(), value])
    return headers


def echo_app(*, interface: str = "asgi") -> Callable[..., Any]:
    """Return a WSGI or ASGI app that answers 200 application/json describing the request it saw.

    WSGI keys: method, script_name, path_info, query_string, headers (from the
    HTTP_* keys plus CONTENT_TYPE / CONTENT_LENGTH, as [name, value] with the
    name lower-cased and '_' as '-'), body, url_scheme, remote_addr. ASGI keys:
    type, method, root_path, path, raw_path, query_string, headers ([name,
    value] decoded latin-1, order kept), body, scheme, client, http_version.
    Bodies are UTF-8 text, an invalid byte escaped as \\xNN. The ASGI app
    completes lifespan and refuses WebSockets, as fixed_response_app's does.
    """
    _check_interface(interface, "echo_app")

    if interface == "wsgi":

        def echo_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            body = _read_wsgi_body(environ)
            data = {
                "method": environ.get("REQUEST_METHOD"),
                "script_name": environ.get("SCRIPT_NAME", ""),
                "path_info": environ.get("PATH_INFO", ""),
                "query_string": environ.get("QUERY_STRING", ""),
                "headers": _wsgi_request_headers(environ),
                "body": _text(body),
                "url_scheme": environ.get("wsgi.url_scheme"),
                "remote_addr": environ.get("REMOTE_ADDR"),
            }
            payload = _json_response(data)
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]

        echo_wsgi.__name__ = echo_wsgi.__qualname__ = "echo_app(interface='wsgi')"
        return echo_wsgi

    async def echo_asgi(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope.get("type") != "http":
            return await _non_http(scope, receive, send, "echo_app(interface='asgi')")
        body = b"".join(await _drain(receive))
        raw_path = scope.get("raw_path")
        client = scope.get("client")
        data = {
            "type": scope["type"],
            "method": scope.get("method"),
            "root_path": scope.get("root_path", ""),
            "path": scope.get("path"),
            "raw_path": raw_path.decode("latin-1") if isinstance(raw_path, bytes) else None,
            "query_string": scope.get("query_string", b"").decode("latin-1"),
            "headers": [[bytes(name).decode("latin-1"), bytes(value).decode("latin-1")] for name, value in scope.get("headers", ())],
            "body": _text(body),
            "scheme": scope.get("scheme", "http"),
            "client": list(client) if client is not None else None,
            "http_version": scope.get("http_version", "1.1"),
        }
        payload = _json_response(data)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode("latin-1"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    echo_asgi.__name__ = echo_asgi.__qualname__ = "echo_app(interface='asgi')"
    return echo_asgi
