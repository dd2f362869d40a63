"""A query reaches the app as it was given (SPEC 13), through both clients and both builders.

Each case goes through WSGITestClient (QUERY_STRING, REQUEST_URI), ASGITestClient
(scope["query_string"]), make_environ and make_scope. What a real server hands
the app is everything after the first '?' of the request target: given
`GET /x??x=1`, uvicorn, hypercorn, gunicorn and waitress pass '?x=1'. A `'`
in a query is sent as is, as curl, requests and httpx send it (only browsers
write %27).
"""

from __future__ import annotations

import asyncio
import unittest
from typing import Any, Callable

from asgiwsgi_testkit import ASGITestClient, WSGITestClient, make_environ, make_scope, make_websocket_scope

# (label, path, request arguments, the raw query the app must see)
CASES: list[tuple[str, str, dict[str, Any], bytes]] = [
    ("bytes query keeps its leading '?'", "/x", {"query": b"?x=1"}, b"?x=1"),
    ("bytes query '??' is sent", "/x", {"query": b"??"}, b"??"),
    ("bytes query '?' is sent", "/x", {"query": b"?"}, b"?"),
    ("str query keeps its leading '?'", "/x", {"query": "?x=1"}, b"?x=1"),
    ("a second '?' in the path is part of the query", "/x??x=1", {}, b"?x=1"),
    ("a second '?' in an absolute URL is part of the query", "http://testserver/x??x=1", {}, b"?x=1"),
    ("' in a str query is sent as is", "/x", {"query": "a='b'"}, b"a='b'"),
    ("' in the path's query is sent as is", "/x?a='b'", {}, b"a='b'"),
    ("' in an absolute URL's query is sent as is", "http://testserver/x?a='b'", {}, b"a='b'"),
    ("bytes query is byte-exact", "/x", {"query": b"a='b&c=%FF\xe9&d=\"<>"}, b"a='b&c=%FF\xe9&d=\"<>"),
    ("a str query still encodes space, \" < > # and non-ASCII", "/x", {"query": "a=\" <>#é"}, b"a=%22%20%3C%3E%23%C3%A9"),
    ("a mapping is form-encoded like requests' and httpx's params=", "/x", {"query": {"a": "'b c"}}, b"a=%27b+c"),
    ("path query, then a '?'-leading bytes query", "/x?a=1", {"query": b"?b=2"}, b"a=1&?b=2"),
    ("'?'-leading path query, then a str query", "/x??a", {"query": "b='1"}, b"?a&b='1"),
    ("an empty path query adds nothing", "/x?", {"query": b"?b"}, b"?b"),
    ("no query at all", "/x?", {"query": b""}, b""),
]

# (label, path, query_string as text: str for WSGI, latin-1 bytes for ASGI, query=, the raw query)
QUERY_STRING_CASES: list[tuple[str, str, str, Any, bytes]] = [
    ("query_string keeps its leading '?'", "/x", "?x=1", None, b"?x=1"),
    ("query_string '??' is sent", "/x", "??", None, b"??"),
    ("' in query_string is sent as is", "/x", "a='b'", None, b"a='b'"),
    ("path query, then query_string, then query=", "/x?p='0", "?a=1", {"b": "2"}, b"p='0&?a=1&b=2"),
]


def _target(raw_query: bytes) -> str:
    return "/x?" + raw_query.decode("latin-1") if raw_query else "/x"


def query_wsgi_app(environ: dict, start_response: Callable) -> list[bytes]:
    """Answers with QUERY_STRING as latin-1 bytes."""
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return [environ["QUERY_STRING"].encode("latin-1")]


async def query_asgi_app(scope: dict, receive: Callable, send: Callable) -> None:
    """Answers with scope["query_string"]."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/octet-stream")]})
    await send({"type": "http.response.body", "body": scope["query_string"]})


class WSGIQueryTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = WSGITestClient(query_wsgi_app)

    def test_client_sends_query_as_given(self) -> None:
        for label, path, arguments, raw in CASES:
            with self.subTest(label, path=path, arguments=arguments):
                response = self.client.get(path, **arguments)
                self.assertEqual((response.body, response.request.path), (raw, _target(raw)))

    def test_client_sends_query_string_as_given(self) -> None:
        for label, path, text, query, raw in QUERY_STRING_CASES:
            with self.subTest(label, path=path, query_string=text, query=query):
                response = self.client.get(path, query_string=text, query=query)
                self.assertEqual((response.body, response.request.path), (raw, _target(raw)))

    def test_make_environ_sends_query_as_given(self) -> None:
        for label, path, arguments, raw in CASES:
            with self.subTest(label, path=path, arguments=arguments):
                environ = make_environ("GET", path, **arguments)
                self.assertEqual((environ["QUERY_STRING"], environ["REQUEST_URI"], environ["PATH_INFO"]), (raw.decode("latin-1"), _target(raw), "/x"))

    def test_make_environ_sends_query_string_as_given(self) -> None:
        for label, path, text, query, raw in QUERY_STRING_CASES:
            with self.subTest(label, path=path, query_string=text, query=query):
                environ = make_environ("GET", path, text, query=query)
                self.assertEqual((environ["QUERY_STRING"], environ["REQUEST_URI"]), (raw.decode("latin-1"), _target(raw)))


class ASGIQueryTests(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        self.client = ASGITestClient(query_asgi_app, lifespan="off")

    def assertNoTaskPending(self) -> None:
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_client_sends_query_as_given(self) -> None:
        for label, path, arguments, raw in CASES:
            with self.subTest(label, path=path, arguments=arguments):
                response = await self.client.get(path, **arguments)
                self.assertEqual((response.body, response.request.path), (raw, _target(raw)))
        self.assertNoTaskPending()

    async def test_client_sends_query_string_as_given(self) -> None:
        for label, path, text, query, raw in QUERY_STRING_CASES:
            with self.subTest(label, path=path, query_string=text, query=query):
                response = await self.client.get(path, query_string=text.encode("latin-1"), query=query)
                self.assertEqual((response.body, response.request.path), (raw, _target(raw)))
        self.assertNoTaskPending()

    def test_make_scope_sends_query_as_given(self) -> None:
        for label, path, arguments, raw in CASES:
            with self.subTest(label, path=path, arguments=arguments):
                scope = make_scope("GET", path, **arguments)
                self.assertEqual((scope["query_string"], scope["raw_path"], scope["path"]), (raw, b"/x", "/x"))

    def test_make_scope_sends_query_string_as_given(self) -> None:
        for label, path, text, query, raw in QUERY_STRING_CASES:
            with self.subTest(label, path=path, query_string=text, query=query):
                self.assertEqual(make_scope("GET", path, text.encode("latin-1"), query=query)["query_string"], raw)

    def test_make_websocket_scope_sends_query_as_given(self) -> None:
        self.assertEqual(make_websocket_scope("/x", b"?x=1")["query_string"], b"?x=1")
        self.assertEqual(make_websocket_scope("/x?a='b'", query=b"??")["query_string"], b"a='b'&??")


class RedirectQueryTests(unittest.TestCase):
    def test_followed_location_keeps_its_query_as_sent(self) -> None:
        def redirect_app(environ: dict, start_response: Callable) -> list[bytes]:
            if environ["PATH_INFO"] == "/from":
                start_response("302 Found", [("Location", "/x??a='b'")])
                return [b""]
            return query_wsgi_app(environ, start_response)

        response = WSGITestClient(redirect_app, follow_redirects=True).get("/from")
        self.assertEqual((response.body, response.request.path), (b"?a='b'", "/x??a='b'"))


if __name__ == "__main__":
    unittest.main()
