"""A small browser-like cookie jar (RFC 6265): domain and path matching, expiry, Secure.

`CookieJar.extract()` stores what a response set and returns it as a dict;
`CookieJar.header_for()` builds the `Cookie` header for the next request.
Parsing is strict where the RFC lets a browser be silent: a Set-Cookie without
a `name=value` pair is the app's bug and raises ProtocolError.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator

from ._errors import ProtocolError

__all__ = ["Cookie", "CookieJar", "parse_set_cookie"]


@dataclass
class Cookie:
    """One stored cookie."""

    name: str
    value: str
    #: the domain it is sent to (lower case, no leading dot)
    domain: str
    #: True when no Domain attribute was given: sent to exactly that host only
    host_only: bool = True
    path: str = "/"
    #: absolute expiry time (time.time() scale), None for a session cookie
    expires: float | None = None
    secure: bool = False
    http_only: bool = False
    same_site: str = ""
    #: the value came in double quotes; they go back on the wire, as a browser sends them (RFC 6265 5.2)
    quoted: bool = False

    def matches(self, host: str, path: str, scheme: str, now: float) -> bool:
        """Whether this cookie goes with a request to `scheme://host/path`."""
        if self.expires is not None and self.expires <= now:
            return False
        if self.secure and scheme not in ("https", "wss"):
            return False
        if not domain_matches(host, self.domain, self.host_only):
            return False
        return path_matches(path, self.path)


def domain_matches(host: str, domain: str, host_only: bool) -> bool:
    """RFC 6265 5.1.3, with a host-only cookie matching its host exactly."""
    host = host.lower()
    if host == domain:
        return True
    return not host_only and host.endswith("." + domain)


def path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 5.1.4: the cookie path is a prefix ending at a '/' boundary."""
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


def default_path(request_path: str) -> str:
    """RFC 6265 5.1.4: the directory of the request path."""
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path[: request_path.rfind("/")]


def _parse_expires(value: str) -> float | None:
    from email.utils import mktime_tz, parsedate_tz

    parsed = parsedate_tz(value)
    return float(mktime_tz(parsed)) if parsed else None


def parse_set_cookie(header: str, host: str, path: str, now: float) -> Cookie | None:
    """Parse one Set-Cookie value; None when RFC 6265 says a browser ignores it (foreign domain)."""
    pair, *attributes = header.split(";")
    name, sep, value = pair.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        msg = f"Set-Cookie has no name=value pair: {header!r} [http.set-cookie.syntax]"
        raise ProtocolError(msg, rule="http.set-cookie.syntax", value=header, expected="'name=value' first (RFC 6265 4.1.1)")
    quoted = len(value) >= 2 and value[0] == value[-1] == '"'
    if quoted:
        value = value[1:-1]
    cookie = Cookie(name, value, host.lower(), path=default_path(path), quoted=quoted)
    max_age: float | None = None
    for attribute in attributes:
        key, _, arg = attribute.partition("=")
        key, arg = key.strip().lower(), arg.strip()
        if key == "expires":
            expires = _parse_expires(arg)
            if expires is not None:
                cookie.expires = expires
        elif key == "max-age":
            try:
                max_age = int(arg)
            except ValueError:
                continue  # RFC 6265 5.2.2: ignore a malformed Max-Age
        elif key == "domain" and arg:
            domain = arg.lstrip(".").lower()
            if not domain_matches(host, domain, host_only=False):
                return None
            cookie.domain, cookie.host_only = domain, False
        elif key == "path" and arg.startswith("/"):
            cookie.path = arg
        elif key == "secure":
            cookie.secure = True
        elif key == "httponly":
            cookie.http_only = True
        elif key == "samesite":
            cookie.same_site = arg
    if max_age is not None:  # Max-Age wins over Expires (RFC 6265 5.3 step 3)
        cookie.expires = now + max_age if max_age > 0 else 0.0
    return cookie


class CookieJar:
    """The cookies a client keeps between requests; reads like a dict of name -> value."""

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str, str], Cookie] = {}

    def extract(self, set_cookie_headers: list[str], host: str, path: str, store: bool = True) -> dict[str, str]:
        """Parse a response's Set-Cookie values; store them (unless `store` is False) and return name -> value."""
        if not set_cookie_headers:
            return {}
        now = time.time()
        seen: dict[str, str] = {}
        for header in set_cookie_headers:
            cookie = parse_set_cookie(header, host, path, now)
            if cookie is None:
                continue
            seen[cookie.name] = cookie.value
            if not store:
                continue
            key = (cookie.domain, cookie.path, cookie.name)
            if cookie.expires is not None and cookie.expires <= now:
                self._cookies.pop(key, None)
            else:
                self._cookies[key] = cookie
        return seen

    def header_for(self, host: str, path: str, scheme: str) -> str:
        """The `Cookie` header value for a request ('' when no cookie matches)."""
        if not self._cookies:
            return ""
        now = time.time()
        matching = [c for c in self._cookies.values() if c.matches(host, path, scheme, now)]
        matching.sort(key=lambda c: -len(c.path))  # RFC 6265 5.4: longer paths first; sort is stable
        return "; ".join(f'{c.name}="{c.value}"' if c.quoted else f"{c.name}={c.value}" for c in matching)

    def set(self, name: str, value: str, domain: str = "testserver", path: str = "/") -> None:
        """Store a cookie by hand, as if `domain` had set it for `path`."""
        self._cookies[(domain.lower(), path, name)] = Cookie(name, value, domain.lower(), path=path)

    def delete(self, name: str) -> None:
        """Forget every cookie called `name`."""
        for key in [k for k in self._cookies if k[2] == name]:
            del self._cookies[key]

    def clear(self) -> None:
        self._cookies.clear()

    def cookies(self) -> list[Cookie]:
        """Every stored cookie that has not expired."""
        now = time.time()
        return [c for c in self._cookies.values() if c.expires is None or c.expires > now]

    def __getitem__(self, name: str) -> str:
        for cookie in self.cookies():
            if cookie.name == name:
                return cookie.value
        raise KeyError(f"no cookie {name!r} in the jar (it holds: {', '.join(self) or 'none'})")

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.cookies())

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(c.name for c in self.cookies()))

    def __len__(self) -> int:
        return len(dict.fromkeys(c.name for c in self.cookies()))  # agrees with iter(): distinct names

    def __repr__(self) -> str:
        return f"<CookieJar {', '.join(f'{c.name}={c.value!r} ({c.domain}{c.path})' for c in self.cookies())}>"
