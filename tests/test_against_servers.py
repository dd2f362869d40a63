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
ASGIWebSocketTests the WebSocket cases (the scope, what the app received and
what its send() did, what the client saw), TranslationEntryTests the "<case>"
entries both interfaces share.
"""

from __future__ import annotations

import asyncio
import os
import re
import unittest
from functools import lru_cache
from typing import Any, Callable, NamedTuple

from asgiwsgi_testkit import (
    ASGITestClient,
    ProtocolError,
    WebSocketDenied,
    WSGITestClient,
    call_asgi,
    make_environ,
    make_scope,
    make_websocket_scope,
)
from tests import fixtures

# --------------------------------------------------------------------------------------
# The one table of deliberate differences.
#
# Keys, most specific first (the first that exists names a difference):
#   "<case>/<KEY>"    that key in that case only
#   "<server>/<KEY>"  that key on that server only
#   "websocket/<KEY>" that key in every WebSocket case (looked up before "<KEY>")
#   "<KEY>"           that key everywhere
#   "<case>"          how the case's raw request is translated into a kit call, where the
#                     bytes say something the kit cannot (or does not) express
# <KEY> is an environ key (upper-case or dotted) or a scope key (a lower-case word), or a
# pseudo-key for what the app observed beyond them: WSGI "<body read>", "<read(1) after the
# body>", "<os.environ keys copied>"; ASGI "<body events>", "<receive() before the
# response>", "<next receive() after the response>", ..., and for WebSocket cases
# "<handshake>", "<websocket.disconnect>", ... (ASGI_PSEUDO_KEYS).
# "<case>" entries are shared by the interfaces (the raw requests are the same), so their
# text stays interface-neutral.
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
        "hypercorn says spec_version '2.1' (HTTP) and '2.3' (WebSocket); the kit sends uvicorn's"
        " {'version': '3.0', 'spec_version': '2.3'} for HTTP and '2.4' for WebSocket (SPEC"
        " section 5): it implements those versions' keys"
    ),
    "daphne/asgi": "daphne leaves spec_version out; the kit sends uvicorn's (see hypercorn/asgi)",
    "daphne/server": "daphne gives a list; the kit gives a (host, port) tuple, like uvicorn and hypercorn",
    "daphne/client": "daphne gives a list; the kit gives a (host, port) tuple, like uvicorn and hypercorn",
    "daphne/http_version": "on a WebSocket scope daphne leaves http_version out; the kit gives '1.1' like uvicorn and hypercorn",
    "daphne/scheme": "on a WebSocket scope daphne leaves scheme out; the kit gives 'ws' like uvicorn and hypercorn",
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
    # -- ASGI WebSocket ------------------------------------------------------------------
    "websocket/extensions": (
        "the kit advertises {'websocket.http.response': {}} on a WebSocket scope (it takes"
        " denial responses), like uvicorn and hypercorn; daphne leaves extensions out"
    ),
    "ws_accept_subprotocols_echo/headers": (
        "the kit passes the handshake headers as sent, like uvicorn-h11 and hypercorn;"
        " uvicorn-httptools (wsproto) removes sec-websocket-protocol and daphne joins the two"
        " X-Dup lines into 'a,b'"
    ),
    "hypercorn/<websocket.receive events>": (
        "hypercorn sets the unused key of websocket.receive to None ({'text': 'h\u00e9llo',"
        " 'bytes': None}); the kit sends only the key in use, like uvicorn and daphne (both"
        " valid ASGI)"
    ),
    "hypercorn/<websocket.disconnect>": (
        "hypercorn reports every close by the client as code 1006 without reason, answers the"
        " app's own close with 1000, and never gives the app websocket.disconnect after a"
        " refused handshake; the kit gives the client's code and reason, the app's code and"
        " reason back, and 1006 after a refusal, like uvicorn"
    ),
    "daphne/<websocket.disconnect>": (
        "daphne leaves the reason key out; the kit always includes it ('' when none was"
        " given), like uvicorn"
    ),
    "hypercorn/<receive() after websocket.disconnect>": (
        "after websocket.disconnect the kit's receive() returns websocket.disconnect (code"
        " 1005) again at once, like uvicorn; hypercorn and daphne block, which would hang a"
        " test until its timeout"
    ),
    "daphne/<receive() after websocket.disconnect>": "see hypercorn/<receive() after websocket.disconnect>",
    "hypercorn/<send() after websocket.disconnect>": (
        "the app's send() after the client disconnected raises ClientDisconnected, an OSError"
        " (ASGI WebSocket spec 2.4, SPEC section 6), like uvicorn; hypercorn and daphne"
        " silently drop the message"
    ),
    "daphne/<send() after websocket.disconnect>": "see hypercorn/<send() after websocket.disconnect>",
    "daphne/<handshake>": (
        "daphne ignores the headers of websocket.accept (no x-accept-header reached the"
        " client) and, not advertising 'websocket.http.response', had the recorder refuse with"
        " websocket.close (403) where the others sent its 401 denial response; the kit sends"
        " both, like uvicorn and hypercorn"
    ),
    "daphne/<frames to the client>": "daphne drops the reason of the app's close frame; the kit gives it, like uvicorn and hypercorn",
    "ws_client_close_nocode/<websocket.disconnect>": (
        "see ws_client_close_nocode: the kit's client leaves the block, so the app receives"
        " code 1000 and reason ''; uvicorn gave 1005, hypercorn 1006, daphne None"
    ),
    "ws_client_drop_tcp/<websocket.disconnect>": (
        "see ws_client_drop_tcp: the kit's client leaves the block, so the app receives code"
        " 1000 and reason ''; uvicorn gave 1005, hypercorn and daphne 1006"
    ),
    "ws_client_drop_tcp/<receive() after websocket.disconnect>": (
        "see ws_client_drop_tcp: after the dropped connection every server's next receive()"
        " blocked, uvicorn's too; the kit's client left cleanly, after which receive() gives"
        " websocket.disconnect (code 1005) again at once, as uvicorn does after a close"
    ),
    "ws_app_close_code/<send() after websocket.disconnect>": (
        "the recorder sent websocket.send after its own websocket.close: the kit's validator"
        " (on by default) raises ProtocolError [asgi.websocket.after-close]; with"
        " validate=False the send raises ClientDisconnected (an OSError) as on uvicorn;"
        " hypercorn and daphne dropped the message"
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
    "root_path__ws": "server mounted at /mnt: translated like root_path__prefixed, as a WebSocket",
    "ws_client_close_nocode": (
        "a close frame without a status code cannot be sent: close() takes a code a client may"
        " send (1005 is reserved, RFC 6455 7.4.1); the kit's client leaves the block instead"
    ),
    "ws_client_drop_tcp": (
        "an in-process client has no TCP connection to drop without a close frame; the kit's"
        " client leaves the block instead"
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
    "ws_client_close_nocode/<websocket.disconnect>",
    "ws_client_drop_tcp/<websocket.disconnect>",
    "ws_app_close_code/<send() after websocket.disconnect>",
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
    websocket = (f"websocket/{key}",) if case in _websocket_case_names() else ()
    for name in (f"{case}/{key}", f"{server}/{key}", *websocket, key):
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


def wsgi_kit_request(server: str, record: dict[str, Any], siblings: list[dict[str, Any]]) -> KitRequest:
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


def _recorded_cases(interface: str) -> dict[str, dict[str, dict[str, Any]]]:
    """{case: {server: record}} for every case recorded on a server of `interface` ('wsgi' or 'asgi')."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for server in fixtures.servers(interface):
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


# --------------------------------------------------------------------------------------
# The checks each interface's comparison makes (WSGI, ASGI HTTP, ASGI WebSocket)
# --------------------------------------------------------------------------------------


def _each_record(cases: dict[str, dict[str, dict[str, Any]]]):
    """Yield (case, server, record, siblings) for every record of {case: {server: record}}."""
    for case, records in cases.items():
        for server, record in records.items():
            yield case, server, record, [other for name, other in records.items() if name != server]


def _called(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{server: record} for the servers that called the app."""
    return {server: record for server, record in records.items() if record["app_called"]}


def _unnamed_differences(kit: dict[str, Any], real: dict[str, Any], case: str, server: str) -> dict[str, tuple[Any, Any]]:
    return {
        key: (kit.get(key, ABSENT), real.get(key, ABSENT))
        for key in sorted(set(kit) | set(real))
        if kit.get(key, ABSENT) != real.get(key, ABSENT) and named_difference(case, server, key) is None
    }


def _entries_used(case: str, server: str, kit: dict[str, Any], real: dict[str, Any]) -> set[str | None]:
    """The table entries that name the keys where `kit` and `real` differ (None for an unnamed key)."""
    return {named_difference(case, server, key) for key in set(kit) | set(real) if kit.get(key, ABSENT) != real.get(key, ABSENT)}


def _stale_entries(interface: str, used: set[str | None]) -> list[str]:
    """The table entries of `interface` (see entry_interface) that no comparison used."""
    return sorted(name for name in DELIBERATE_DIFFERENCES if entry_interface(name) == interface and name not in used)


def _case_or_bare_key(case: str, key: str) -> tuple[str, ...]:
    return (f"{case}/{key}", key)


class Interface(NamedTuple):
    """What a ServerComparisons class compares: one interface's kit calls and server views."""

    label: str  # as messages name the interface
    builders: dict[str, Callable[..., Any]]  # builder name -> (kit request -> the kit's view)
    kit_request: Callable[..., Any]  # (server, record, siblings) -> the kit request
    server_view_for: Callable[[str, dict[str, Any]], dict[str, Any]]  # (builder name, record) -> the server's view
    without_port: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]  # (view, record) -> the view, port masked
    owns_exception: Callable[[str], bool]  # whether the agreement test must use that KIT_FOLLOWS_NO_SERVER entry
    follows_no_server_names: Callable[[str, str], tuple[str, ...]] = _case_or_bare_key  # (case, key) -> names to try


class ServerComparisons:
    """The checks shared by the classes that compare one interface with its servers, case by case.

    A class mixes this in before its TestCase, sets `interface` and sets `cases`
    ({case: {server: record}}) in setUpClass.
    """

    interface: Interface

    def _request_to_compare(self, case: str, server: str, record: dict[str, Any], siblings: list[dict[str, Any]]) -> Any:
        """The kit request for a record, inside its subTest: skipped when the server did not call the app."""
        if not record["app_called"]:
            self.skipTest(_not_called_reason(server, record))
        request = self.interface.kit_request(server, record, siblings)
        if request.translated:
            self.assertTrue(case in DELIBERATE_DIFFERENCES, f"case {case!r} needs translating: say how in DELIBERATE_DIFFERENCES[{case!r}]")
        return request

    def _assert_only_named_differences(self, builder_name: str, case: str, server: str, kit: dict[str, Any], real: dict[str, Any], subject: str = "") -> None:
        unnamed = _unnamed_differences(kit, real, case, server)
        lines = [f"  {key}: kit {_show(k)}, {server} {_show(s)}" for key, (k, s) in unnamed.items()]
        self.assertEqual(unnamed, {}, f"{builder_name} differs from {server} on {subject or case}, not named in DELIBERATE_DIFFERENCES:\n" + "\n".join(lines))

    def _cases_to_agree_on(self):
        """Yield (builder name, builder, case, records, server views) where two or more servers called the app.

        The server views map each server that called the app to its view, ports masked.
        """
        for builder_name, builder in self.interface.builders.items():
            for case, records in self.cases.items():
                called = _called(records)
                if len(called) >= 2:
                    real = {server: self.interface.without_port(self.interface.server_view_for(builder_name, record), record) for server, record in called.items()}
                    yield builder_name, builder, case, records, real

    def _assert_kit_follows_a_server(self, builder_name: str, case: str, real: dict[str, Any], kit: dict[str, Any], used: set[str]) -> None:
        """Where the servers' views disagree on a key, the kit's view for some server agrees with that server's.

        `real` and `kit` map each server that called the app to its view and to the kit's,
        ports masked. A key KIT_FOLLOWS_NO_SERVER names (added to `used`) must agree with none.
        """
        for key in sorted(set().union(*real.values(), *kit.values())):
            values = {server: view.get(key, ABSENT) for server, view in real.items()}
            if all(value == values[next(iter(values))] for value in values.values()):
                continue
            with self.subTest(builder=builder_name, case=case, key=key):
                agree = [server for server in real if kit[server].get(key, ABSENT) == values[server]]
                exception = next((name for name in self.interface.follows_no_server_names(case, key) if name in KIT_FOLLOWS_NO_SERVER), None)
                if exception is not None:
                    used.add(exception)
                    self.assertEqual(agree, [], f"{exception!r} is in KIT_FOLLOWS_NO_SERVER but the kit agrees with {agree}")
                else:
                    shown = ", ".join(f"{server} {_show(value)}" for server, value in values.items())
                    mine = ", ".join(f"for {server} {_show(view.get(key, ABSENT))}" for server, view in kit.items())
                    self.assertNotEqual(agree, [], f"{builder_name} gives {mine} for {key} in {case}; the servers: {shown}")

    def _assert_every_exception_used(self, used: set[str]) -> None:
        unused = sorted(name for name in KIT_FOLLOWS_NO_SERVER - used if self.interface.owns_exception(name))
        self.assertEqual(unused, [], f"{self.interface.label} entries of KIT_FOLLOWS_NO_SERVER no longer needed")


@fixtures.skip_without_fixtures
class WSGIEnvironTests(ServerComparisons, unittest.TestCase):
    """make_environ() and WSGITestClient against gunicorn, waitress and wsgiref, case by case."""

    maxDiff = None
    interface = Interface(
        "WSGI", BUILDERS, wsgi_kit_request, lambda builder_name, record: server_view(record), _without_port,
        owns_exception=lambda name: entry_interface(name) == "wsgi",
    )

    @classmethod
    def setUpClass(cls) -> None:
        cls.cases = _recorded_cases("wsgi")

    def _check_each_server(self, builder_name: str) -> None:
        for case, server, record, siblings in _each_record(self.cases):
            with self.subTest(builder=builder_name, case=case, server=server):
                request = self._request_to_compare(case, server, record, siblings)
                self._assert_only_named_differences(builder_name, case, server, self.interface.builders[builder_name](request), self.interface.server_view_for(builder_name, record))

    def test_make_environ_matches_each_server_except_named_differences(self):
        self._check_each_server("make_environ")

    def test_client_environ_matches_each_server_except_named_differences(self):
        self._check_each_server("WSGITestClient")

    def test_kit_agrees_with_a_server_wherever_the_servers_disagree(self):
        # Where the servers that called the app disagree on a key, the kit must do what at
        # least one of them does, unless KIT_FOLLOWS_NO_SERVER names the key for that case.
        # The kit's request is the first server's, its view compared with every server's.
        self.assertLessEqual(KIT_FOLLOWS_NO_SERVER, set(DELIBERATE_DIFFERENCES), "KIT_FOLLOWS_NO_SERVER names entries that are not in the table")
        used: set[str] = set()
        for builder_name, builder, case, records, real in self._cases_to_agree_on():
            first_server = next(iter(real))
            first = records[first_server]
            siblings = [record for record in records.values() if record is not first]
            kit = self.interface.without_port(builder(self.interface.kit_request(first_server, first, siblings)), first)
            self._assert_kit_follows_a_server(builder_name, case, real, dict.fromkeys(real, kit), used)
        self._assert_every_exception_used(used)

    def test_every_named_wsgi_difference_is_still_needed(self):
        used: set[str | None] = set()
        for case, server, record, siblings in _each_record(self.cases):
            if record["app_called"]:
                request = self.interface.kit_request(server, record, siblings)
                for builder_name, builder in self.interface.builders.items():
                    used |= _entries_used(case, server, builder(request), self.interface.server_view_for(builder_name, record))
        self.assertEqual(_stale_entries("wsgi", used), [], "DELIBERATE_DIFFERENCES entries that no WSGI comparison needs any more")

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
# WebSocket cases: what the client saw of the handshake ((status, the headers the app
# chose, denial body) with the subprotocol as sec-websocket-protocol), the messages the app
# received, its first websocket.disconnect (or BLOCKED), the receive() after that, what its
# send() after the disconnect did ('ok' or the exception's kind), and the frames the client
# received from the app (the server's answer to a close the client started is left out).
HANDSHAKE = "<handshake>"
WS_MESSAGES = "<websocket.receive events>"
WS_DISCONNECT = "<websocket.disconnect>"
WS_RECEIVE_AFTER = "<receive() after websocket.disconnect>"
WS_SEND_AFTER = "<send() after websocket.disconnect>"
WS_FRAMES = "<frames to the client>"
WEBSOCKET_PSEUDO_KEYS = frozenset({HANDSHAKE, WS_MESSAGES, WS_DISCONNECT, WS_RECEIVE_AFTER, WS_SEND_AFTER, WS_FRAMES})
ASGI_PSEUDO_KEYS = frozenset({BODY_EVENTS, RECEIVE_BEFORE, RECEIVE_PENDING, LIFESPAN_EVENTS, *_RECEIVE_LABELS.values(), *WEBSOCKET_PSEUDO_KEYS})
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


# --------------------------------------------------------------------------------------
# ASGI WebSocket: what the app and the client observed, and the kit's calls
# --------------------------------------------------------------------------------------

# The handshake response headers compared: the subprotocol the app chose, a denial
# response's own header, and the header the recorder put in websocket.accept.
_HANDSHAKE_HEADERS = ("sec-websocket-protocol", "www-authenticate", "x-accept-header")
# Handshake headers the kit generates itself (its own are compared, so the raw request's are
# not passed on); sec-websocket-key, a random nonce per connection, is compared as b'<key>'.
_GENERATED_HANDSHAKE_HEADERS = frozenset({"upgrade", "connection", "sec-websocket-key", "sec-websocket-version"})
# The client's recorded steps, as kit session calls: ('text', str), ('binary', bytes) and
# ('receive', None) each read one message; ('close', (code, reason)); ('leave', None) for
# what an in-process client cannot do (the case needs its "<case>" entry).
_STEPS = (
    (re.compile(r"sent text '(.*)'\Z"), lambda m: ("text", m.group(1))),
    (re.compile(r"sent binary ((?:[0-9a-f]{2} ?)+)\Z"), lambda m: ("binary", bytes.fromhex(m.group(1)))),
    (re.compile(r"sent close (\d+)(?: '(.*)')?\Z"), lambda m: ("close", (int(m.group(1)), m.group(2) or ""))),
    (re.compile(r"sent close with empty payload\Z|closed TCP without a close frame\Z"), lambda m: ("leave", None)),
    (re.compile(r"answered with close \d+\Z"), lambda m: ("receive", None)),
    (re.compile(r"server closed the TCP connection\Z"), lambda m: None),
)


def _websocket_cases() -> dict[str, dict[str, dict[str, Any]]]:
    return {case: records for case, records in _recorded_cases("asgi").items() if _is_websocket(records)}


@lru_cache(maxsize=None)
def _websocket_case_names() -> frozenset[str]:
    return frozenset(_websocket_cases()) if fixtures.fixtures_available() else frozenset()


def _is_websocket_entry(name: str) -> bool:
    """True for a table entry only WebSocket comparisons use ('websocket/<KEY>' or '<ws case>/<KEY>')."""
    prefix = name.rpartition("/")[0]
    return prefix == "websocket" or prefix in _websocket_case_names()


def _close_code(code: Any) -> Any:
    """A close code as an int: wsproto and websockets give IntEnum members, recorded as objects."""
    if isinstance(code, dict) and "$repr" in code:
        return int(re.search(r"(\d+)>\Z", code["$repr"]).group(1))
    return code


def _ws_event(event: dict[str, Any]) -> dict[str, Any]:
    return {key: _close_code(value) if key == "code" else value for key, value in event.items()}


def _mask_key(view: dict[str, Any]) -> dict[str, Any]:
    """`view` with the sec-websocket-key header value as b'<key>'."""
    if "headers" not in view:
        return view
    type_name, pairs = view["headers"]
    return {**view, "headers": (type_name, [(name, b"<key>" if name == b"sec-websocket-key" else value) for name, value in pairs])}


def _handshake(status: int, headers: Any, body: bytes | None) -> tuple[Any, ...]:
    return (status, tuple((name, headers.get(name)) for name in _HANDSHAKE_HEADERS), body or None)


def websocket_server_view(record: dict[str, Any]) -> dict[str, Any]:
    """What the recorded app observed on an ASGI server in a WebSocket case, and what its client saw."""
    app, client = record["app"], record["client"]
    view = _mask_key(_scope_view(app["scope"]))
    messages = []
    for entry in app["receive_events"]:
        label, event = entry["label"], entry.get("event")
        if label == "connect":
            continue
        if label == "receive_after_disconnect":
            view[WS_RECEIVE_AFTER] = BLOCKED if event is None else _ws_event(event)
        elif event is None and entry.get("result") == "timeout":
            view[WS_DISCONNECT] = BLOCKED
        elif event["type"] == "websocket.receive":
            messages.append(_ws_event(event))
        elif event["type"] == "websocket.disconnect" and WS_DISCONNECT not in view:
            view[WS_DISCONNECT] = _ws_event(event)
        else:
            raise ValueError(f"unknown receive() record {entry!r} in {record['server']}/{record['case']}")
    view[WS_MESSAGES] = tuple(messages)
    if app["mode"] in ("", "app_close"):  # the recorder's last send() came after the disconnect
        last = app["send_results"][-1]
        view[WS_SEND_AFTER] = "ok" if last.get("result") == "ok" else "OSError" if last.get("is_oserror") else last["raised"].rpartition(".")[2]
    response = client["handshake_response"]
    headers = {name.lower(): value for name, value in response["headers"]}
    view[HANDSHAKE] = _handshake(response["status"], headers, response.get("body", "").encode("latin-1"))
    client_closed = any(step.startswith("sent close") for step in client.get("steps") or ())
    frames = []
    for frame in client.get("frames") or ():
        if frame["kind"] == "text":
            frames.append(("text", frame["text"]))
        elif frame["kind"] == "binary":
            frames.append(("binary", frame["bytes_latin1"].encode("latin-1")))
        elif frame["kind"] == "close" and not client_closed:
            frames.append(("close", frame["code"], frame.get("reason", "")))
    view[WS_FRAMES] = tuple(frames)
    return view


def _websocket_server_view_for(builder_name: str, record: dict[str, Any]) -> dict[str, Any]:
    """The server's view; the scope keys only for make_websocket_scope, which builds the scope only."""
    view = websocket_server_view(record)
    if builder_name == "make_websocket_scope":
        view = {key: value for key, value in view.items() if key not in WEBSOCKET_PSEUDO_KEYS}
    return view


class WebSocketKitRequest(NamedTuple):
    """The kit WebSocket session equivalent to one recorded handshake and what the client then did."""

    path: str
    headers: list[tuple[str, str]]
    subprotocols: list[str] | None
    base_url: str
    steps: tuple[tuple[str, Any], ...]
    translated: bool


def websocket_kit_request(server: str, record: dict[str, Any], siblings: list[dict[str, Any]]) -> WebSocketKitRequest:
    """Translate a WebSocket record's handshake and client steps into the kit's websocket_connect() session."""
    request = asgi_kit_request(server, record, siblings)
    headers = [(name, value) for name, value in request.headers if name.lower() not in _GENERATED_HANDSHAKE_HEADERS]
    offered = next((value for name, value in headers if name.lower() == "sec-websocket-protocol"), None)
    steps = []
    for text in record["client"].get("steps") or ():
        match, make = next(((pattern.match(text), make) for pattern, make in _STEPS if pattern.match(text)), (None, None))
        if match is None:
            raise ValueError(f"unknown client step {text!r} in {server}/{record['case']}")
        if make(match) is not None:
            steps.append(make(match))
    translated = request.translated or any(kind == "leave" for kind, _ in steps)
    subprotocols = [item.strip() for item in offered.split(",")] if offered else None
    return WebSocketKitRequest(request.path, headers, subprotocols, request.base_url, tuple(steps), translated)


async def _websocket_probe(receive: Callable[..., Any]) -> Any:
    """What one receive() gives within a few turns of the loop (as _receive_outcome), or BLOCKED."""
    task = asyncio.ensure_future(receive())
    try:
        for _ in range(_TURNS_BEFORE_BLOCKED):
            if task.done():
                break
            await asyncio.sleep(0)  # one turn of the loop, not a wait
        return _ws_event(task.result()) if task.done() else BLOCKED
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class WebSocketRecorder(ScopeRecorder):
    """ScopeRecorder that answers WebSocket scopes as the fixtures' recorder app did, per X-Capture-Mode.

    '' (echo): accepts with the last offered subprotocol and x-accept-header,
    echoes 'echo:' + each message until websocket.disconnect, then sends once
    more and receives once more; 'deny': closes before accepting;
    'denial_response': a 401 denial response when the scope offers it;
    'app_close': accepts, closes with 4001 'app says bye', receives, sends.
    `swallowed` is the ProtocolError its send() raised, if any.
    """

    swallowed: BaseException | None = None

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _websocket(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        view = _mask_key(_scope_view({**scope, "state": dict(scope["state"])} if "state" in scope else scope))
        self.views.append(view)
        await receive()  # websocket.connect
        mode = dict(scope["headers"]).get(b"x-capture-mode", b"").decode("latin-1")
        if mode == "deny" or (mode == "denial_response" and "websocket.http.response" not in scope.get("extensions", {})):
            await send({"type": "websocket.close"})
        elif mode == "denial_response":
            await send({"type": "websocket.http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain"), (b"www-authenticate", b"Bearer")]})
            await send({"type": "websocket.http.response.body", "body": b"denied by app"})
        else:
            offered = scope["subprotocols"]
            await send({"type": "websocket.accept", "subprotocol": offered[-1] if offered else None, "headers": [(b"x-accept-header", b"yes")]})
        messages: list[dict[str, Any]] = []
        if mode == "app_close":
            await send({"type": "websocket.close", "code": 4001, "reason": "app says bye"})
        if mode in ("deny", "denial_response", "app_close"):
            view[WS_DISCONNECT] = await _websocket_probe(receive)
        else:
            while True:
                event = await receive()
                if event["type"] == "websocket.disconnect":
                    view[WS_DISCONNECT] = _ws_event(event)
                    break
                messages.append(dict(event))
                text, data = event.get("text"), event.get("bytes")
                await send({"type": "websocket.send", "text": "echo:" + text} if text is not None else {"type": "websocket.send", "bytes": b"echo:" + data})
        view[WS_MESSAGES] = tuple(messages)
        if mode in ("", "app_close"):
            view[WS_SEND_AFTER] = await self._send_outcome(send)
        if mode == "":
            view[WS_RECEIVE_AFTER] = await _websocket_probe(receive)

    async def _send_outcome(self, send: Callable[..., Any]) -> str:
        try:
            await send({"type": "websocket.send", "text": "after the disconnect"})
        except OSError:
            return "OSError"
        except ProtocolError as error:
            self.swallowed = error
            return f"ProtocolError [{error.rule}]"
        return "ok"


def _kit_frame(event: dict[str, Any]) -> tuple[Any, ...]:
    if event["type"] == "websocket.close":
        return ("close", event["code"], event["reason"])
    return ("text", event["text"]) if event.get("text") is not None else ("binary", event["bytes"])


async def websocket_view_from_make_websocket_scope(request: WebSocketKitRequest) -> dict[str, Any]:
    """make_websocket_scope() for the handshake: the scope only."""
    scope = make_websocket_scope(request.path, headers=request.headers, subprotocols=request.subprotocols, base_url=request.base_url, state=ScopeRecorder.startup_state())
    return _mask_key(_scope_view(scope))


async def websocket_view_from_client(request: WebSocketKitRequest, *, validate: bool = True) -> dict[str, Any]:
    """Run the session with ASGITestClient (lifespan on) against a WebSocketRecorder; what the app and the test saw."""
    recorder = WebSocketRecorder()
    frames = []
    async with ASGITestClient(recorder, base_url=request.base_url, lifespan="on", validate=validate) as client:
        try:
            async with client.websocket_connect(request.path, subprotocols=request.subprotocols, headers=request.headers) as ws:
                chosen = {name: ws.accept_headers.get(name) for name in _HANDSHAKE_HEADERS}
                handshake = _handshake(101, {**chosen, "sec-websocket-protocol": ws.subprotocol}, None)
                for kind, argument in request.steps:
                    if kind == "text":
                        await ws.send_text(argument)
                    elif kind == "binary":
                        await ws.send_bytes(argument)
                    elif kind == "close":
                        await ws.close(*argument)
                    if kind in ("text", "binary", "receive"):
                        frames.append(_kit_frame(await ws.receive()))
        except WebSocketDenied as denied:
            response = denied.response
            handshake = _handshake(denied.status_code, response.headers if response is not None else {}, response.body if response is not None else None)
        except ProtocolError as error:
            if error is not recorder.swallowed:  # the validator re-raises what the recorder swallowed
                raise
    _assert_nothing_pending()
    if len(recorder.views) != 1:
        raise AssertionError(f"the recording app was called {len(recorder.views)} times")
    view = recorder.views[0]
    view[HANDSHAKE] = handshake
    view[WS_FRAMES] = tuple(frames)
    return view


WEBSOCKET_BUILDERS = {
    "make_websocket_scope": websocket_view_from_make_websocket_scope,
    "ASGITestClient": websocket_view_from_client,
}



class AsyncServerComparisons(ServerComparisons):
    """ServerComparisons' loops for the ASGI classes, whose builders are coroutines."""

    @classmethod
    async def entries_used(cls, cases: dict[str, dict[str, dict[str, Any]]]) -> set[str | None]:
        """The table entries that name a difference in any comparison of `cases` (see _entries_used)."""
        used: set[str | None] = set()
        for case, server, record, siblings in _each_record(cases):
            if record["app_called"]:
                request = cls.interface.kit_request(server, record, siblings)
                for builder_name, builder in cls.interface.builders.items():
                    used |= _entries_used(case, server, await builder(request), cls.interface.server_view_for(builder_name, record))
        return used

    async def _check_each_server(self, builder_name: str) -> None:
        for case, server, record, siblings in _each_record(self.cases):
            with self.subTest(builder=builder_name, case=case, server=server):
                request = self._request_to_compare(case, server, record, siblings)
                self._assert_only_named_differences(builder_name, case, server, await self.interface.builders[builder_name](request), self.interface.server_view_for(builder_name, record))

    async def test_kit_agrees_with_a_server_wherever_the_servers_disagree(self):
        # Where the servers that called the app disagree on a key, the kit must do what at least
        # one of them does (each server's request translated for that server, ports masked),
        # unless KIT_FOLLOWS_NO_SERVER names the key for that case (follows_no_server_names).
        used: set[str] = set()
        for builder_name, builder, case, records, real in self._cases_to_agree_on():
            kit = {}
            for server in real:
                record = records[server]
                siblings = [other for other in records.values() if other is not record]
                kit[server] = self.interface.without_port(await builder(self.interface.kit_request(server, record, siblings)), record)
            self._assert_kit_follows_a_server(builder_name, case, real, kit, used)
        self._assert_every_exception_used(used)


@fixtures.skip_without_fixtures
class ASGIScopeTests(AsyncServerComparisons, unittest.IsolatedAsyncioTestCase):
    """make_scope()/call_asgi() and ASGITestClient against uvicorn (h11, httptools), hypercorn and daphne, case by case."""

    maxDiff = None
    interface = Interface(
        "ASGI", ASGI_BUILDERS, asgi_kit_request, lambda builder_name, record: asgi_server_view(record), _asgi_without_port,
        owns_exception=lambda name: entry_interface(name) == "asgi" and not _is_websocket_entry(name),
    )

    @classmethod
    def setUpClass(cls) -> None:
        every = _recorded_cases("asgi")
        cls.websocket_cases = {case: records for case, records in every.items() if _is_websocket(records)}
        cls.cases = {case: records for case, records in every.items() if case not in cls.websocket_cases}

    async def test_make_scope_matches_each_server_except_named_differences(self):
        await self._check_each_server("make_scope")

    async def test_client_scope_matches_each_server_except_named_differences(self):
        await self._check_each_server("ASGITestClient")

    async def test_every_named_asgi_difference_is_still_needed(self):
        used = await self.entries_used(self.cases)
        for server, record in _lifespan_records().items():
            if record["lifespan_record"] is not None:
                for builder_name, builder in LIFESPAN_BUILDERS.items():
                    used |= _entries_used(LIFESPAN_CASE, server, await builder(), _lifespan_server_view_for(builder_name, record))
        used |= await ASGIWebSocketTests.entries_used(self.websocket_cases)
        self.assertEqual(_stale_entries("asgi", used), [], "DELIBERATE_DIFFERENCES entries that no ASGI comparison needs any more")

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
class ASGILifespanScopeTests(ServerComparisons, unittest.IsolatedAsyncioTestCase):
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
                    real = _lifespan_server_view_for(builder_name, record)
                    self._assert_only_named_differences(builder_name, LIFESPAN_CASE, server, await builder(), real, subject="the lifespan scope")

    async def test_client_sends_lifespan_events_in_the_servers_order(self):
        kit = await lifespan_view_from_client()
        for server, record in _lifespan_records().items():
            if record["lifespan_record"] is not None:
                with self.subTest(server=server):
                    self.assertEqual(kit[LIFESPAN_EVENTS], lifespan_server_view(record)[LIFESPAN_EVENTS])


@fixtures.skip_without_fixtures
class ASGIWebSocketTests(AsyncServerComparisons, unittest.IsolatedAsyncioTestCase):
    """make_websocket_scope() and ASGITestClient.websocket_connect() against uvicorn (h11, httptools), hypercorn and daphne, case by case."""

    maxDiff = None
    interface = Interface(
        "WebSocket", WEBSOCKET_BUILDERS, websocket_kit_request, _websocket_server_view_for, _asgi_without_port,
        owns_exception=_is_websocket_entry,
        # "<case>/<KEY>" or "websocket/<KEY>": the bare "<KEY>" entries of KIT_FOLLOWS_NO_SERVER are HTTP's.
        follows_no_server_names=lambda case, key: (f"{case}/{key}", f"websocket/{key}"),
    )

    @classmethod
    def setUpClass(cls) -> None:
        cls.cases = _websocket_cases()

    async def test_make_websocket_scope_matches_each_server_except_named_differences(self):
        await self._check_each_server("make_websocket_scope")

    async def test_client_session_matches_each_server_except_named_differences(self):
        await self._check_each_server("ASGITestClient")

    def test_every_recorded_websocket_case_is_compared(self):
        self.assertGreaterEqual(len(self.cases), 7, f"only {len(self.cases)} WebSocket cases found in {fixtures.FIXTURES_DIR}")
        for case, records in self.cases.items():
            with self.subTest(case=case):
                self.assertEqual([server for server, record in records.items() if not record["app_called"]], [])

    async def test_send_after_app_close_raises_os_error_like_uvicorn_without_validation(self):
        # ws_app_close_code/<send() after websocket.disconnect>: validated, the kit reports the
        # recorder's send after its own close as a ProtocolError; unvalidated it is uvicorn's OSError.
        record = fixtures.load("uvicorn-h11", "ws_app_close_code")
        request = websocket_kit_request("uvicorn-h11", record, [])
        validated = await websocket_view_from_client(request)
        unvalidated = await websocket_view_from_client(request, validate=False)
        self.assertEqual(validated[WS_SEND_AFTER], "ProtocolError [asgi.websocket.after-close]")
        self.assertEqual(unvalidated[WS_SEND_AFTER], "OSError")
        self.assertEqual(unvalidated[WS_SEND_AFTER], websocket_server_view(record)[WS_SEND_AFTER])
        self.assertEqual(unvalidated[WS_DISCONNECT], {"type": "websocket.disconnect", "code": 4001, "reason": "app says bye"})
        _assert_nothing_pending()

    async def test_echo_session_observes_what_uvicorn_h11_gave_its_app(self):
        # The whole conversation of ws_accept_subprotocols_echo, spelled out.
        record = fixtures.load("uvicorn-h11", "ws_accept_subprotocols_echo")
        view = await websocket_view_from_client(websocket_kit_request("uvicorn-h11", record, []))
        self.assertEqual(view[WS_MESSAGES], ({"type": "websocket.receive", "text": "h\u00e9llo"}, {"type": "websocket.receive", "bytes": b"\x00\x01\xff"}))
        self.assertEqual(view[WS_DISCONNECT], {"type": "websocket.disconnect", "code": 1000, "reason": "done"})
        self.assertEqual(view[WS_RECEIVE_AFTER], {"type": "websocket.disconnect", "code": 1005})
        self.assertEqual(view[WS_SEND_AFTER], "OSError")
        self.assertEqual(view[HANDSHAKE], (101, (("sec-websocket-protocol", "superchat"), ("www-authenticate", None), ("x-accept-header", "yes")), None))
        self.assertEqual(view[WS_FRAMES], (("text", "echo:h\u00e9llo"), ("binary", b"echo:\x00\x01\xff")))
        self.assertEqual({key: view[key] for key in WEBSOCKET_PSEUDO_KEYS}, {key: websocket_server_view(record)[key] for key in WEBSOCKET_PSEUDO_KEYS})
        _assert_nothing_pending()


@fixtures.skip_without_fixtures
class TranslationEntryTests(unittest.TestCase):
    """The "<case>" entries of DELIBERATE_DIFFERENCES: how raw requests become kit calls, for both interfaces."""

    def test_every_translation_entry_is_still_needed(self):
        every = _recorded_cases("asgi")
        websocket = {case: records for case, records in every.items() if _is_websocket(records)}
        http = {case: records for case, records in every.items() if case not in websocket}
        translated = set()
        for cases, kit_request in ((_recorded_cases("wsgi"), wsgi_kit_request), (http, asgi_kit_request), (websocket, websocket_kit_request)):
            for case, server, record, siblings in _each_record(cases):
                if record["app_called"] and kit_request(server, record, siblings).translated:
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
