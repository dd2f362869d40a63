"""Compare what the kit hands an app with what real servers handed one, from the recorded fixtures.

The fixtures in ../shared/fixtures hold, per server and case, the raw request
bytes a client sent and everything the app received (see tests/fixtures.py).
For every recorded case the raw request is translated into the equivalent kit
call, the kit builds its environ (or scope), and the two are compared key by
key and type by type. Ports and the other per-run values are compared by
type. Every place where the kit deliberately differs is named, with the
reason, in DELIBERATE_DIFFERENCES below; anything else that differs fails.
One TestCase class per interface (WSGIEnvironTests, ...).
"""

from __future__ import annotations

import os
import re
import unittest
from typing import Any, Callable, NamedTuple

from asgiwsgi_testkit import WSGITestClient, make_environ
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
# <KEY> is an environ key, or one of the pseudo-keys "<body read>", "<read(1) after the
# body>" and "<os.environ keys copied>" for what the app observed beyond the keys.
# "<case>" entries are shared by the interfaces (the raw requests are the same), so their
# text stays interface-neutral; scope keys (lower-case) can join the table the same way.
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
        "a lower-case method cannot be sent: the kit upper-cases it; compared with wsgiref, the"
        " only server that called the app"
    ),
    "http10_no_host": "HTTP/1.0 is given with server_protocol='HTTP/1.0'; the Host header cannot be left out",
    "http11_no_host": "the Host header cannot be left out; base_url names the server's address",
    "disconnect_mid_body": (
        "the client announced 100 bytes, sent 10 and closed: given as Content-Length: 100 with"
        " the 10-byte body, so read(100) returns those 10 bytes as on gunicorn and wsgiref;"
        " waitress never called the app"
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
        "only the first request is compared: no server reached the app with the second one"
        " (each closed the connection after the first response)"
    ),
    "root_path__prefixed": "server mounted at /mnt: base_url ends in /mnt and the path is given below it",
    "root_path__unprefixed": (
        "server mounted at /mnt, request outside it: given as an absolute URL on the same origin,"
        " with base_url ending in /mnt"
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
})


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
# WSGI: raw request bytes -> the equivalent kit call
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
    text = fixtures.request_of(record, siblings)
    raw = fixtures.parse_request(text)
    environ = record["app"]["environ"]
    translated = False
    host = raw.header("host")
    if record["client"].get("request") is None:
        host = environ.get("HTTP_HOST", host)  # bytes from a sibling record: use this run's Host
        translated = True
    if host is None:
        host = f"127.0.0.1:{environ['SERVER_PORT']}"
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
        if target == root or target.startswith(root + "/") or target.startswith(root + "?"):
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
        self.assertEqual(sorted(KIT_FOLLOWS_NO_SERVER - used), [], "entries of KIT_FOLLOWS_NO_SERVER no longer needed")

    def test_every_named_wsgi_difference_is_still_needed(self):
        wsgi_servers = set(fixtures.servers("wsgi"))
        used = set()
        for builder in BUILDERS.values():
            for case, server, kit, real, request in self._comparisons(builder):
                if request.translated:
                    used.add(case)
                for key in set(kit) | set(real):
                    if kit.get(key, ABSENT) != real.get(key, ABSENT):
                        used.add(named_difference(case, server, key))

        def is_wsgi_entry(name: str) -> bool:
            prefix, _, key = name.rpartition("/")
            if not prefix:
                return name in self.cases or re.match(r"[A-Z0-9_]+\Z|(wsgi|gunicorn|waitress)\.|<", name) is not None
            return prefix in wsgi_servers or (prefix in self.cases and re.match(r"[A-Z0-9_]+\Z|wsgi\.|<", key) is not None)

        stale = sorted(name for name in DELIBERATE_DIFFERENCES if is_wsgi_entry(name) and name not in used)
        self.assertEqual(stale, [], "DELIBERATE_DIFFERENCES entries that no WSGI comparison needs any more")

    def test_every_recorded_wsgi_case_is_compared_with_at_least_one_server(self):
        # A case every server refused would compare nothing; the kit must still build it.
        self.assertGreaterEqual(len(self.cases), 40, f"only {len(self.cases)} WSGI cases found in {fixtures.FIXTURES_DIR}")
        for case, records in self.cases.items():
            with self.subTest(case=case):
                self.assertTrue(any(r["app_called"] for r in records.values()), f"no WSGI server called the app for {case}")


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
