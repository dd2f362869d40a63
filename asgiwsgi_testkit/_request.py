"""What one request is: `SentRequest`, and `build_request()` that makes it from client arguments.

Both clients and both builders (make_environ, make_scope) go through
`build_request()`, so a path, a query, headers and a body mean the same thing
everywhere. Cookies are passed in as a ready `Cookie` value: the jar lives in
_cookies and the client decides which jar applies.
"""

from __future__ import annotations

import re
from typing import Any

from ._content import UNSET, encode_body
from ._headers import Headers, check_header_field, normalize_header_input
from ._urls import Target, resolve_target

__all__ = ["DEFAULT_CLIENT", "SentRequest", "build_request", "check_client", "check_method"]

_METHOD = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_COMMON_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_NO_NAMES: frozenset[str] = frozenset()


class SentRequest:
    """What the kit sent: `method`, `url` (absolute), `headers`, `body` (None when streamed).

    `target` keeps the parsed URL pieces; `content` is the body as given (bytes
    or the user's iterable).
    """

    __slots__ = ("method", "target", "headers", "content")

    def __init__(self, method: str, target: Target, headers: Headers, content: Any) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.content = content

    @property
    def url(self) -> str:
        return self.target.url

    @property
    def path(self) -> str:
        """Path and query as on the request line, e.g. '/tasks?page=2'."""
        return self.target.target

    @property
    def body(self) -> bytes | None:
        return self.content if isinstance(self.content, bytes) else None

    @property
    def streamed(self) -> bool:
        return not isinstance(self.content, bytes)

    def __repr__(self) -> str:
        return f"<SentRequest {self.method} {self.url}>"


def request_from_parts(method: str, scheme: str, host: str, port: int, root_path: str, path: str, query: str, headers: list[tuple[str, str]]) -> SentRequest:
    """A SentRequest describing an environ or scope built elsewhere (for call_wsgi/call_asgi responses)."""
    from urllib.parse import quote

    encoded_root = quote(root_path, safe="/%") if root_path else ""
    target = Target(scheme, host, port, encoded_root, encoded_root + quote(path, safe="/%;=@:,!$&'()*+"), query)
    return SentRequest(method, target, Headers._from_pairs(headers), None)


#: the client address both protocols report by default (REMOTE_ADDR/REMOTE_PORT, scope["client"])
DEFAULT_CLIENT = ("127.0.0.1", 50000)


def check_client(client: Any) -> tuple[str, int]:
    """A (host, port) client address, or TypeError naming the argument."""
    if not (isinstance(client, (tuple, list)) and len(client) == 2 and isinstance(client[0], str) and isinstance(client[1], int)):
        raise TypeError(f"client= must be a (host, port) pair like ('127.0.0.1', 50000), not {client!r}")
    return (client[0], client[1])


def check_method(method: Any) -> str:
    """Return the method upper-cased, or raise TypeError/ValueError."""
    if method in _COMMON_METHODS:  # the verbs' own strings: nothing to check
        return method  # type: ignore[no-any-return]  # one of _COMMON_METHODS' strs
    if not isinstance(method, str):
        raise TypeError(f"method must be a str such as 'GET', not {type(method).__name__}: {method!r}")
    if not _METHOD.match(method):
        raise ValueError(f"method {method!r} is not an HTTP token (RFC 9110 9.1)")
    return method.upper()


def _merge_cookie_header(*parts: str) -> str:
    # Each part without its optional whitespace (RFC 9110 5.5), so ' a=1' + ' b=2' is 'a=1; b=2'.
    return "; ".join(p.strip(" \t") for p in parts if p.strip(" \t"))


def build_request(
    method: Any,
    path: Any,
    base: Target,
    *,
    default_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    query: Any = None,
    headers: Any = None,
    body: Any = None,
    json: Any = UNSET,
    form: Any = None,
    files: Any = None,
    jar: Any = None,
    cookies: Any = None,
    body_known: bool = True,
) -> SentRequest:
    """Build the request a client sends: URL, headers (Host first), body and Cookie.

    `default_headers` are the client's (already checked); `headers=` replaces
    any of them by name. `jar` (a CookieJar or None) supplies the cookies that
    match the URL; `cookies=` adds cookies for this request only.
    `body_known=False` (make_scope, whose body goes to call_asgi later) adds
    no Content-Length for an empty body.
    """
    method = check_method(method)
    target = resolve_target(base, path, query)
    content, content_type = encode_body(body, json, form, files)
    given = normalize_header_input(headers) if headers is not None else ()
    given_names = {k.lower() for k, _ in given} if given else _NO_NAMES
    pairs: list[tuple[str, str]] = []
    if "host" not in given_names:
        pairs.append(("host", target.authority))
    if default_headers:
        pairs.extend(p for p in default_headers if p[0].lower() not in given_names)
    hand_cookie = ""
    for name, value in given:
        if name.lower() == "cookie":
            hand_cookie = _merge_cookie_header(hand_cookie, value)
        elif name.lower() == "host":
            pairs.insert(0, (name, value))  # Host first, as the docstring and SPEC promise
        else:
            pairs.append((name, value))
    if content_type and "content-type" not in given_names:
        pairs.append(("content-type", content_type))
    if "content-length" not in given_names and "transfer-encoding" not in given_names:
        if isinstance(content, bytes):
            if content or (method in _BODY_METHODS and body_known):
                pairs.append(("content-length", str(len(content))))
        else:
            pairs.append(("transfer-encoding", "chunked"))
    if cookies or hand_cookie:
        cookie_value = _cookie_value(target, jar, cookies, hand_cookie)
    else:  # the common case: the jar's cookies alone (a jar without any answers at once)
        cookie_value = jar.header_for(target.host, target.path, target.scheme) if jar is not None else ""
    if cookie_value:
        pairs.append(("cookie", cookie_value))
    return SentRequest(method, target, Headers._from_pairs(pairs), content)


def _cookie_value(target: Target, jar: Any, cookies: Any, hand_cookie: str) -> str:
    """The one Cookie header: the hand-written one, then the jar's for this URL, with `cookies=` replacing by name."""
    cookie_header = jar.header_for(target.host, target.path, target.scheme) if jar is not None else ""
    if cookies:
        from ._headers import _pairs_of

        extra = "; ".join(f"{k}={v}" for k, v in _pairs_of(cookies, "cookies"))
        check_header_field("cookie", extra, "cookies")  # no CR/LF smuggled in through cookies=
        cookie_header = _merge_cookie_header(_override_cookies(cookie_header, cookies), extra)
    if hand_cookie and cookie_header:
        return _merge_cookie_header(hand_cookie, cookie_header)
    return hand_cookie or cookie_header


def _override_cookies(jar_header: str, cookies: Any) -> str:
    """Drop the jar's cookies that `cookies=` replaces for this request."""
    if not jar_header:
        return ""
    names = {str(k) for k in (cookies.keys() if hasattr(cookies, "keys") else (k for k, _ in cookies))}
    kept = [c for c in jar_header.split("; ") if c.partition("=")[0] not in names]
    return "; ".join(kept)
