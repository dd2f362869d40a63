"""Build ASGI scopes the way uvicorn hands them to an app: HTTP, WebSocket and lifespan.

`make_scope()` is the public builder; `scope_for()` turns a SentRequest into
an HTTP scope for the client. `path` includes `root_path` (ASGI 2.x and
uvicorn >= 0.26), `raw_path` is the encoded path as sent, header names are
lower-cased bytes with `host` first.
"""

from __future__ import annotations

from typing import Any

from ._client_core import check_overrides
from ._headers import normalize_header_input
from ._request import DEFAULT_CLIENT, SentRequest, build_request, check_client
from ._urls import DEFAULT_PORTS, merge_queries, parse_base_url, path_info_from_raw

__all__ = ["ASGI_VERSIONS", "EXTENSIONS", "lifespan_scope", "make_scope", "make_websocket_scope", "scope_for"]

#: what uvicorn sends per scope type (SPEC section 5)
ASGI_VERSIONS = {
    "http": {"version": "3.0", "spec_version": "2.3"},
    "websocket": {"version": "3.0", "spec_version": "2.4"},
    "lifespan": {"version": "3.0", "spec_version": "2.0"},
}
#: the HTTP extensions the kit implements, advertised in every HTTP scope
EXTENSIONS = ("http.response.trailers", "http.response.pathsend")


def _decoded_path(encoded: str) -> str:
    """ASGI `path`: percent-decoded and UTF-8 decoded (invalid bytes kept as surrogates would break; use latin-1 fallback)."""
    if "%" not in encoded:
        return encoded
    raw = path_info_from_raw(encoded).encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


# Header pairs repeat across requests (host, handshake, defaults): encode each once. Bounded.
_ENCODED: dict[tuple[str, str], tuple[bytes, bytes]] = {}


def _encode_header(pair: tuple[str, str]) -> tuple[bytes, bytes]:
    """ASGI form of one header: lower-cased name, value without surrounding whitespace, both bytes."""
    name, value = pair
    encoded = (name.lower().encode("latin-1"), value.strip(" \t").encode("latin-1"))
    if len(_ENCODED) < 1024:
        _ENCODED[pair] = encoded
    return encoded


def scope_for(
    request: SentRequest,
    *,
    scope_type: str = "http",
    client: Any = DEFAULT_CLIENT,
    http_version: str = "1.1",
    state: dict[str, Any] | None = None,
    subprotocols: Any = (),
) -> dict[str, Any]:
    """The scope a server builds for `request` (as uvicorn fills it)."""
    target = request.target
    scope: dict[str, Any] = {
        "type": scope_type,
        "asgi": ASGI_VERSIONS[scope_type].copy(),
        "http_version": http_version,
        "server": (target.host, target.port),
        "client": client,
        "scheme": target.scheme,
    }
    if scope_type == "http":
        scope["method"] = request.method
    scope["root_path"] = path_info_from_raw(target.root_path) if target.root_path else ""
    scope["path"] = _decoded_path(target.path)
    scope["raw_path"] = target.path.encode("latin-1")  # percent-encoded by _urls, so ASCII
    scope["query_string"] = target.query.encode("latin-1")
    # Servers strip the optional whitespace around a field value (RFC 9112 5), as uvicorn-h11 does.
    headers = scope["headers"] = []
    for pair in request.headers._pairs:  # a loop: before 3.12 a comprehension is a call of its own
        headers.append(_ENCODED.get(pair) or _encode_header(pair))
    if scope_type == "websocket":
        scope["subprotocols"] = list(subprotocols)
        scope["extensions"] = {"websocket.http.response": {}}
    else:
        scope["extensions"] = {"http.response.trailers": {}, "http.response.pathsend": {}}  # EXTENSIONS, each its own dict
    if state is not None:
        scope["state"] = state
    return scope


def lifespan_scope(state: dict[str, Any] | None = None) -> dict[str, Any]:
    """The lifespan scope: type, asgi versions and the `state` dict the app may fill."""
    return {"type": "lifespan", "asgi": dict(ASGI_VERSIONS["lifespan"]), "state": {} if state is None else state}


_MAKE_SCOPE_OPTIONS = ("base_url", "root_path", "scheme", "client", "http_version", "state", "query", "cookies", "subprotocols", "scope_overrides")


def make_scope(
    method: str = "GET",
    path: str = "/",
    query_string: bytes = b"",
    headers: Any = None,
    scope_type: str = "http",
    **more: Any,
) -> dict[str, Any]:
    """Build one ASGI scope exactly as uvicorn would hand it to an app.

    `scope_type` is 'http', 'websocket' or 'lifespan'. Also accepted by
    keyword: `base_url` (its path becomes `root_path`), `root_path`, `scheme`,
    `client`, `http_version`, `state`, `query`, `cookies`, `subprotocols`, and
    `scope_overrides` (merged last, as make_environ's `environ_overrides`).
    """
    if "subprotocols" in more and scope_type == "http":
        raise TypeError("make_scope() got subprotocols= for an 'http' scope; use make_websocket_scope()")
    unknown = sorted(set(more) - set(_MAKE_SCOPE_OPTIONS))
    if unknown:
        raise TypeError(f"make_scope() got an unexpected keyword argument {unknown[0]!r} (accepted: {', '.join(_MAKE_SCOPE_OPTIONS)})")
    if scope_type == "lifespan":
        return lifespan_scope(more.get("state"))
    if scope_type not in ("http", "websocket"):
        raise ValueError(f"scope_type= must be 'http', 'websocket' or 'lifespan', not {scope_type!r}")
    schemes = ("http", "https") if scope_type == "http" else ("ws", "wss", "http", "https")
    base = parse_base_url(more.get("base_url", "http://testserver" if scope_type == "http" else "ws://testserver"), schemes)
    if scope_type == "websocket" and base.scheme in ("http", "https"):
        base = base._replace(scheme="ws" if base.scheme == "http" else "wss")
    base = _apply_root_and_scheme(base, more, scope_type)
    if not isinstance(query_string, (bytes, str)):
        raise TypeError(f"query_string= must be bytes, not {type(query_string).__name__}")
    query = more.get("query")
    if query_string:
        query = merge_queries(query_string, query)
    header_pairs = normalize_header_input(headers)
    overrides = check_overrides(more.get("scope_overrides"), "scope_overrides")
    request = build_request(method if scope_type == "http" else "GET", path, base, query=query, headers=header_pairs, cookies=more.get("cookies"), body_known=False)
    scope = scope_for(
        request,
        scope_type=scope_type,
        client=check_client(more.get("client", DEFAULT_CLIENT)),
        http_version=check_http_version(more.get("http_version", "1.1")),
        state=more.get("state"),
        subprotocols=more.get("subprotocols") or (),
    )
    if overrides:
        scope.update(overrides)
    return scope


def make_websocket_scope(
    path: str = "/",
    query_string: bytes = b"",
    headers: Any = None,
    subprotocols: Any = None,
    **more: Any,
) -> dict[str, Any]:
    """Build one ASGI WebSocket scope exactly as uvicorn would hand it to an app.

    Like make_scope: `path` may carry `?query` or be a ws:// / wss:// URL;
    `base_url` (its path becomes root_path), `root_path`, `scheme` ('ws' or
    'wss'), `client`, `http_version`, `state`, `query`, `cookies` by keyword.
    The handshake headers a browser sends (upgrade, connection,
    sec-websocket-key/version, sec-websocket-protocol) are included.
    """
    unknown = sorted(set(more) - set(_MAKE_SCOPE_OPTIONS))
    if unknown:  # named here, not by make_scope (which would also take method= and scope_type=)
        raise TypeError(f"make_websocket_scope() got an unexpected keyword argument {unknown[0]!r} (accepted: {', '.join(_MAKE_SCOPE_OPTIONS)})")
    return make_scope("GET", path, query_string, _handshake_headers(headers, subprotocols), "websocket", subprotocols=list(subprotocols or ()), **more)


def handshake_defaults(subprotocols: Any) -> list[tuple[str, str]]:
    """The opening-handshake headers of RFC 6455 4.1 a browser sends (the user's headers may replace them)."""
    if subprotocols is None or (type(subprotocols) in (list, tuple) and not subprotocols):
        return _HANDSHAKE  # shared and never mutated: callers copy
    if isinstance(subprotocols, (str, bytes)) or not all(isinstance(p, str) for p in subprotocols):
        raise TypeError(f"subprotocols= must be a list of str such as ['chat'], not {subprotocols!r}")
    pairs = list(_HANDSHAKE)
    if subprotocols:
        pairs.append(("sec-websocket-protocol", ", ".join(subprotocols)))
    return pairs


def _handshake_headers(headers: Any, subprotocols: Any) -> list[tuple[str, str]]:
    """The user's headers after the opening-handshake headers they do not replace."""
    defaults = handshake_defaults(subprotocols)
    given = normalize_header_input(headers)
    names = {k.lower() for k, _ in given}
    return [(k, v) for k, v in defaults if k not in names] + given


_HANDSHAKE = [
    ("upgrade", "websocket"),
    ("connection", "Upgrade"),
    ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),  # RFC 6455's own example nonce
    ("sec-websocket-version", "13"),
]


def _apply_root_and_scheme(base: Any, more: dict[str, Any], scope_type: str) -> Any:
    scheme = more.get("scheme")
    if scheme is not None:
        allowed = ("http", "https") if scope_type == "http" else ("ws", "wss")
        if scheme not in allowed:
            raise ValueError(f"scheme= must be {' or '.join(map(repr, allowed))}, not {scheme!r}")
        port = DEFAULT_PORTS[scheme] if base.port == DEFAULT_PORTS[base.scheme] else base.port
        base = base._replace(scheme=scheme, port=port)
    root_path = more.get("root_path")
    if root_path is not None:
        base = with_root_path(base, root_path)
    return base


def with_root_path(base: Any, root_path: Any) -> Any:
    """`base` with its root path replaced (the ASGI `root_path=` option)."""
    from ._urls import encode_path

    if not isinstance(root_path, str) or (root_path and not root_path.startswith("/")):
        raise ValueError(f"root_path= must be '' or a path starting with '/', not {root_path!r}")
    root = encode_path(root_path.rstrip("/"))
    return base._replace(root_path=root, path=root or "/")




def check_http_version(version: Any) -> str:
    if version not in ("1.0", "1.1", "2"):
        raise ValueError(f"http_version= must be '1.0', '1.1' or '2', not {version!r}")
    return str(version)
