"""URLs as a client sends them: split, percent-encode, merge queries, resolve redirects.

`Target` is where one request goes (scheme, host, port, root path, path,
query). `parse_base_url()` checks a client's `base_url`; `resolve_target()`
turns what a user passed (a path or an absolute URL, with `?query`,
`#fragment` and `query=`) into a Target. Encoding follows the WHATWG URL
standard's percent-encode sets, i.e. what a browser puts on the wire, with
one named difference: a `'` in a query is sent as is, as curl, requests and
httpx send it (browsers write %27). A query is sent as given: a leading `?`
is part of it (servers given `GET /x??a` hand the app `?a`), and bytes are
the raw query string, sent byte for byte.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, NamedTuple
from urllib.parse import quote, unquote_to_bytes, urlencode, urlsplit

__all__ = [
    "DEFAULT_PORTS",
    "Target",
    "encode_query_value",
    "merge_queries",
    "parse_base_url",
    "path_info_from_raw",
    "resolve_target",
]

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# WHATWG URL: the path percent-encode set (C0 controls, space, " # < > ? ` { } and non-ASCII).
# "#" and "?" are handled by splitting first, so they are not in the class.
# Both classes are written as "anything but the printable ASCII left alone": the same sets as
# [\x00-\x20"<>`{}\x7f-\U0010ffff], but a range up to U+10FFFF takes ~3 ms to compile at import.
_PATH_UNSAFE = re.compile(r"[^!#-;=?-_a-z|~]")
# The WHATWG query percent-encode set: C0 controls, space, " # < > and non-ASCII. Not the
# special-query set, which adds ': curl, requests and httpx send ' as is and every server hands it
# to the app unchanged; only browsers write %27, and an app reading the raw query would see that.
_QUERY_UNSAFE = re.compile(r"[^!$-;=?-~]")


def _percent_encode(match: re.Match[str]) -> str:
    return quote(match.group(0), safe="")


def encode_path(path: str) -> str:
    """Percent-encode what a browser would in a path; existing %XX escapes are kept."""
    return _PATH_UNSAFE.sub(_percent_encode, path) if _PATH_UNSAFE.search(path) else path


def encode_query_value(query: str) -> str:
    """Percent-encode a query string as HTTP clients do; keeps ' & = + ? and %XX."""
    return _QUERY_UNSAFE.sub(_percent_encode, query) if _QUERY_UNSAFE.search(query) else query


class Target(NamedTuple):
    """Where one request goes. `path` is percent-encoded and includes `root_path`."""

    scheme: str
    host: str
    port: int
    root_path: str
    path: str
    query: str

    @property
    def authority(self) -> str:
        """`host[:port]`, without the scheme's default port (what goes in `Host`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host  # RFC 3986 3.2.2: IPv6 in brackets
        if DEFAULT_PORTS.get(self.scheme) == self.port:
            return host
        return f"{host}:{self.port}"

    @property
    def target(self) -> str:
        """The request target as on the request line: path plus `?query`."""
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.authority}{self.target}"

    @property
    def path_below_root(self) -> str:
        """The encoded path with `root_path` removed (what becomes PATH_INFO)."""
        root = self.root_path
        if root and (self.path == root or self.path.startswith(root + "/")):
            return self.path[len(root):]
        return self.path


def parse_base_url(base_url: Any, schemes: tuple[str, ...] = ("http", "https")) -> Target:
    """Check a client's `base_url` and return it as a Target whose path is the root path."""
    if not isinstance(base_url, str):
        raise TypeError(f"base_url= must be a str like 'http://testserver', not {type(base_url).__name__}: {base_url!r}")
    parts = urlsplit(base_url)
    if parts.scheme not in schemes or not parts.hostname:
        wanted = " or ".join(f"'{s}://host[:port][/root]'" for s in schemes)
        raise ValueError(f"base_url= must look like {wanted}, not {base_url!r}")
    if parts.query or parts.fragment or base_url.endswith(("?", "#")):
        raise ValueError(f"base_url= must not have a query or fragment: {base_url!r} (pass query= per request)")
    try:
        port = parts.port if parts.port is not None else DEFAULT_PORTS[parts.scheme]  # an explicit :0 is kept
    except ValueError:
        raise ValueError(f"base_url= has an invalid port: {base_url!r}") from None
    root = encode_path(parts.path.rstrip("/"))
    return Target(parts.scheme, parts.hostname, port, root, root or "/", "")


def query_from(query: Any, argument: str = "query") -> str:
    """Encode `query=` given as str, bytes, a mapping (list values repeat) or pairs.

    A str is sent as given, percent-encoded where a client would, a leading
    `?` included; bytes are the raw query string, kept byte for byte (as
    latin-1 'bytes as str'); a mapping or pairs are form-encoded, as
    `params=` of requests and httpx are (space as `+`, `'` as `%27`).
    """
    if query is None:
        return ""
    if isinstance(query, str):
        return encode_query_value(query)
    if isinstance(query, (bytes, bytearray)):
        return query.decode("latin-1")
    if isinstance(query, Mapping):
        pairs: list[tuple[Any, Any]] = []
        for key, value in query.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            pairs.extend((key, _query_scalar(key, v, argument)) for v in values)
        return urlencode(pairs)
    if isinstance(query, (list, tuple)):
        pairs = []
        for item in query:
            if not isinstance(item, (list, tuple)) or len(item) != 2:
                raise TypeError(f"{argument}= pairs must be (key, value) tuples, not {item!r}")
            pairs.append((item[0], _query_scalar(item[0], item[1], argument)))
        return urlencode(pairs)
    raise TypeError(f"{argument}= must be str, bytes, a mapping or a sequence of pairs, not {type(query).__name__}")


def merge_queries(query_string: Any, query: Any) -> bytes:
    """A seed-style `query_string=` (str or bytes) merged with `query=`, as raw bytes ready to send."""
    text = query_from(query_string, "query_string")
    extra = query_from(query)
    return (f"{text}&{extra}" if text and extra else text or extra).encode("latin-1")


def _query_scalar(key: Any, value: Any, argument: str) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, bytes, int, float)):
        return value
    raise TypeError(f"{argument}= value for {key!r} must be str, bytes, int or float (or a list of them), not {type(value).__name__}")


# Targets already resolved for a request without query=, by (base, path): a test suite sends the
# same few paths again and again, resolving depends on nothing else, and a Target is immutable. Bounded.
_RESOLVED: dict[tuple[Target, str], Target] = {}


def resolve_target(base: Target, path: Any, query: Any = None) -> Target:
    """Turn a request's `path` (relative to `base`, or an absolute URL) and `query=` into a Target.

    A relative path is appended to the base's root path; an absolute URL keeps
    its own scheme, host and port, and the root path applies only when the URL
    is on the base's origin and under its root. A `#fragment` is dropped.
    """
    if query is None and type(path) is str:
        key = (base, path)
        target = _RESOLVED.get(key)
        if target is None:
            target = _resolve(base, path, None)
            if len(_RESOLVED) < 1024:
                _RESOLVED[key] = target
        return target
    return _resolve(base, path, query)


def _resolve(base: Target, path: Any, query: Any) -> Target:
    if not isinstance(path, str):
        raise TypeError(f"path must be a str such as '/items?page=2', not {type(path).__name__}: {path!r}")
    path = path.partition("#")[0]
    if path.startswith(("http://", "https://", "ws://", "wss://")):
        parts = urlsplit(path)
        if not parts.hostname:
            raise ValueError(f"path {path!r} is an absolute URL without a host")
        scheme = parts.scheme
        port = parts.port if parts.port is not None else DEFAULT_PORTS[scheme]
        same_origin = (parts.hostname, port) == (base.host, base.port) and scheme in _same_family(base.scheme)
        root = base.root_path if same_origin else ""
        raw_path, path_query = parts.path or "/", parts.query
        host = parts.hostname
    else:
        scheme, host, port, root = base.scheme, base.host, base.port, base.root_path
        raw_path, _, path_query = path.partition("?")
        if not raw_path.startswith("/"):
            raw_path = "/" + raw_path
        raw_path = root + raw_path
    encoded = encode_path(raw_path)
    query_text = encode_query_value(path_query) if path_query else ""
    extra = query_from(query)
    if extra:
        query_text = f"{query_text}&{extra}" if query_text else extra
    if root and not (encoded == root or encoded.startswith(root + "/")):
        root = ""
    return Target(scheme, host, port, root, encoded, query_text)


def _same_family(scheme: str) -> tuple[str, ...]:
    return ("http", "ws") if scheme in ("http", "ws") else ("https", "wss")


def path_info_from_raw(encoded_path: str) -> str:
    """Percent-decode a path to bytes and return them as latin-1 'bytes as str' (PEP 3333)."""
    if "%" not in encoded_path:
        return encoded_path
    return unquote_to_bytes(encoded_path).decode("latin-1")
