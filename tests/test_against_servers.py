"""Compare what the kit hands an app with what real servers handed one, from the recorded fixtures.

The fixtures in ../shared/fixtures hold, per server and case, the raw request
bytes a client sent and everything the app received (see tests/fixtures.py).
For every recorded case the raw request is translated into the equivalent kit
call, the kit builds its environ (or scope), and the two are compared key by
key and type by type. Ports and the other per-run values are compared by
type. Every place where the kit deliberately differs is named, with the
reason, in DELIBERATE_DIFFERENCES below; anything else that differs fails.
Where the servers disagree, the kit must agree with at least one of them.
WSGIEnvironTests and ASGIScopeTests compare the request cases (ASGI also what
receive() gave), ASGILifespanScopeTests the lifespan scope and events,
TranslationEntryTests the "<case>" entries both interfaces share.
"""

from __future__ import annotations

import asyncio
import os
import re
import unittest
from functools import lru_cache
from typing import Any, Callable, NamedTuple

from asgiwsgi_testkit import ASGITestClient, WSGITestClient, call_asgi, make_environ, make_scope
from tests import fixtures

# --------------------------------------------------------------------------------------
# The one table of deliberate differences.
#
# Keys, most specific first (the first that exists names a difference):
#   "<case>/<KEY>"    that key in that case only
#   "<server>/<KEY>"  that key on that server only
#   "<KEY>"           that key everywhere
#   "<case>"          how the case's raw request is translated into a kit call, where the
#                     bytes say something the kit cannot (or does not) express
# <KEY> is an environ key (upper-case or dotted) or a scope key (a lower-case word), or a
# pseudo-key for what the app observed beyond them: WSGI "<body read>", "<read(1) after the
# body>", "<os.environ keys copied>"; ASGI "<body events>", "<receive() before the
# response>", "<next receive() after the response>", ... (ASGI_PSEUDO_KEYS).
# "<case>" entries are shared by the interfaces (the raw requests are the same), so their
# text stays interface-neutral. WebSocket cases are not compared yet (WEBSOCKET_REASON).
# --------------------------------------------------------------------------------------

_PROXY_HEADERS = (
    "waitress removes the X-Forwarded-* and Forwarded headers it was not told to trust; the kit"
    " passes request headers through unchanged, like gunicorn and wsgiref"
)
_JOINED_WITH_COMMA_SPACE = (
    "repeated request headers are joined with ', ' (SPEC section 5, RFC 9110 5.3), as waitress"
    " does; gunicorn and wsgiref join with ','"
)

DELIBERATE_DIFFERENCES = {
    # -- everywhere ---------------------------------------------------------------------
    "SERVER_NAME": (
        "SERVER_NAME and SERVER_PORT are the URL's host and port (what Host names): an"
        " in-process call has no listening socket. Servers report their socket: gunicorn the"
        " bind address, waitress 'waitress.invalid', wsgiref the fqdn 'localhost'"
    ),
    "SERVER_SOFTWARE": "each server names itself; the kit says 'asgiwsgi_testkit'",
    "RAW_URI": (
        "the kit sets both spellings of the raw request target, gunicorn's RAW_URI and"
        " waitress's REQUEST_URI (wsgiref has neither), so apps written for either find it"
    ),
    "REQUEST_URI": "see RAW_URI: both are set",
    "REMOTE_HOST": (
        "left out, as gunicorn does (CGI allows it: filling it needs a reverse lookup);"
        " waitress copies REMOTE_ADDR, wsgiref sets ''"
    ),
    "GATEWAY_INTERFACE": "a CGI variable PEP 3333 does not ask for; only wsgiref sets it",
    "gunicorn.socket": "gunicorn's own key: the kit has no socket to lend",
    "wsgi.early_hints": "gunicorn's own extension for 103 Early Hints; the kit does not offer it",
    "waitress.client_disconnected": "waitress's own extension; an in-process client never goes away",
    # -- one server ---------------------------------------------------------------------
    "waitress/wsgi.multithread": (
        "waitress calls apps from a thread pool; the kit calls the app in the test's own thread,"
        " like gunicorn's sync worker and wsgiref"
    ),
    "wsgiref/<os.environ keys copied>": (
        "wsgiref copies the whole os.environ into every environ; the kit does not leak the"
        " test process's environment into the app"
    ),
    "wsgiref/CONTENT_TYPE": (
        "wsgiref invents 'text/plain' for a request without Content-Type; the kit leaves"
        " CONTENT_TYPE out, like gunicorn and waitress (checklist W7)"
    ),
    "wsgiref/CONTENT_LENGTH": (
        "wsgiref sets '' for a request without Content-Length; the kit leaves CONTENT_LENGTH"
        " out, like gunicorn and waitress (checklist W7)"
    ),
    "wsgiref/REMOTE_PORT": "wsgiref leaves REMOTE_PORT out; the kit gives it as a str, like gunicorn and waitress",
    "wsgiref/wsgi.input_terminated": (
        "wsgiref's wsgi.input is the socket and does not end with the body; the kit's ends at"
        " the body's end, so it says so with wsgi.input_terminated=True like gunicorn and waitress"
    ),
    "wsgiref/<body read>": (
        "wsgiref's wsgi.input is the socket: without CONTENT_LENGTH or wsgi.input_terminated a"
        " careful app cannot read it, and read() blocks until the client closes; the kit's input"
        " ends at the body's end like gunicorn's and waitress's"
    ),
    "wsgiref/<read(1) after the body>": "see wsgiref/<body read>: reading past the body blocks on wsgiref",
    # -- one case -----------------------------------------------------------------------
    "headers_repeated/HTTP_COOKIE": (
        "repeated Cookie headers are joined with '; ' (SPEC section 5, RFC 6265 5.4), the join"
        " that keeps their meaning; no measured server special-cases Cookie (gunicorn and"
        " wsgiref 'a=1,b=2', waitress 'a=1, b=2')"
    ),
    "headers_repeated/HTTP_X_FOO": _JOINED_WITH_COMMA_SPACE,
    "headers_repeated/HTTP_ACCEPT": _JOINED_WITH_COMMA_SPACE,
    "header_case_underscore_whitespace/HTTP_X_UNDER_SCORE": (
        "a header name with '_' is dropped, as gunicorn and waitress do, so X_Foo cannot pose as"
        " X-Foo (checklist W11); wsgiref keeps it"
    ),
    "forwarded_headers/wsgi.url_scheme": (
        "gunicorn trusts X-Forwarded-Proto from 127.0.0.1 by default; the kit, like waitress and"
        " wsgiref, takes the scheme from the URL (use an https:// base_url)"
    ),
    "forwarded_headers/HTTP_X_FORWARDED_FOR": _PROXY_HEADERS,
    "forwarded_headers/HTTP_X_FORWARDED_PROTO": _PROXY_HEADERS,
    "forwarded_headers/HTTP_X_FORWARDED_HOST": _PROXY_HEADERS,
    "forwarded_headers/HTTP_FORWARDED": _PROXY_HEADERS,
    "post_chunked_paused/CONTENT_LENGTH": (
        "a streamed body has no CONTENT_LENGTH, only wsgi.input_terminated=True, like gunicorn;"
        " waitress buffers the body and sets '19', wsgiref sets ''"
    ),
    "post_chunked_paused/HTTP_TRANSFER_ENCODING": (
        "Transfer-Encoding: chunked is kept, like gunicorn and wsgiref; waitress removes it after"
        " de-chunking"
    ),
    "post_no_length/CONTENT_LENGTH": (
        "the kit sends Content-Length: 0 with a POST/PUT/PATCH without body, as HTTP clients do"
        " (RFC 9110 8.6), so CONTENT_LENGTH is '0'; the recorded request had no Content-Length"
    ),
    "query_empty_after_qmark/RAW_URI": (
        "the kit treats an empty query as no query, so the target is '/empty', not '/empty?';"
        " QUERY_STRING is '' either way"
    ),
    "query_empty_after_qmark/REQUEST_URI": "see query_empty_after_qmark/RAW_URI",
    "host_with_port/SERVER_NAME": (
        "Host: example.com:8080 is the URL's authority, so SERVER_NAME is 'example.com' (and"
        " SERVER_PORT '8080'); all three servers kept their socket's and changed only HTTP_HOST"
    ),
    "absolute_form_target/SERVER_NAME": "see host_with_port/SERVER_NAME: the URL names example.com:8080",
    "long_header_64k/SERVER_NAME": (
        "gunicorn, whose SERVER_NAME (the address in the URL) the kit matches, refused this"
        " request with 431; waitress and wsgiref report their own names (see SERVER_NAME)"
    ),
    "long_header_64k/REMOTE_HOST": (
        "gunicorn, which leaves REMOTE_HOST out as the kit does, refused this request with 431"
        " (see REMOTE_HOST); the kit has no header size limit"
    ),
    "absolute_form_target/PATH_INFO": (
        "wsgiref puts the whole absolute URL in PATH_INFO; the kit gives '/abs/path' like"
        " gunicorn and waitress"
    ),
    "absolute_form_target/RAW_URI": (
        "the kit sends origin-form ('/abs/path?x=1'), as a client talking to an origin server"
        " does; gunicorn keeps the absolute URL it received"
    ),
    "absolute_form_target/REQUEST_URI": "see absolute_form_target/RAW_URI",
    "options_asterisk/PATH_INFO": "see options_asterisk: the kit sends '/*' where the request had '*'",
    "options_asterisk/RAW_URI": "see options_asterisk",
    "options_asterisk/REQUEST_URI": "see options_asterisk",
    "query_raw_nonascii/QUERY_STRING": (
        "the kit percent-encodes non-ASCII in a query like a browser, so QUERY_STRING is"
        " 'name=caf%C3%A9&sp=a%20b'; wsgiref passed the raw bytes ('name=cafÃ©&sp=a%20b')"
    ),
    "method_lowercase/REQUEST_METHOD": (
        "the kit upper-cases methods, so 'get' arrives as 'GET'; wsgiref passed 'get', gunicorn"
        " and waitress answered 400"
    ),
    "http10_no_host/HTTP_HOST": "the kit always sends Host (from the URL), as every real client does, also for HTTP/1.0",
    "http11_no_host/HTTP_HOST": "the kit always sends Host (from the URL); HTTP/1.1 requires it (RFC 9112 3.2)",
    "root_path__unprefixed/SCRIPT_NAME": (
        "a path outside base_url's root gets SCRIPT_NAME '', so SCRIPT_NAME + PATH_INFO is still"
        " the request path (PEP 3333 URL reconstruction); waitress reports '/mnt' for '/sub/x',"
        " gunicorn answered 500"
    ),
    # -- ASGI, everywhere ---------------------------------------------------------------
    "extensions": (
        "the kit advertises the HTTP extensions it implements, {'http.response.trailers': {},"
        " 'http.response.pathsend': {}} (SPEC section 5), so apps may use them; over HTTP/1.1"
        " uvicorn and daphne leave the key out and hypercorn sends {}"
    ),
    # -- ASGI, one server ----------------------------------------------------------------
    "hypercorn/asgi": (
        "hypercorn says spec_version '2.1'; the kit sends uvicorn's {'version': '3.0',"
        " 'spec_version': '2.3'} (SPEC section 5): it implements the 2.3 keys"
    ),
    "daphne/asgi": "daphne leaves spec_version out; the kit sends uvicorn's (see hypercorn/asgi)",
    "daphne/server": "daphne gives a list; the kit gives a (host, port) tuple, like uvicorn and hypercorn",
    "daphne/client": "daphne gives a list; the kit gives a (host, port) tuple, like uvicorn and hypercorn",
    "daphne/state": (
        "daphne runs no lifespan, so its scopes have no state; the kit's carry a shallow copy of"
        " the lifespan state, like uvicorn's and hypercorn's"
    ),
    "hypercorn/<body events>": (
        "hypercorn delivers a Content-Length body as (body, more_body=True) and then"
        " (b'', more_body=False); the kit sends a bytes body as one http.request event, like"
        " uvicorn and daphne (both are valid ASGI)"
    ),
    "hypercorn/<next receive() after the response>": (
        "after the http.disconnect that follows a completed response, the kit's receive()"
        " returns http.disconnect again at once, like uvicorn; hypercorn and daphne block, which"
        " would hang a test until its timeout"
    ),
    "daphne/<next receive() after the response>": "see hypercorn/<next receive() after the response>",
    # -- ASGI, one case ------------------------------------------------------------------
    "headers_repeated/headers": (
        "the kit sends one Cookie header, as a client must (RFC 6265 5.4): Cookie headers given"
        " to it are joined with '; ' (with the cookie jar's) and sent after the other headers;"
        " uvicorn and hypercorn pass both Cookie lines in wire order, daphne groups every"
        " header by name"
    ),
    "header_case_underscore_whitespace/headers": (
        "the kit keeps X_Under_Score (ASGI names are bytes, nothing to confuse) and strips the"
        " whitespace around values (RFC 9110 5.5), like uvicorn-h11 and hypercorn; daphne drops"
        " X_Under_Score, uvicorn-httptools keeps the trailing spaces of X-Padded"
    ),
    "http10_no_host/headers": "the kit always sends Host (from the URL), as every real client does, also for HTTP/1.0",
    "http11_no_host/headers": "the kit always sends Host (from the URL); HTTP/1.1 requires it (RFC 9112 3.2)",
    "post_no_length/headers": (
        "the kit sends content-length: 0 with a POST/PUT/PATCH without body, as HTTP clients do"
        " (RFC 9110 8.6); the recorded request had no Content-Length"
    ),
    "host_with_port/server": (
        "Host: example.com:8080 is the URL's authority, so server is ('example.com', 8080); the"
        " servers report their socket, ('127.0.0.1', <port>)"
    ),
    "absolute_form_target/server": "see host_with_port/server: the URL names example.com:8080",
    "absolute_form_target/path": (
        "the kit sends origin-form, so path is '/abs/path' like uvicorn-httptools; uvicorn-h11,"
        " hypercorn and daphne keep the absolute URL they received"
    ),
    "absolute_form_target/raw_path": "see absolute_form_target/path: b'/abs/path'",
    "options_asterisk/path": "see options_asterisk: the kit sends '/*' where every server gave '*'",
    "options_asterisk/raw_path": "see options_asterisk: b'/*'",
    "method_lowercase/method": (
        "the kit upper-cases methods, so 'get' arrives as 'GET', as on hypercorn; uvicorn-h11"
        " and daphne passed 'get', uvicorn-httptools answered 400"
    ),
    "forwarded_headers/scheme": (
        "uvicorn trusts X-Forwarded-Proto/-For from 127.0.0.1 by default; the kit, like hypercorn"
        " and daphne, takes the scheme from the URL (use an https:// base_url)"
    ),
    "forwarded_headers/client": (
        "uvicorn takes the client address from X-Forwarded-For (see forwarded_headers/scheme);"
        " the kit gives its client= address, like hypercorn and daphne"
    ),
    "root_path__unprefixed/root_path": (
        "hypercorn and daphne give root_path '/mnt' with a path outside it ('/sub/x'); the kit's"
        " path always starts with root_path (SPEC section 5), so a request outside base_url's"
        " root gets root_path '' (uvicorn, which prepends root_path to every path, agrees)"
    ),
    "post_chunked_paused/<body events>": (
        "the kit sends one http.request per chunk of an iterable body and a final empty one, like"
        " uvicorn and hypercorn; daphne buffered the whole chunked body into one event"
    ),
    "disconnect_mid_body/<body events>": (
        "the client left after 10 of 100 bytes: the servers gave (10 bytes, more_body=True) and"
        " then http.disconnect; an in-process client cannot leave mid-body, so the kit gives the"
        " 10 bytes as the whole body (see disconnect_mid_body)"
    ),
    "disconnect_mid_body/<receive() before the response>": (
        "see disconnect_mid_body/<body events>: uvicorn had seen the client leave, so receive()"
        " returned http.disconnect at once; the kit's client is still there"
    ),
    "disconnect_mid_body/<pending receive() when the response completed>": (
        "see disconnect_mid_body/<body events>: the kit's pending receive() returns"
        " http.disconnect once the response is complete, as in every other case; uvicorn had"
        " nothing pending, hypercorn's stayed blocked for the gone client"
    ),
    "disconnect_before_response/<receive() waiting for the client to leave>": (
        "the client sent its body and left before the response: an in-process client cannot"
        " leave before the response (leaving a stream() block is the kit's way, and needs"
        " http.response.start), so the kit's recorder answers after the body and makes no"
        " further receive() calls"
    ),
    "disconnect_before_response/<receive() after sending to a client that left>": (
        "see disconnect_before_response/<receive() waiting for the client to leave>"
    ),
    # -- how raw requests become kit calls ----------------------------------------------
    "absolute_form_target": (
        "absolute-form target (proxy style): given to the kit as the absolute URL, which sets"
        " host and port for the request; the kit then sends origin-form"
    ),
    "options_asterisk": (
        "asterisk-form target (OPTIONS *) cannot be expressed: the kit's paths are origin-form,"
        " so path '*' becomes '/*'; everything else is compared"
    ),
    "path_raw_utf8": (
        "raw non-ASCII bytes in the target cannot be sent: the path is given as the str '/café'"
        " and the kit percent-encodes it like a browser ('/caf%C3%A9'); PATH_INFO is then what"
        " wsgiref gave; gunicorn and waitress answered 400"
    ),
    "query_raw_nonascii": (
        "raw non-ASCII bytes in the query cannot be sent: given as a str and percent-encoded by"
        " the kit; gunicorn and waitress answered 400"
    ),
    "method_lowercase": (
        "a lower-case method cannot be sent: the kit upper-cases it (see method_lowercase/"
        "REQUEST_METHOD and method_lowercase/method)"
    ),
    "http10_no_host": (
        "HTTP/1.0 is given as the protocol version (server_protocol='HTTP/1.0',"
        " http_version='1.0'); the Host header cannot be left out"
    ),
    "http11_no_host": "the Host header cannot be left out; base_url names the server's address",
    "disconnect_mid_body": (
        "the client announced 100 bytes, sent 10 and closed: given as Content-Length: 100 with"
        " the 10-byte body, since an in-process client cannot leave mid-body. WSGI: read(100)"
        " returns those 10 bytes as on gunicorn and wsgiref (waitress never called the app);"
        " ASGI: see disconnect_mid_body/<body events>"
    ),
    "post_chunked_paused": (
        "the chunked body is given as an iterable of its three chunks; the 150 ms pauses"
        " between them do not exist in-process (wsgiref's record lost the request bytes to a"
        " broken pipe: they are taken from another server's record of the same case)"
    ),
    "expect_100_continue": (
        "Expect: 100-continue is passed through as a header; in-process there is no interim"
        " 100 response to wait for, the body is there at once"
    ),
    "keepalive_two_requests": (
        "only the first request is compared: the records hold what the app saw for the first"
        " one (the WSGI servers closed the connection after it)"
    ),
    "root_path__prefixed": (
        "server mounted at /mnt: base_url ends in /mnt and the path is given below it; except"
        " for uvicorn, whose --root-path says a proxy already removed /mnt, so the target it"
        " received ('/mnt/sub/x') is the path below base_url"
    ),
    "root_path__unprefixed": (
        "server mounted at /mnt, request outside it: given as an absolute URL on the same origin,"
        " with base_url ending in /mnt; for uvicorn (see root_path__prefixed) the target is the"
        " path below base_url"
    ),
}

# Named differences where the servers that called the app disagree and the kit follows none
# of them (everywhere else it agrees with at least one). Each is a key of the table above.
KIT_FOLLOWS_NO_SERVER = frozenset({
    "SERVER_SOFTWARE",
    "host_with_port/SERVER_NAME",
    "absolute_form_target/SERVER_NAME",
    "absolute_form_target/RAW_URI",
    "absolute_form_target/REQUEST_URI",
    "headers_repeated/HTTP_COOKIE",
    "post_no_length/CONTENT_LENGTH",
    "query_empty_after_qmark/RAW_URI",
    "query_empty_after_qmark/REQUEST_URI",
    "options_asterisk/RAW_URI",
    "options_asterisk/REQUEST_URI",
    "long_header_64k/SERVER_NAME",
    "long_header_64k/REMOTE_HOST",
    "extensions",
    "headers_repeated/headers",
    "host_with_port/server",
    "absolute_form_target/server",
    "disconnect_mid_body/<pending receive() when the response completed>",
    "disconnect_before_response/<receive() after sending to a client that left>",
})


def entry_interface(name: str) -> str:
    """Which comparisons need a table entry: 'wsgi', 'asgi', or 'translation' for a bare case name.

    Keys of ASGI comparisons are scope keys (lower-case words) and ASGI_PSEUDO_KEYS;
    everything else (CGI names, dotted wsgi./server keys, WSGI pseudo-keys) is WSGI's.
    """
    prefix, _, key = name.rpartition("/")
    if not prefix:
        if name in _case_names("wsgi") | _case_names("asgi"):
            return "translation"
    elif prefix in fixtures.servers("wsgi"):
        return "wsgi"
    elif prefix in fixtures.servers("asgi"):
        return "asgi"
    return "asgi" if key in ASGI_PSEUDO_KEYS or re.fullmatch(r"[a-z_]+", key) else "wsgi"


@lru_cache(maxsize=None)
def _case_names(interface: str) -> frozenset[str]:
    return frozenset(case for server in fixtures.servers(interface) for case in fixtures.cases(server))


def named_difference(case: str, server: str, key: str) -> str | None:
    """The table entry that names a difference on `key`, most specific first, or None."""
    for name in (f"{case}/{key}", f"{server}/{key}", key):
        if name in DELIBERATE_DIFFERENCES:
            return name
    return None


# --------------------------------------------------------------------------------------
# WSGI: what an app observes, as comparable values
# --------------------------------------------------------------------------------------

ABSENT = "<absent>"
BODY_READ = "<body read>"
EXTRA_READ = "<read(1) after the body>"
OS_ENVIRON = "<os.environ keys copied>"
IS_DICT = "<environ is a dict>"
NOT_LATIN1 = "<str values not latin-1>"

# Compared by type only: they change with every run.
_PORT_KEYS = frozenset({"SERVER_PORT", "REMOTE_PORT"})
# Streams are compared by what they support (PEP 3333 "Input and Error Streams").
_STREAM_METHODS = {
    "wsgi.input": ("read", "readline", "readlines", "__iter__"),
    "wsgi.errors": ("write", "writelines", "flush"),
}
# Keys a request defines; any other key equal to an os.environ variable was copied from it.
_REQUEST_KEYS = frozenset({
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
    "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REQUEST_URI", "RAW_URI", "REMOTE_ADDR",
    "REMOTE_PORT", "SERVER_SOFTWARE",
})
_PLAIN_TYPES = re.compile(r"(str|bool|int|float|NoneType|bytes|tuple\[.*\])\Z")
_CALLABLE_TYPES = frozenset({"type", "function", "method", "builtin_function_or_method"})


def _type_name(value: Any) -> str:
    """A value's type as the fixtures write it: 'str', 'bool', 'tuple[int, int]', ..."""
    if isinstance(value, tuple):
        return "tuple[" + ", ".join(type(item).__name__ for item in value) + "]"
    return type(value).__name__


def _entry(key: str, type_name: str, value: Any) -> tuple[Any, ...]:
    """One environ value as compared: (type, value); ports as (type, '<port>'); objects by kind."""
    if _PLAIN_TYPES.match(type_name):
        if key in _PORT_KEYS and isinstance(value, str) and value.isdigit():
            return (type_name, "<port>")
        return (type_name, value)
    return ("callable",) if type_name in _CALLABLE_TYPES else ("object",)


def _outcome(read: dict[str, Any]) -> Any:
    """What one recorded read gave: the bytes (or list) read, '<blocked>', or '<not read>'."""
    outcome = read.get("outcome")
    if outcome == "ok":
        return read["value"]
    return f"<{outcome}>" if outcome else "<not read>"


def server_view(record: dict[str, Any]) -> dict[str, Any]:
    """What the recorded app observed on a server, keyed like kit_view()."""
    app = record["app"]
    types = app["environ_types"]
    copied = set(app.get("environ_keys_copied_from_os_environ") or ())
    view: dict[str, Any] = {}
    for key, value in app["environ"].items():
        if key in copied:
            continue
        if key in _STREAM_METHODS:
            has = app["wsgi_input" if key == "wsgi.input" else "wsgi_errors"]["has"]
            view[key] = ("stream", tuple(name for name in _STREAM_METHODS[key] if has[name]))
        else:
            view[key] = _entry(key, types[key], value)
    view[OS_ENVIRON] = tuple(sorted(copied))
    view[IS_DICT] = app["environ_is_exact_dict"]
    view[NOT_LATIN1] = tuple(app["str_values_not_latin1"])
    view[BODY_READ] = _outcome(app["body_read"])
    if app.get("extra_read_after_body"):
        view[EXTRA_READ] = _outcome(app["extra_read_after_body"])
    return view


def kit_view(environ: dict[str, Any]) -> dict[str, Any]:
    """What an app observes in a kit environ, reading wsgi.input as the fixtures' recorder app did.

    The recorder reads `read(int(CONTENT_LENGTH))` when it has a length, else
    `read()` when `wsgi.input_terminated` says it may, then `read(1)`; its
    X-Capture-Mode header selects the read_unbounded and readline_iter reads.
    """
    copied = tuple(sorted(key for key, value in environ.items() if key not in _REQUEST_KEYS and os.environ.get(key) == value))
    view: dict[str, Any] = {}
    for key, value in environ.items():
        if key in copied:
            continue
        if key in _STREAM_METHODS:
            view[key] = ("stream", tuple(name for name in _STREAM_METHODS[key] if hasattr(value, name)))
        elif callable(value) and not isinstance(value, (str, bytes)):
            view[key] = ("callable",)
        else:
            view[key] = _entry(key, _type_name(value), value)
    view[OS_ENVIRON] = copied
    view[IS_DICT] = type(environ) is dict
    view[NOT_LATIN1] = tuple(k for k, v in environ.items() if isinstance(v, str) and not _is_latin1(v))
    stream = environ["wsgi.input"]
    mode = environ.get("HTTP_X_CAPTURE_MODE", "")
    if mode == "read_unbounded":
        view[BODY_READ] = stream.read()
    elif mode == "readline_iter":
        view[BODY_READ] = [stream.readline(), stream.readline(2), list(iter(stream))]
    elif environ.get("CONTENT_LENGTH"):
        view[BODY_READ] = stream.read(int(environ["CONTENT_LENGTH"]))
        view[EXTRA_READ] = stream.read(1)
    elif environ.get("wsgi.input_terminated"):
        view[BODY_READ] = stream.read()
        view[EXTRA_READ] = stream.read(1)
    else:
        view[BODY_READ] = "<not read>"
    return view


def _is_latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


# --------------------------------------------------------------------------------------
# Raw request bytes -> the equivalent kit call (both interfaces)
# --------------------------------------------------------------------------------------


class KitRequest(NamedTuple):
    """The kit call equivalent to one recorded raw request."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: Callable[[], Any]  # a fresh body per call: an iterable body is used up
    base_url: str
    server_protocol: str
    translated: bool  # True when the case needs its "<case>" entry in the table


def wsgi_kit_request(case: str, record: dict[str, Any], siblings: list[dict[str, Any]]) -> KitRequest:
    """Translate a WSGI record's raw request into the kit call that sends the same request."""
    environ = record["app"]["environ"]
    return kit_request(record, siblings, recorded_host=environ.get("HTTP_HOST"), server_port=environ["SERVER_PORT"])


def kit_request(
    record: dict[str, Any],
    siblings: list[dict[str, Any]],
    *,
    recorded_host: str | None,
    server_port: Any,
    target_below_root: bool = False,
) -> KitRequest:
    """Translate a record's raw request into the kit call that sends the same request.

    `recorded_host` is the Host the app saw (used when the record lost its
    request bytes), `server_port` the port a request without Host reached.
    With a mount prefix (`root_path_of`), base_url ends in it; the target is
    given below it, or as it is when `target_below_root` says the server
    takes every target as already below its prefix (uvicorn's --root-path).
    """
    text = fixtures.request_of(record, siblings)
    raw = fixtures.parse_request(text)
    translated = False
    host = raw.header("host")
    if record["client"].get("request") is None:
        host = recorded_host or host  # bytes from a sibling record: use this run's Host
        translated = True
    if host is None:
        host = f"127.0.0.1:{server_port}"
        translated = True
    base_url = f"http://{host}"
    target = raw.target
    if not target.isascii():
        target = target.encode("latin-1").decode("utf-8")
        translated = True
    root = fixtures.root_path_of(record)
    if target.startswith(("http://", "https://")) or target == "*":
        path = target
        translated = True
    elif root:
        base_url += root
        translated = True
        if target_below_root:
            path = target
        elif target == root or target.startswith(root + "/") or target.startswith(root + "?"):
            path = target[len(root):] or "/"
        else:
            path = f"http://{host}{target}"
    else:
        path = target
    if raw.method != raw.method.upper():
        translated = True
    headers = [(name, value) for name, value in raw.headers if name.lower() != "host"]
    chunks = raw.chunks
    if chunks is not None:
        translated = True
    length = raw.header("content-length")
    if length is not None and int(length) != len(raw.body):
        translated = True
    if raw.header("expect") is not None or "second_request" in record["client"]:
        translated = True

    def body() -> Any:
        return iter(chunks) if chunks is not None else raw.body

    return KitRequest(raw.method, path, headers, body, base_url, raw.version, translated)


def environ_view_from_make_environ(request: KitRequest) -> dict[str, Any]:
    environ = make_environ(
        request.method,
        request.path,
        body=request.body(),
        headers=request.headers,
        base_url=request.base_url,
        server_protocol=request.server_protocol,
    )
    return kit_view(environ)


def environ_view_from_client(request: KitRequest) -> dict[str, Any]:
    """Send the request with WSGITestClient to a recording app; return what the app observed."""
    seen = []

    def recorder(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(kit_view(environ))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    client = WSGITestClient(recorder, base_url=request.base_url, server_protocol=request.server_protocol)
    response = client.request(request.method, request.path, headers=request.headers, body=request.body())
    if response.status_code != 200 or len(seen) != 1:
        raise AssertionError(f"the recording app was not called once: {response!r}, {len(seen)} call(s)")
    return seen[0]


BUILDERS = {
    "make_environ": environ_view_from_make_environ,
    "WSGITestClient": environ_view_from_client,
}


def _wsgi_cases() -> dict[str, dict[str, dict[str, Any]]]:
    """{case: {server: record}} for every case recorded on a WSGI server."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for server in fixtures.servers("wsgi"):
        for case in fixtures.cases(server):
            found.setdefault(case, {})[server] = fixtures.load(server, case)
    return dict(sorted(found.items()))


def _not_called_reason(server: str, record: dict[str, Any]) -> str:
    response = record["client"].get("response") or {}
    answer = response.get("status_line") or response.get("error") or "no response"
    return f"{server} did not call the app ({answer!r}): nothing to compare"


def _without_port(view: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """`view` with this run's server port in str values (e.g. HTTP_HOST) replaced by '<port>'."""
    port = f":{record['app']['environ']['SERVER_PORT']}"
    return {
        key: (entry[0], entry[1].replace(port, ":<port>")) if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], str) else entry
        for key, entry in view.items()
    }


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@fixtures.skip_without_fixtures
class WSGIEnvironTests(unittest.TestCase):
    """make_environ() and WSGITestClient against gunicorn, waitress and wsgiref, case by case."""

    maxDiff = None

    @classmethod
    def setUpClass(cls) -> None:
        cls.cases = _wsgi_cases()

    def _comparisons(self, builder: Callable[[KitRequest], dict[str, Any]]):
        """Yield (case, server, kit view, server view, request) for every record that reached the app."""
        for case, records in self.cases.items():
            for server, record in records.items():
                if not record["app_called"]:
                    continue
                siblings = [other for name, other in records.items() if name != server]
                request = wsgi_kit_request(case, record, siblings)
                yield case, server, builder(request), server_view(record), request

    def _check_each_server(self, builder_name: str) -> None:
        builder = BUILDERS[builder_name]
        for case, records in self.cases.items():
            for server, record in records.items():
                with self.subTest(builder=builder_name, case=case, server=server):
                    if not record["app_called"]:
                        self.skipTest(_not_called_reason(server, record))
                    siblings = [other for name, other in records.items() if name != server]
                    request = wsgi_kit_request(case, record, siblings)
                    if request.translated:
                        self.assertTrue(case in DELIBERATE_DIFFERENCES, f"case {case!r} needs translating: say how in DELIBERATE_DIFFERENCES[{case!r}]")
                    kit, real = builder(request), server_view(record)
                    unnamed = {
                        key: (kit.get(key, ABSENT), real.get(key, ABSENT))
                        for key in sorted(set(kit) | set(real))
                        if kit.get(key, ABSENT) != real.get(key, ABSENT) and named_difference(case, server, key) is None
                    }
                    lines = [f"  {key}: kit {_show(k)}, {server} {_show(s)}" for key, (k, s) in unnamed.items()]
                    self.assertEqual(unnamed, {}, f"{builder_name} differs from {server} on {case}, not named in DELIBERATE_DIFFERENCES:\n" + "\n".join(lines))

    def test_make_environ_matches_each_server_except_named_differences(self):
        self._check_each_server("make_environ")

    def test_client_environ_matches_each_server_except_named_differences(self):
        self._check_each_server("WSGITestClient")

    def test_kit_agrees_with_a_server_wherever_the_servers_disagree(self):
        # Where the servers that called the app disagree on a key, the kit must do what at
        # least one of them does, unless KIT_FOLLOWS_NO_SERVER names the key for that case.
        self.assertLessEqual(KIT_FOLLOWS_NO_SERVER, set(DELIBERATE_DIFFERENCES), "KIT_FOLLOWS_NO_SERVER names entries that are not in the table")
        used = set()
        for builder_name, builder in BUILDERS.items():
            for case, records in self.cases.items():
                called = {server: record for server, record in records.items() if record["app_called"]}
                if len(called) < 2:
                    continue
                real = {server: _without_port(server_view(record), record) for server, record in called.items()}
                first = next(iter(called.values()))
                siblings = [record for record in records.values() if record is not first]
                kit = _without_port(builder(wsgi_kit_request(case, first, siblings)), first)
                for key in sorted(set(kit).union(*real.values())):
                    values = {server: view.get(key, ABSENT) for server, view in real.items()}
                    if all(value == values[next(iter(values))] for value in values.values()):
                        continue
                    with self.subTest(builder=builder_name, case=case, key=key):
                        agree = [server for server, value in values.items() if value == kit.get(key, ABSENT)]
                        exception = next((name for name in (f"{case}/{key}", key) if name in KIT_FOLLOWS_NO_SERVER), None)
                        if exception is not None:
                            used.add(exception)
                            self.assertEqual(agree, [], f"{exception!r} is in KIT_FOLLOWS_NO_SERVER but the kit agrees with {agree}")
                        else:
                            shown = ", ".join(f"{server} {_show(value)}" for server, value in values.items())
                            self.assertNotEqual(agree, [], f"{builder_name} gives {_show(kit.get(key, ABSENT))} for {key} in {case}; the servers: {shown}")
        unused = sorted(name for name in KIT_FOLLOWS_NO_SERVER - used if entry_interface(name) == "wsgi")
        self.assertEqual(unused, [], "WSGI entries of KIT_FOLLOWS_NO_SERVER no longer needed")

    def test_every_named_wsgi_difference_is_still_needed(self):
        used = set()
        for builder in BUILDERS.values():
            for case, server, kit, real, request in self._comparisons(builder):
                for key in set(kit) | set(real):
                    if kit.get(key, ABSENT) != real.get(key, ABSENT):
                        used.add(named_difference(case, server, key))
        stale = sorted(name for name in DELIBERATE_DIFFERENCES if entry_interface(name) == "wsgi" and name not in used)
        self.assertEqual(stale, [], "DELIBERATE_DIFFERENCES entries that no WSGI comparison needs any more")

    def test_every_recorded_wsgi_case_is_compared_with_at_least_one_server(self):
        # A case every server refused would compare nothing; the kit must still build it.
        self.assertGreaterEqual(len(self.cases), 40, f"only {len(self.cases)} WSGI cases found in {fixtures.FIXTURES_DIR}")
        for case, records in self.cases.items():
            with self.subTest(case=case):
                self.assertTrue(any(r["app_called"] for r in records.values()), f"no WSGI server called the app for {case}")


# --------------------------------------------------------------------------------------
# ASGI: what an app observes, as comparable values
# --------------------------------------------------------------------------------------

# Pseudo-keys for what the app observed through receive(), beside the scope keys.
BODY_EVENTS = "<body events>"
RECEIVE_BEFORE = "<receive() before the response>"
RECEIVE_PENDING = "<pending receive() when the response completed>"
RECEIVE_AFTER = "<next receive() after the response>"
LIFESPAN_EVENTS = "<lifespan events>"
BLOCKED = "<blocked>"
# The labels the fixtures' recorder app gave its receive() calls after the body, as pseudo-keys.
_RECEIVE_LABELS = {
    "receive_after_response": RECEIVE_AFTER,
    "wait_for_disconnect": "<receive() waiting for the client to leave>",
    "receive_after_failed_send": "<receive() after sending to a client that left>",
}
ASGI_PSEUDO_KEYS = frozenset({BODY_EVENTS, RECEIVE_BEFORE, RECEIVE_PENDING, LIFESPAN_EVENTS, *_RECEIVE_LABELS.values()})
# Recorder modes (X-Capture-Mode) in which the recorder broke the protocol after the body, or
# waited for the client to leave: it made no receive() probes, so neither does ScopeRecorder.
_MODES_WITHOUT_PROBES = frozenset({
    "error_before_start", "error_after_start", "return_without_response", "body_before_start",
    "start_twice", "wait_disconnect",
})
# uvicorn's --root-path says a proxy already removed the prefix: it prepends root_path to
# every path it receives. hypercorn and daphne take the target as the full path.
_ROOT_PATH_STRIPPED_BY_PROXY = frozenset({"uvicorn-h11", "uvicorn-httptools"})
# A receive() that is going to return in-process does so within a few turns of the event
# loop; one still waiting after this many is blocked (the recorder waited 0.25 s on a socket).
_TURNS_BEFORE_BLOCKED = 10


def _asgi_type(value: Any) -> str:
    """A scope value's type, containers with their items: 'tuple[str, int]', 'list[tuple[bytes, bytes]]'."""
    if isinstance(value, tuple):
        return "tuple[" + ", ".join(_asgi_type(item) for item in value) + "]"
    if isinstance(value, list):
        return "list[" + ", ".join(dict.fromkeys(_asgi_type(item) for item in value)) + "]"
    return type(value).__name__


def _scope_entry(key: str, value: Any) -> tuple[Any, ...]:
    """One scope value as compared: (type, value); ports as '<port>'; state values other than str by type."""
    type_name = _asgi_type(value)
    if key in ("server", "client") and isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[1], int):
        return (type_name, (value[0], "<port>"))
    if key == "state" and isinstance(value, dict):
        # The recorder's 'shared_list' grows with every request of a run: compared by type.
        return (type_name, tuple((name, type(item).__name__, item if isinstance(item, str) else "<by type>") for name, item in value.items()))
    return (type_name, value)


def _scope_view(scope: dict[str, Any]) -> dict[str, Any]:
    return {key: _scope_entry(key, value) for key, value in scope.items()}


def _probe_outcome(probe: Any) -> str:
    """What a recorded receive() probe gave: the event type, or BLOCKED."""
    if isinstance(probe, dict) and "returned" in probe:
        return probe["returned"]["type"]
    if isinstance(probe, str) and "blocked" in probe:
        return BLOCKED
    raise ValueError(f"unknown receive() probe record: {probe!r}")


def asgi_server_view(record: dict[str, Any]) -> dict[str, Any]:
    """What the recorded app observed on an ASGI server, keyed like ScopeRecorder's views."""
    app = record["app"]
    view = _scope_view(app["scope"])
    body = []
    for entry in app["receive_events"]:
        if entry["label"] == "body":
            body.append(entry["event"])
        elif entry["label"] in _RECEIVE_LABELS and ("event" in entry or entry.get("result") == "timeout"):
            view[_RECEIVE_LABELS[entry["label"]]] = entry["event"]["type"] if "event" in entry else BLOCKED
        else:
            raise ValueError(f"unknown receive() record {entry!r} in {record['server']}/{record['case']}")
    view[BODY_EVENTS] = tuple(body)
    for key, probe in ((RECEIVE_BEFORE, "probe_receive_before_response"), (RECEIVE_PENDING, "probe_pending_receive_after_response")):
        if app.get(probe) is not None:
            view[key] = _probe_outcome(app[probe])
    return view


def lifespan_server_view(record: dict[str, Any]) -> dict[str, Any]:
    """The recorded lifespan scope (as it arrived) and the lifespan events, keyed like ScopeRecorder's."""
    lifespan = record["lifespan_record"]
    view = _scope_view(lifespan["scope"])
    view[LIFESPAN_EVENTS] = tuple(("received", event["received"]["type"]) if "received" in event else ("sent", event["sent"]) for event in lifespan["events"])
    return view


async def _receive_outcome(task: asyncio.Task) -> str:
    """The type of the event `task` (a receive()) returned, or BLOCKED if it is still waiting."""
    for _ in range(_TURNS_BEFORE_BLOCKED):
        if task.done():
            break
        await asyncio.sleep(0)  # one turn of the loop, not a wait
    return task.result()["type"] if task.done() else BLOCKED


class ScopeRecorder:
    """An ASGI app that observes what the fixtures' recorder app observed, into `views`.

    Per HTTP call: the scope as it arrived (state copied), every body event,
    then, like the recorder, a receive() started before the response (does it
    block?), whether that pending receive() returns once the response is
    complete, and what the next receive() gives. In the recorder's modes that
    made no probes (_MODES_WITHOUT_PROBES) it answers right after the body.
    Its lifespan puts 'from_lifespan' and 'shared_list' in the state as the
    recorder's did (`lifespan_views`); each request appends to the list and
    sets a key of its own, which the next request must not see.
    """

    def __init__(self) -> None:
        self.views: list[dict[str, Any]] = []
        self.lifespan_views: list[dict[str, Any]] = []

    @staticmethod
    def startup_state() -> dict[str, Any]:
        return {"from_lifespan": "hello", "shared_list": []}

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
        else:
            await self._http(scope, receive, send)

    async def _lifespan(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        view = _scope_view({**scope, "state": dict(scope["state"])})
        events: list[tuple[str, str]] = []
        self.lifespan_views.append(view)
        while True:
            message = await receive()
            events.append(("received", message["type"]))
            if message["type"] == "lifespan.startup":
                scope["state"].update(self.startup_state())
                answer = "lifespan.startup.complete"
            else:
                answer = "lifespan.shutdown.complete"
            await send({"type": answer})
            events.append(("sent", answer))
            view[LIFESPAN_EVENTS] = tuple(events)
            if answer == "lifespan.shutdown.complete":
                return

    async def _http(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        view = _scope_view({**scope, "state": dict(scope["state"])} if "state" in scope else scope)
        self.views.append(view)
        body = []
        while True:
            event = await receive()
            body.append(dict(event))
            if event["type"] != "http.request" or not event.get("more_body"):
                break
        view[BODY_EVENTS] = tuple(body)
        if "state" in scope:
            scope["state"]["shared_list"].append(scope["path"])
            scope["state"][f"set_by {scope['path']}"] = True
        mode = dict(scope["headers"]).get(b"x-capture-mode", b"").decode("latin-1")
        if mode in _MODES_WITHOUT_PROBES:
            await self._respond(send)
            return
        tasks = [asyncio.ensure_future(receive())]
        try:
            view[RECEIVE_BEFORE] = await _receive_outcome(tasks[0])
            await self._respond(send)
            if view[RECEIVE_BEFORE] == BLOCKED:
                view[RECEIVE_PENDING] = await _receive_outcome(tasks[0])
            tasks.append(asyncio.ensure_future(receive()))
            view[RECEIVE_AFTER] = await _receive_outcome(tasks[1])
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _respond(send: Callable[..., Any]) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


# --------------------------------------------------------------------------------------
# ASGI: the kit calls
# --------------------------------------------------------------------------------------


def asgi_kit_request(server: str, record: dict[str, Any], siblings: list[dict[str, Any]]) -> KitRequest:
    """Translate an ASGI record's raw request into the kit call that sends the same request."""
    scope = record["app"]["scope"]
    host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), None)
    return kit_request(record, siblings, recorded_host=host, server_port=scope["server"][1], target_below_root=server in _ROOT_PATH_STRIPPED_BY_PROXY)


def _http_version(request: KitRequest) -> str:
    return request.server_protocol.partition("/")[2]


def _assert_nothing_pending() -> None:
    left = asyncio.all_tasks() - {asyncio.current_task()}
    if left:
        raise AssertionError(f"the kit left tasks pending: {left!r}")


async def scope_view_from_make_scope(request: KitRequest) -> dict[str, Any]:
    """make_scope() for the request, run with call_asgi() on a ScopeRecorder; what the app observed."""
    recorder = ScopeRecorder()
    scope = make_scope(
        request.method,
        request.path,
        headers=request.headers,
        base_url=request.base_url,
        http_version=_http_version(request),
        state=recorder.startup_state(),
    )
    response = await call_asgi(recorder, scope, request.body())
    _assert_nothing_pending()
    if response.status_code != 200 or len(recorder.views) != 1:
        raise AssertionError(f"the recording app was not called once: {response!r}, {len(recorder.views)} call(s)")
    return recorder.views[0]


async def scope_view_from_client(request: KitRequest) -> dict[str, Any]:
    """Send the request with ASGITestClient (lifespan on) to a ScopeRecorder; what the app observed."""
    recorder = ScopeRecorder()
    async with ASGITestClient(recorder, base_url=request.base_url, http_version=_http_version(request), lifespan="on") as client:
        response = await client.request(request.method, request.path, headers=request.headers, body=request.body())
    _assert_nothing_pending()
    if response.status_code != 200 or len(recorder.views) != 1:
        raise AssertionError(f"the recording app was not called once: {response!r}, {len(recorder.views)} call(s)")
    return recorder.views[0]


ASGI_BUILDERS = {
    "make_scope": scope_view_from_make_scope,
    "ASGITestClient": scope_view_from_client,
}


async def lifespan_view_from_make_scope() -> dict[str, Any]:
    """make_scope(scope_type='lifespan'): the scope only (no server runs the events)."""
    return _scope_view(make_scope(scope_type="lifespan"))


async def lifespan_view_from_client() -> dict[str, Any]:
    """ASGITestClient's startup and shutdown on a ScopeRecorder: the scope as it arrived and the events."""
    recorder = ScopeRecorder()
    async with ASGITestClient(recorder, lifespan="on"):
        pass
    _assert_nothing_pending()
    if len(recorder.lifespan_views) != 1:
        raise AssertionError(f"the lifespan scope reached the recording app {len(recorder.lifespan_views)} times")
    return recorder.lifespan_views[0]


LIFESPAN_BUILDERS = {
    "make_scope": lifespan_view_from_make_scope,
    "ASGITestClient": lifespan_view_from_client,
}
LIFESPAN_CASE = "lifespan__normal"
WEBSOCKET_REASON = "WebSocket sessions land with the WebSocket issue"


def _asgi_cases() -> dict[str, dict[str, dict[str, Any]]]:
    """{case: {server: record}} for every case recorded on an ASGI server."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for server in fixtures.servers("asgi"):
        for case in fixtures.cases(server):
            found.setdefault(case, {})[server] = fixtures.load(server, case)
    return dict(sorted(found.items()))


def _is_websocket(records: dict[str, dict[str, Any]]) -> bool:
    """True when the case's raw request is a WebSocket handshake (Upgrade: websocket)."""
    text = fixtures.request_of(next(iter(records.values())), list(records.values()))
    return text is not None and (fixtures.parse_request(text).header("upgrade") or "").lower() == "websocket"


def _asgi_without_port(view: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """`view` with this run's server port in header values (host) replaced by '<port>'."""
    if "headers" not in view:
        return view
    port = f":{record['app']['scope']['server'][1]}".encode()
    type_name, pairs = view["headers"]
    return {**view, "headers": (type_name, [(name, value.replace(port, b":<port>")) for name, value in pairs])}


def _unnamed_differences(kit: dict[str, Any], real: dict[str, Any], case: str, server: str) -> dict[str, tuple[Any, Any]]:
    return {
        key: (kit.get(key, ABSENT), real.get(key, ABSENT))
        for key in sorted(set(kit) | set(real))
        if kit.get(key, ABSENT) != real.get(key, ABSENT) and named_difference(case, server, key) is None
    }


@fixtures.skip_without_fixtures
class ASGIScopeTests(unittest.IsolatedAsyncioTestCase):
    """make_scope()/call_asgi() and ASGITestClient against uvicorn (h11, httptools), hypercorn and daphne, case by case."""

    maxDiff = None

    @classmethod
    def setUpClass(cls) -> None:
        every = _asgi_cases()
        cls.websocket_cases = {case: records for case, records in every.items() if _is_websocket(records)}
        cls.cases = {case: records for case, records in every.items() if case not in cls.websocket_cases}

    async def _comparisons(self, builder: Callable[[KitRequest], Any]):
        """Yield (case, server, kit view, server view, request) for every record that reached the app."""
        for case, records in self.cases.items():
            for server, record in records.items():
                if not record["app_called"]:
                    continue
                siblings = [other for name, other in records.items() if name != server]
                request = asgi_kit_request(server, record, siblings)
                yield case, server, await builder(request), asgi_server_view(record), request

    async def _check_each_server(self, builder_name: str) -> None:
        builder = ASGI_BUILDERS[builder_name]
        for case, records in self.cases.items():
            for server, record in records.items():
                with self.subTest(builder=builder_name, case=case, server=server):
                    if not record["app_called"]:
                        self.skipTest(_not_called_reason(server, record))
                    siblings = [other for name, other in records.items() if name != server]
                    request = asgi_kit_request(server, record, siblings)
                    if request.translated:
                        self.assertTrue(case in DELIBERATE_DIFFERENCES, f"case {case!r} needs translating: say how in DELIBERATE_DIFFERENCES[{case!r}]")
                    unnamed = _unnamed_differences(await builder(request), asgi_server_view(record), case, server)
                    lines = [f"  {key}: kit {_show(k)}, {server} {_show(s)}" for key, (k, s) in unnamed.items()]
                    self.assertEqual(unnamed, {}, f"{builder_name} differs from {server} on {case}, not named in DELIBERATE_DIFFERENCES:\n" + "\n".join(lines))

    async def test_make_scope_matches_each_server_except_named_differences(self):
        await self._check_each_server("make_scope")

    async def test_client_scope_matches_each_server_except_named_differences(self):
        await self._check_each_server("ASGITestClient")

    async def test_kit_agrees_with_a_server_wherever_the_servers_disagree(self):
        # Where the servers that called the app disagree on a key, the kit must do what at least
        # one of them does (each server's request translated for that server, ports masked),
        # unless KIT_FOLLOWS_NO_SERVER names the key for that case.
        used = set()
        for builder_name, builder in ASGI_BUILDERS.items():
            for case, records in self.cases.items():
                called = {server: record for server, record in records.items() if record["app_called"]}
                if len(called) < 2:
                    continue
                real, kit = {}, {}
                for server, record in called.items():
                    siblings = [other for other in records.values() if other is not record]
                    real[server] = _asgi_without_port(asgi_server_view(record), record)
                    kit[server] = _asgi_without_port(await builder(asgi_kit_request(server, record, siblings)), record)
                for key in sorted(set().union(*real.values(), *kit.values())):
                    values = {server: view.get(key, ABSENT) for server, view in real.items()}
                    if all(value == values[next(iter(values))] for value in values.values()):
                        continue
                    with self.subTest(builder=builder_name, case=case, key=key):
                        agree = [server for server in called if kit[server].get(key, ABSENT) == values[server]]
                        exception = next((name for name in (f"{case}/{key}", key) if name in KIT_FOLLOWS_NO_SERVER), None)
                        if exception is not None:
                            used.add(exception)
                            self.assertEqual(agree, [], f"{exception!r} is in KIT_FOLLOWS_NO_SERVER but the kit agrees with {agree}")
                        else:
                            shown = ", ".join(f"{server} {_show(value)}" for server, value in values.items())
                            mine = ", ".join(f"for {server} {_show(view.get(key, ABSENT))}" for server, view in kit.items())
                            self.assertNotEqual(agree, [], f"{builder_name} gives {mine} for {key} in {case}; the servers: {shown}")
        unused = sorted(name for name in KIT_FOLLOWS_NO_SERVER - used if entry_interface(name) == "asgi")
        self.assertEqual(unused, [], "ASGI entries of KIT_FOLLOWS_NO_SERVER no longer needed")

    async def test_every_named_asgi_difference_is_still_needed(self):
        used = set()
        for builder in ASGI_BUILDERS.values():
            async for case, server, kit, real, _ in self._comparisons(builder):
                used.update(named_difference(case, server, key) for key in set(kit) | set(real) if kit.get(key, ABSENT) != real.get(key, ABSENT))
        for server, record in _lifespan_records().items():
            if record["lifespan_record"] is not None:
                for builder_name, builder in LIFESPAN_BUILDERS.items():
                    kit, real = await builder(), _lifespan_server_view_for(builder_name, record)
                    used.update(named_difference(LIFESPAN_CASE, server, key) for key in set(kit) | set(real) if kit.get(key, ABSENT) != real.get(key, ABSENT))
        stale = sorted(name for name in DELIBERATE_DIFFERENCES if entry_interface(name) == "asgi" and name not in used)
        self.assertEqual(stale, [], "DELIBERATE_DIFFERENCES entries that no ASGI comparison needs any more")

    def test_every_recorded_asgi_http_case_is_compared_unless_every_server_refused_it(self):
        # A case every server answered with 400 without calling the app (raw non-ASCII bytes
        # in the target) compares nothing; any other case must reach the app somewhere.
        self.assertGreaterEqual(len(self.cases), 40, f"only {len(self.cases)} ASGI HTTP cases found in {fixtures.FIXTURES_DIR}")
        for case, records in self.cases.items():
            with self.subTest(case=case):
                if not any(r["app_called"] for r in records.values()):
                    answers = {server: (r["client"].get("response") or {}).get("status") for server, r in records.items()}
                    self.assertEqual(set(answers.values()), {400}, f"no ASGI server called the app for {case}: {answers}")
                    self.skipTest(f"every ASGI server refused {case} with 400: nothing to compare")

    def test_websocket_cases_wait_for_the_websocket_session(self):
        self.assertGreaterEqual(len(self.websocket_cases), 7, f"only {len(self.websocket_cases)} WebSocket cases found")
        for case in self.websocket_cases:
            with self.subTest(case=case):
                self.skipTest(WEBSOCKET_REASON)

    async def test_repeated_cookie_headers_differ_only_as_the_table_says(self):
        # headers_repeated/headers: one Cookie header, the values joined with '; ', after the others.
        records = self.cases["headers_repeated"]
        record = records["uvicorn-h11"]
        request = asgi_kit_request("uvicorn-h11", record, [])
        _, real = asgi_server_view(record)["headers"]
        expected = [pair for pair in real if pair[0] != b"cookie"] + [(b"cookie", b"; ".join(v for k, v in real if k == b"cookie"))]
        self.assertEqual(expected[-1], (b"cookie", b"a=1; b=2"))
        for builder_name, builder in ASGI_BUILDERS.items():
            with self.subTest(builder=builder_name):
                self.assertEqual((await builder(request))["headers"], ("list[tuple[bytes, bytes]]", expected))

    async def test_state_is_a_shallow_copy_of_the_lifespan_state_like_the_servers(self):
        # uvicorn and hypercorn: a list put in the state at startup collected every earlier
        # request's append, while a key one request set never reached a later request.
        for server in ("uvicorn-h11", "hypercorn"):
            with self.subTest(server=server):
                state = fixtures.load(server, "post_chunked_paused")["app"]["scope"]["state"]
                self.assertEqual(sorted(state), ["from_lifespan", "shared_list"])
                self.assertIn("get_basic", state["shared_list"])
        recorder = ScopeRecorder()
        async with ASGITestClient(recorder, lifespan="on") as client:
            await client.get("/first")
            await client.get("/second")
        self.assertEqual([view["state"] for view in recorder.views], [
            ("dict", (("from_lifespan", "str", "hello"), ("shared_list", "list", "<by type>"))),
            ("dict", (("from_lifespan", "str", "hello"), ("shared_list", "list", "<by type>"))),
        ])
        self.assertEqual(client.state, {"from_lifespan": "hello", "shared_list": ["/first", "/second"]})


def _lifespan_records() -> dict[str, dict[str, Any]]:
    return {server: fixtures.load(server, LIFESPAN_CASE) for server in fixtures.servers("asgi")}


def _lifespan_server_view_for(builder_name: str, record: dict[str, Any]) -> dict[str, Any]:
    """The server's lifespan view; without the events for make_scope, which builds the scope only."""
    view = lifespan_server_view(record)
    if builder_name == "make_scope":
        del view[LIFESPAN_EVENTS]
    return view


@fixtures.skip_without_fixtures
class ASGILifespanScopeTests(unittest.IsolatedAsyncioTestCase):
    """The lifespan scope and events of make_scope() and ASGITestClient against the servers' (lifespan__normal)."""

    maxDiff = None

    async def test_lifespan_scope_matches_each_server_except_named_differences(self):
        records = _lifespan_records()
        self.assertGreaterEqual(sum(record["lifespan_record"] is not None for record in records.values()), 3)
        for builder_name, builder in LIFESPAN_BUILDERS.items():
            for server, record in records.items():
                with self.subTest(builder=builder_name, server=server):
                    if record["lifespan_record"] is None:
                        self.skipTest(f"{server} never calls the app with a lifespan scope: nothing to compare")
                    unnamed = _unnamed_differences(await builder(), _lifespan_server_view_for(builder_name, record), LIFESPAN_CASE, server)
                    lines = [f"  {key}: kit {_show(k)}, {server} {_show(s)}" for key, (k, s) in unnamed.items()]
                    self.assertEqual(unnamed, {}, f"{builder_name} differs from {server} on the lifespan scope, not named in DELIBERATE_DIFFERENCES:\n" + "\n".join(lines))

    async def test_client_sends_lifespan_events_in_the_servers_order(self):
        kit = await lifespan_view_from_client()
        for server, record in _lifespan_records().items():
            if record["lifespan_record"] is not None:
                with self.subTest(server=server):
                    self.assertEqual(kit[LIFESPAN_EVENTS], lifespan_server_view(record)[LIFESPAN_EVENTS])


@fixtures.skip_without_fixtures
class TranslationEntryTests(unittest.TestCase):
    """The "<case>" entries of DELIBERATE_DIFFERENCES: how raw requests become kit calls, for both interfaces."""

    def test_every_translation_entry_is_still_needed(self):
        translated = set()
        for interface, every in (("wsgi", _wsgi_cases()), ("asgi", _asgi_cases())):
            for case, records in every.items():
                if interface == "asgi" and _is_websocket(records):
                    continue
                for server, record in records.items():
                    siblings = [other for name, other in records.items() if name != server]
                    if not record["app_called"]:
                        continue
                    if interface == "wsgi":
                        request = wsgi_kit_request(case, record, siblings)
                    else:
                        request = asgi_kit_request(server, record, siblings)
                    if request.translated:
                        translated.add(case)
        stale = sorted(name for name in DELIBERATE_DIFFERENCES if entry_interface(name) == "translation" and name not in translated)
        self.assertEqual(stale, [], "DELIBERATE_DIFFERENCES says how to translate cases that need no translating any more")


class FixtureLoaderTests(unittest.TestCase):
    """tests/fixtures.py: type marks and raw requests."""

    def test_decode_restores_bytes_and_tuples_recursively(self):
        marked = {"a": {"$bytes": "caf\u00e9"}, "b": [{"$tuple": [1, {"$bytes": "x"}]}], "c": {"$object": "m.T", "$repr": "<T>"}}
        self.assertEqual(fixtures.decode(marked), {"a": b"caf\xe9", "b": [(1, b"x")], "c": {"$object": "m.T", "$repr": "<T>"}})

    def test_parse_request_dechunks_body_and_keeps_header_whitespace(self):
        raw = fixtures.parse_request("POST /c?x=1 HTTP/1.1\r\nHost: h:1\r\nX-Pad:  v \r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        self.assertEqual((raw.method, raw.target, raw.version), ("POST", "/c?x=1", "HTTP/1.1"))
        self.assertEqual(raw.headers[1], ("X-Pad", "  v "))
        self.assertEqual(raw.header("x-pad"), "v")
        self.assertEqual((raw.body, raw.chunks), (b"abcde", (b"abc", b"de")))

    def test_parse_request_keeps_a_content_length_body(self):
        raw = fixtures.parse_request("PUT / HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi")
        self.assertEqual((raw.version, raw.body, raw.chunks, raw.header("host")), ("HTTP/1.0", b"hi", None, None))

    def test_root_path_of_reads_the_mount_prefix_from_the_command(self):
        self.assertEqual(fixtures.root_path_of({"command": "SCRIPT_NAME=/mnt python -m gunicorn -b x"}), "/mnt")
        self.assertEqual(fixtures.root_path_of({"command": "python -m waitress --url-prefix=/mnt app"}), "/mnt")
        self.assertEqual(fixtures.root_path_of({"command": "python -m hypercorn --root-path /mnt app"}), "/mnt")
        self.assertEqual(fixtures.root_path_of({"command": "python -m gunicorn -b x app"}), "")


if __name__ == "__main__":
    unittest.main()
