"""A small browser-like cookie jar (RFC 6265): domain and path matching, expiry, Secure.

`CookieJar.extract()` stores what a response set and returns it as a dict;
`CookieJar.header_for()` builds the `Cookie` header for the next request.
Parsing is as forgiving as a browser's (RFC 6265 5.2): a Set-Cookie without a
`name=value` pair, or with an empty name, is ignored, never an error; an
attribute that does not parse is ignored on its own. The header itself stays
on the response, where `assertCookie`'s failure message shows it. A `Secure`
cookie that arrives over http:// is not stored, as current browsers do, when
`extract()` is told the request's scheme.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Iterator

__all__ = ["SECURE_SCHEMES", "Cookie", "CookieJar", "parse_set_cookie"]

#: the schemes a Secure cookie is sent over and may be set from (http.cookiejar's secure_protocols)
SECURE_SCHEMES = ("https", "wss")
_MAX_AGE = re.compile(r"-?[0-9]+")  # RFC 6265 5.2.2: an optional "-" then DIGITs, nothing else


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
        if self.secure and scheme not in SECURE_SCHEMES:
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
    """The Expires date as a timestamp; None when it does not parse (RFC 6265 5.2.1: the attribute is ignored)."""
    from email.utils import mktime_tz, parsedate_tz

    parsed = parsedate_tz(value)
    try:
        return float(mktime_tz(parsed)) if parsed else None
    except (ValueError, OverflowError):  # a year or an hour out of range
        return None


def parse_set_cookie(header: str, host: str, path: str, now: float) -> Cookie | None:
    """Parse one Set-Cookie value; None when RFC 6265 5.2 and 5.3 say a browser ignores it.

    That is a header with no '=' in its name-value pair, an empty name, or a
    Domain the request host does not domain-match.
    """
    pair, *attributes = header.split(";")
    name, sep, value = pair.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        return None
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
            if _MAX_AGE.fullmatch(arg):  # RFC 6265 5.2.2: a malformed Max-Age is ignored
                max_age = int(arg)
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
        cookie.expires = (now + min(max_age, 10**12)) if max_age > 0 else 0.0  # ~31,000 years: stays a float
    return cookie


class CookieJar:
    """The cookies a client keeps between requests; reads like a dict of name -> value."""

    def __init__(self, default_domain: str = "testserver") -> None:
        self._cookies: dict[tuple[str, str, str], Cookie] = {}
        #: the host a cookie put in by `set()` without a domain is sent to: the client's base_url host
        self.default_domain = default_domain.lower()

    def extract(self, set_cookie_headers: list[str], host: str, path: str, store: bool = True, scheme: str | None = None) -> dict[str, str]:
        """Parse a response's Set-Cookie values; store them (unless `store` is False) and return name -> value.

        A header a browser ignores (RFC 6265 5.2, 5.3) is left out of both.
        `scheme` is the request's: a Secure cookie set over another scheme than
        https or wss is returned but not stored, as current browsers do (None:
        the scheme is unknown, and the cookie is stored).
        """
        if not set_cookie_headers:
            return {}
        now = time.time()
        seen: dict[str, str] = {}
        for header in set_cookie_headers:
            cookie = parse_set_cookie(header, host, path, now)
            if cookie is None:
                continue
            seen[cookie.name] = cookie.value
            if not store or (cookie.secure and scheme is not None and scheme not in SECURE_SCHEMES):
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

    def set(self, name: str, value: str, domain: str | None = None, path: str = "/") -> None:
        """Store a cookie by hand for `path`: for the client's base_url host alone, or for `domain` and its subdomains.

        A `domain` given is a Domain attribute, as browsers, http.cookiejar and httpx read it
        (a leading dot is ignored); without it the cookie is host-only.
        """
        if domain is None:
            self._cookies[(self.default_domain, path, name)] = Cookie(name, value, self.default_domain, path=path)
            return
        domain = domain.lower().lstrip(".")
        self._cookies[(domain, path, name)] = Cookie(name, value, domain, host_only=False, path=path)

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

    def __setitem__(self, name: str, value: str) -> None:
        """`jar[name] = value`: set(name, value) for the client's base_url host and path '/'."""
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"a cookie's name and value must be str, not {type(name).__name__} {name!r} and {type(value).__name__} {value!r}")
        self.set(name, value)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(f"no cookie {name!r} in the jar (it holds: {', '.join(self) or 'none'})")
        self.delete(name)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def items(self) -> list[tuple[str, str]]:
        """(name, value) of each stored cookie (a name set for two domains or paths appears twice)."""
        return [(c.name, c.value) for c in self.cookies()]

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.cookies())

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(c.name for c in self.cookies()))

    def __len__(self) -> int:
        return len(dict.fromkeys(c.name for c in self.cookies()))  # agrees with iter(): distinct names

    def __repr__(self) -> str:
        return f"<CookieJar {', '.join(f'{c.name}={c.value!r} ({c.domain}{c.path})' for c in self.cookies())}>"
