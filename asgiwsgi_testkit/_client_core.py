"""What both clients decide without I/O: base URL, default headers, cookies, redirects, their verbs.

A client builds a `ClientCore` from its options, asks it to `build()` each
request and to `receive()` each response (cookies, history bookkeeping); a
redirect chain is `redirect_chain()`, a sans-IO generator the client drives.
`ClientVerbs` gives both clients `request()`, the verbs (from _verbs) and the check of
`stream()`'s arguments. Only the call itself (and whether it is awaited)
differs between WSGI and ASGI, so the two clients cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, Generic, Mapping, NoReturn, TypeVar
from types import MappingProxyType
from urllib.parse import urljoin

from ._content import UNSET
from ._errors import TestkitError
from ._headers import normalize_header_input
from ._request import SentRequest, build_request
from ._types import BodyInput, CookiesInput, FilesInput, FormInput, HeadersInput, Overrides, QueryInput  # (for get_type_hints too)
from ._urls import merge_queries, parse_base_url
from ._verbs import unknown_keyword, verb

__all__ = ["MAX_REDIRECTS", "REQUEST_ARGUMENTS", "ClientCore", "ClientSettings", "ClientVerbs", "RedirectTracker", "check_overrides", "merged_overrides", "stream_arguments"]

if TYPE_CHECKING:  # imported when a client is made: _cookies needs dataclasses (~6 ms at import)
    from ._cookies import CookieJar

#: how many redirects one request may follow (what browsers allow)
MAX_REDIRECTS = 20
#: the keyword arguments of request() and of every verb, besides follow_redirects (SPEC section 3)
REQUEST_ARGUMENTS = ("query", "query_string", "headers", "body", "json", "form", "files", "cookies", "environ_overrides", "scope_overrides")
#: the arguments of a request given none (shared: read, copied, never changed)
NO_ARGUMENTS: Mapping[str, Any] = MappingProxyType({})
_BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding", "content-encoding"})


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name}= must be True or False, not {type(value).__name__}: {value!r}")
    return value


def check_overrides(value: Any, argument: str) -> dict[str, Any] | None:
    """An environ_overrides= or scope_overrides= mapping (str keys) as a dict of its own, None for None; else TypeError."""
    if value is None:
        return None
    if not hasattr(value, "keys") or not hasattr(value, "__getitem__"):
        raise TypeError(f"{argument}= must be a mapping of str keys to values, such as {{'REMOTE_USER': 'ada'}}, not {type(value).__name__}: {value!r:.80}")
    overrides = {}
    for key in value.keys():
        if type(key) is not str:
            raise TypeError(f"{argument}= keys must be str, not {type(key).__name__}: {key!r:.80}")
        overrides[key] = value[key]
    return overrides


def merged_overrides(client_level: dict[str, Any] | None, arguments: Mapping[str, Any], own: str, other: str, client_name: str) -> dict[str, Any] | None:
    """The client's overrides with the request's on top (read from `arguments`); a TypeError for the other interface's keyword."""
    if arguments.get(other) is not None:
        raise TypeError(f"{other}= is not for {client_name}: its requests take {own}=")
    per_request = arguments.get(own)
    if per_request is None:
        return client_level
    per_request = check_overrides(per_request, own)
    return per_request if client_level is None else {**client_level, **per_request}  # type: ignore[dict-item]


class ClientCore:
    """A client's settings and memory between requests (its cookie jar)."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: Any,
        cookies: Any,
        follow_redirects: bool,
        raise_server_exceptions: bool,
        validate: bool,
        schemes: tuple[str, ...] = ("http", "https"),
    ) -> None:
        self.base = parse_base_url(base_url, schemes)
        self.base_url = base_url
        self.default_headers = normalize_header_input(headers, "headers")
        self.follow_redirects = check_bool("follow_redirects", follow_redirects)
        self.raise_server_exceptions = check_bool("raise_server_exceptions", raise_server_exceptions)
        self.validate = check_bool("validate", validate)
        from ._cookies import CookieJar as new_jar  # here, not at import: _cookies needs dataclasses

        if cookies is True or cookies is False:
            self.jar: CookieJar | None = new_jar(default_domain=self.base.host) if cookies else None
        elif hasattr(cookies, "items"):
            self.jar = new_jar(default_domain=self.base.host)
            for name, value in cookies.items():
                self.jar.set(str(name), str(value))
        else:
            raise TypeError(f"cookies= must be True, False or a mapping of initial cookies, not {type(cookies).__name__}: {cookies!r}")

    def build(self, method: Any, path: Any, arguments: Mapping[str, Any], extra_defaults: list[tuple[str, str]] = (), websocket: bool = False) -> SentRequest:  # type: ignore[assignment]
        """Build one request from the verb's keyword arguments.

        `extra_defaults` are checked header pairs the kit adds after the
        client's defaults (the WebSocket handshake); `headers=` replaces them by name.
        `websocket=True` resolves a relative path against ws:// (wss://) rather than http(s)://.
        """
        if arguments is NO_ARGUMENTS and not extra_defaults and not websocket:
            return build_request(method, path, self.base, default_headers=self.default_headers, jar=self.jar)
        get = arguments.get
        query = get("query")
        query_string = get("query_string")
        if query_string:
            query = merge_queries(query_string, query)
        default_headers = self.default_headers  # build_request only reads it: no copy unless it changes (per-request cost)
        drop = get("drop_default_headers")
        if drop:
            default_headers = [p for p in default_headers if p[0].lower() not in drop]
        if extra_defaults:
            default_headers = [*default_headers, *extra_defaults]
        return build_request(
            method,
            path,
            self._websocket_base() if websocket else self.base,
            default_headers=default_headers,
            query=query,
            headers=get("headers"),
            body=get("body"),
            json=get("json", UNSET),
            form=get("form"),
            files=get("files"),
            jar=self.jar,
            cookies=get("cookies"),
        )

    def _websocket_base(self) -> Any:
        base = self.base
        cached = self.__dict__.get("_ws_base")
        if cached is None or cached[0] is not base:  # base may be replaced (root_path=) after init
            cached = self._ws_base = (base, base._replace(scheme="ws" if base.scheme == "http" else "wss"))
        return cached[1]

    def receive(self, response: Any) -> None:
        """Store the cookies a response set and remember what it answers."""
        if self.jar is not None:
            set_cookies = response.headers.get_all("set-cookie")
            if set_cookies:  # (else response.cookies is worked out on first use: {})
                target = response.request.target
                response._cookies = self.jar.extract(set_cookies, target.host, target.path, scheme=target.scheme)
        response._base_url = self.base

    def should_follow(self, follow_redirects: Any) -> bool:
        if follow_redirects is None:
            return self.follow_redirects
        return check_bool("follow_redirects", follow_redirects)

    def redirect_chain(self, method: str, path: Any, arguments: Mapping[str, Any], sent: tuple[SentRequest, Any] | None = None) -> Generator[SentRequest | None, Any, None]:
        """The redirect loop without I/O: yields each request to send and is `send()` each response.

        The client sends what was yielded and passes the response back. The
        next request yielded means that response was a redirect the chain is
        done with (a streamed one is the client's to read and close); None
        means it is the final response, its `history` set (None rather than a
        return value: the StopIteration that raises cost a followed WSGI GET
        about 2 of its 17 µs). Loops, overlong chains and streamed bodies a
        307/308 would repeat raise TestkitError. `sent`: the first request,
        already sent, and its response (a redirect), when the client made
        the first exchange without a chain, which most need.
        """
        tracker = RedirectTracker(method, path, arguments)
        if sent is not None:
            request, response = sent
            tracker.check_loop(request)
        else:
            request = self.build(tracker.method, tracker.path, tracker.arguments)
            tracker.check_loop(request)
            response = yield request
        while True:
            self.receive(response)
            if not tracker.follow(response):
                response.history = tracker.history
                yield None
            request = self.build(tracker.method, tracker.path, tracker.arguments)
            tracker.check_loop(request)
            response = yield request


class RedirectTracker:
    """Follows one redirect chain: the next request's arguments, loop and length limits."""

    def __init__(self, method: str, path: Any, arguments: Mapping[str, Any]) -> None:
        self.method = method
        self.path = path
        self.arguments = arguments
        self.history: list[Any] = []
        self._seen: set[tuple[str, str, str]] = set()

    def _key(self, request: SentRequest) -> tuple[str, str, str]:
        return (request.method, request.url, request.headers.get("cookie", ""))

    def _chain(self) -> str:
        return " -> ".join(f"{r.request.method} {r.request.url} ({r.status_code})" for r in self.history)

    def follow(self, response: Any) -> bool:
        """Record `response`; return True and set up the next request if it redirects."""
        if not response.is_redirect:
            return False
        request = response.request
        self._seen.add(self._key(request))
        self.history.append(response)
        if len(self.history) > MAX_REDIRECTS:
            raise TestkitError(f"more than {MAX_REDIRECTS} redirects: {self._chain()}")
        location = response.headers["location"]
        url = urljoin(request.url, location.strip())
        arguments = dict(self.arguments)
        arguments.pop("query", None)
        arguments.pop("query_string", None)
        method = request.method
        if response.status_code in (301, 302, 303) and method != "HEAD":
            method = "GET"  # RFC 9110 15.4: what every browser does; 303 requires it
            for key in ("body", "json", "form", "files"):
                arguments.pop(key, None)
            arguments["headers"] = _without(arguments.get("headers"), _BODY_HEADERS)
        elif request.streamed:
            raise TestkitError(f"cannot follow {response.status_code} to {url}: a {response.status_code} repeats the request body, and a streamed body can be sent only once")
        if request.target.host != _host_of(url):
            arguments["headers"] = _without(arguments.get("headers"), {"authorization"})
            arguments["drop_default_headers"] = {"authorization"}  # the client's own credentials stay home too
        self.method, self.path, self.arguments = method, url, arguments
        return True

    def check_loop(self, request: SentRequest) -> None:
        """Raise when the chain comes back to a request it already made."""
        if self.history and self._key(request) in self._seen:
            raise TestkitError(f"redirect loop: {request.method} {request.url} was already requested: {self._chain()}")


class ClientSettings:
    """What both clients show of their ClientCore: the cookie jar and the base URL."""

    _core: ClientCore

    @property
    def cookies(self) -> Any:
        """The client's cookie jar (a ValueError when the client was made with cookies=False)."""
        if self._core.jar is None:
            raise ValueError("this client keeps no cookies: it was created with cookies=False")
        return self._core.jar

    @property
    def base_url(self) -> str:
        return self._core.base_url


_Response = TypeVar("_Response")


class ClientVerbs(ClientSettings, Generic[_Response]):
    """`request()` and the verbs of both clients, written once.

    Each returns what the client's `_send(method, path, arguments, follow)`
    returns: the response for WSGITestClient, a coroutine to await for it
    for ASGITestClient (its `_send` is `async def`). So one signature serves
    `client.get(...)` and `await client.get(...)`, and on either client an
    unknown keyword is a TypeError at the call itself.
    """

    _send: Callable[..., _Response]

    def request(
        self,
        method: str,
        path: str,
        *,
        query: QueryInput = None,
        query_string: str | bytes | None = None,
        headers: HeadersInput = None,
        body: BodyInput = None,
        json: Any = UNSET,
        form: FormInput = None,
        files: FilesInput = None,
        cookies: CookiesInput = None,
        follow_redirects: bool | None = None,
        environ_overrides: Overrides = None,
        scope_overrides: Overrides = None,
        **other_clients_keywords: NoReturn,
    ) -> _Response:
        """Send one request and return the whole response (redirects followed when asked); await it on ASGITestClient.

        `environ_overrides` (WSGITestClient) or `scope_overrides` (ASGITestClient) is
        merged into the environ or scope last, over the client's own, for every hop.
        """
        if other_clients_keywords:
            raise unknown_keyword("request", other_clients_keywords)
        if query is None and headers is None and body is None and json is UNSET and form is None and files is None and cookies is None and query_string is None and environ_overrides is None and scope_overrides is None:
            return self._send(method, path, NO_ARGUMENTS, follow_redirects)  # a bare request (the common GET): nothing to unpack
        arguments = {"query": query, "query_string": query_string, "headers": headers, "body": body, "json": json, "form": form, "files": files, "cookies": cookies}
        if environ_overrides is not None or scope_overrides is not None:
            arguments["environ_overrides"] = environ_overrides
            arguments["scope_overrides"] = scope_overrides
        return self._send(method, path, arguments, follow_redirects)

    # request()'s `method` stays a keyword too (`request(method="GET", path="/")`, as SPEC 3 names it); mypy
    # wants it positional-only to hand the rest of the signature to the verbs (pyright does not), hence the ignores.
    get = verb("GET", request, name_unknown=True)  # type: ignore[arg-type]
    post = verb("POST", request, name_unknown=True)  # type: ignore[arg-type]
    put = verb("PUT", request, name_unknown=True)  # type: ignore[arg-type]
    patch = verb("PATCH", request, name_unknown=True)  # type: ignore[arg-type]
    delete = verb("DELETE", request, name_unknown=True)  # type: ignore[arg-type]
    head = verb("HEAD", request, name_unknown=True)  # type: ignore[arg-type]
    options = verb("OPTIONS", request, name_unknown=True)  # type: ignore[arg-type]


def stream_arguments(kwargs: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Split `stream()`'s keyword arguments into the request's and `follow_redirects`; a TypeError for any other."""
    follow = kwargs.pop("follow_redirects", None)
    for name in kwargs:
        if name not in REQUEST_ARGUMENTS:
            raise unknown_keyword("stream", set(kwargs) - set(REQUEST_ARGUMENTS))
    return kwargs, follow


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def _without(headers: Any, names: Any) -> Any:
    if not headers:
        return headers
    pairs = normalize_header_input(headers)
    return [(k, v) for k, v in pairs if k.lower() not in names]
