"""Tests for _middleware: compose() order and errors, the terminal apps under validation, and the WSGI and ASGI recorders."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import sys
import unittest

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, WSGITestCase, WSGITestClient, call_asgi, call_wsgi, make_environ, make_scope
from asgiwsgi_testkit import ASGIRecorder, WSGIRecorder, compose, echo_app, fixed_response_app
from tests.compat._support import NoPendingTasks

# -- small middleware, WSGI -----------------------------------------------------------------------


def wsgi_tag(name):
    """A middleware factory: append `name` to the X-Trail request header on the way in and add an X-Trail response header on the way out."""

    def middleware(app):
        def tagged(environ, start_response):
            trail = environ.get("HTTP_X_TRAIL")
            environ["HTTP_X_TRAIL"] = f"{trail},{name}" if trail else name

            def tagged_start_response(status, headers, *exc_info):
                return start_response(status, headers + [("X-Trail", name)], *exc_info)

            return app(environ, tagged_start_response)

        return tagged

    return middleware


class WSGIMount:
    """A class middleware: move `prefix` from PATH_INFO to SCRIPT_NAME."""

    def __init__(self, app, prefix="/mounted"):
        self.app = app
        self.prefix = prefix

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] += self.prefix
            environ["PATH_INFO"] = path[len(self.prefix):]
        return self.app(environ, start_response)


class WSGIGateway:
    """Strip /v1 from the path, add X-Gateway, and gzip the body (editing the app's header list in place)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].startswith("/v1/"):
            environ["PATH_INFO"] = environ["PATH_INFO"][3:]
        environ["HTTP_X_GATEWAY"] = "edge-1"
        seen = {}

        def buffering_start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return None  # the inner apps here never call write()

        result = self.app(environ, buffering_start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        compressed = gzip.compress(body)
        headers = seen["headers"]
        headers[:] = [(k, v) for k, v in headers if k.lower() != "content-length"]  # in place, as real middleware do
        headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(compressed)))]
        start_response(seen["status"], headers)
        return [compressed]


# -- small middleware, ASGI ------------------------------------------------------------------------


def asgi_tag(name):
    """The ASGI twin of wsgi_tag: an x-trail request header appended, an x-trail response header added."""

    def middleware(app):
        async def tagged(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            scope = dict(scope, headers=[*scope["headers"], (b"x-trail", name.encode())])

            async def tagged_send(message):
                if message["type"] == "http.response.start":
                    message = dict(message, headers=[*message["headers"], (b"x-trail", name.encode())])
                await send(message)

            await app(scope, receive, tagged_send)

        return tagged

    return middleware


class ASGIGateway:
    """Strip /v1 from the path, add x-gateway, and gzip the body (editing the app's start message in place)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"][3:] if scope["path"].startswith("/v1/") else scope["path"]
        scope = dict(scope, path=path, raw_path=path.encode(), headers=[*scope["headers"], (b"x-gateway", b"edge-1")])
        start, chunks = {}, []

        async def buffering_send(message):
            if message["type"] == "http.response.start":
                start.update(message=message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            compressed = gzip.compress(b"".join(chunks))
            headers = start["message"]["headers"]
            headers[:] = [(k, v) for k, v in headers if k.lower() != b"content-length"]  # in place, as Starlette's GZip does
            headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(compressed)).encode())]
            await send(start["message"])
            await send({"type": "http.response.body", "body": compressed})

        await self.app(scope, receive, buffering_send)


class AsyncTestBase(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


async def fetch(app, method="GET", path="/", **kwargs):
    """One request through an ASGITestClient whose lifespan spans it (the terminal apps run lifespan)."""
    async with ASGITestClient(app) as client:
        return await client.request(method, path, **kwargs)


async def _chunks(*parts):
    for part in parts:
        yield part


# -- compose ---------------------------------------------------------------------------------------


class ComposeWSGITests(unittest.TestCase):
    def test_first_middleware_is_outermost_for_wsgi(self):
        recorder = WSGIRecorder()
        client = WSGITestClient(compose(recorder, wsgi_tag("outer"), wsgi_tag("inner")))
        response = client.get("/")
        self.assertEqual(recorder.last.environ["HTTP_X_TRAIL"], "outer,inner")  # in: outer first
        self.assertEqual(response.headers.get_all("x-trail"), ["inner", "outer"])  # out: inner first

    def test_no_middleware_returns_app_itself(self):
        app = echo_app(interface="wsgi")
        self.assertIs(compose(app), app)

    def test_result_is_what_outermost_middleware_returned(self):
        app = echo_app(interface="wsgi")
        composed = compose(app, WSGIMount)
        self.assertIs(type(composed), WSGIMount)
        self.assertIs(composed.app, app)  # no wrapper of compose()'s own in between

    def test_class_middleware_is_called_with_app(self):
        client = WSGITestClient(compose(echo_app(interface="wsgi"), WSGIMount))
        data = client.get("/mounted/items").json()
        self.assertEqual((data["script_name"], data["path_info"]), ("/mounted", "/items"))

    def test_factory_kwargs_pair_passes_keyword_arguments(self):
        client = WSGITestClient(compose(echo_app(interface="wsgi"), (WSGIMount, {"prefix": "/api"}), wsgi_tag("a")))
        data = client.get("/api/users").json()
        self.assertEqual((data["script_name"], data["path_info"]), ("/api", "/users"))
        self.assertIn(["x-trail", "a"], data["headers"])

    def test_list_pair_is_accepted_like_tuple(self):
        composed = compose(echo_app(interface="wsgi"), [WSGIMount, {"prefix": "/x"}])
        self.assertEqual(composed.prefix, "/x")


class ComposeErrorTests(unittest.TestCase):
    def setUp(self):
        self.app = echo_app(interface="wsgi")
        self.factory_calls = []

    def counting(self, app):
        self.factory_calls.append(app)
        return app

    def test_non_callable_item_names_position_and_value(self):
        with self.assertRaisesRegex(TypeError, r"^compose\(\) middleware #2 must be a callable or a \(factory, kwargs\) pair, not 3$"):
            compose(self.app, self.counting, 3)
        self.assertEqual(self.factory_calls, [])  # checked before any factory ran

    def test_pair_with_non_mapping_kwargs_is_refused(self):
        with self.assertRaisesRegex(TypeError, r"middleware #1 is a \(factory, kwargs\) pair whose kwargs must be a mapping .*not list"):
            compose(self.app, (WSGIMount, ["/api"]))

    def test_pair_with_non_callable_factory_is_refused(self):
        with self.assertRaisesRegex(TypeError, r"middleware #1 must be a callable or a \(factory, kwargs\) pair, not \('WSGIMount', \{\}\)"):
            compose(self.app, ("WSGIMount", {}))

    def test_three_item_tuple_is_refused(self):
        with self.assertRaisesRegex(TypeError, r"middleware #1 must be a callable or a \(factory, kwargs\) pair"):
            compose(self.app, (WSGIMount, {}, {}))

    def test_kwargs_with_non_str_key_is_refused(self):
        with self.assertRaisesRegex(TypeError, r"middleware #1 kwargs must have str keys, not 1"):
            compose(self.app, (WSGIMount, {1: "x"}))

    def test_factory_returning_none_is_named(self):
        def forgetful(app):
            pass

        with self.assertRaisesRegex(TypeError, r"middleware #2 \(.*forgetful\) returned None; a middleware must return the wrapped app"):
            compose(self.app, self.counting, forgetful)
        self.assertEqual(self.factory_calls, [])  # the inner item failed first, the outer one never ran

    def test_factory_returning_non_callable_is_named(self):
        with self.assertRaisesRegex(TypeError, r"middleware #1 \(.*<lambda>\) returned a non-callable str: 'oops'"):
            compose(self.app, lambda app: "oops")

    def test_non_callable_app_is_refused(self):
        with self.assertRaisesRegex(TypeError, r"compose\(\) app must be a WSGI or ASGI callable, not NoneType"):
            compose(None, WSGIMount)


class ComposeASGITests(AsyncTestBase):
    async def test_first_middleware_is_outermost_for_asgi(self):
        recorder = ASGIRecorder()
        response = await fetch(compose(recorder, asgi_tag("outer"), asgi_tag("inner")))
        self.assertNotIn("x-trail", recorder.last.headers)  # the app's own start message, before either tag
        trail = [v for k, v in recorder.last.scope["headers"] if k == b"x-trail"]
        self.assertEqual(trail, [b"outer", b"inner"])
        self.assertEqual(response.headers.get_all("x-trail"), ["inner", "outer"])
        self.assertNoTaskPending()

    async def test_factory_kwargs_pair_builds_asgi_recorder(self):
        composed = compose(fixed_response_app(body="hi"), (ASGIRecorder, {"record_lifespan": True}))
        self.assertIsInstance(composed, ASGIRecorder)
        async with ASGITestClient(composed, lifespan="on") as client:
            response = await client.get("/")
        self.assertEqual(response.text, "hi")
        self.assertEqual([call.scope["type"] for call in composed.calls], ["lifespan", "http"])
        self.assertNoTaskPending()


# -- terminal apps -----------------------------------------------------------------------------------


class FixedResponseWSGITests(unittest.TestCase):
    def test_status_body_and_headers_are_sent_in_order(self):
        app = fixed_response_app(201, b"made", [("X-One", "1"), ("Content-Type", "text/plain")], interface="wsgi")
        response = WSGITestClient(app).post("/", body=b"ignored")
        self.assertEqual((response.status_code, response.body), (201, b"made"))
        self.assertEqual(response.headers.multi_items(), [("X-One", "1"), ("Content-Type", "text/plain"), ("content-length", "4")])

    def test_str_body_is_utf8_text_plain(self):
        response = WSGITestClient(fixed_response_app(body="h\u00e9", interface="wsgi")).get("/")
        self.assertEqual(response.body, "h\u00e9".encode())
        self.assertEqual(response.headers["content-type"], "text/plain; charset=utf-8")
        self.assertEqual(response.headers["content-length"], "3")

    def test_given_content_length_is_kept(self):
        response = WSGITestClient(fixed_response_app(body=b"ab", headers={"Content-Length": "2"}, interface="wsgi")).get("/")
        self.assertEqual(response.headers.get_all("content-length"), ["2"])

    def test_status_line_gets_standard_reason(self):
        recorder = WSGIRecorder(fixed_response_app(404, interface="wsgi"))
        response = WSGITestClient(recorder).get("/")
        self.assertEqual((response.status_code, recorder.last.status), (404, "404 Not Found"))

    def test_status_str_is_used_as_given(self):
        recorder = WSGIRecorder(fixed_response_app("418 I'm a teapot", interface="wsgi"))
        response = WSGITestClient(recorder).get("/")
        self.assertEqual((response.status_code, recorder.last.status), (418, "418 I'm a teapot"))

    def test_unknown_code_is_bare_status(self):
        recorder = WSGIRecorder(fixed_response_app(299, interface="wsgi"))
        self.assertEqual(WSGITestClient(recorder).get("/").status_code, 299)
        self.assertEqual(recorder.last.status, "299 ")  # an empty reason phrase: the space stays (RFC 9112 4, PEP 3333)

    def test_no_content_length_for_204(self):
        response = WSGITestClient(fixed_response_app(204, interface="wsgi")).get("/")
        self.assertEqual((response.status_code, "content-length" in response.headers), (204, False))

    def test_each_call_gets_fresh_header_list(self):
        def appending(app):
            def wrapped(environ, start_response):
                return app(environ, lambda status, headers, *rest: (headers.append(("X-Added", "1")), start_response(status, headers, *rest))[1])

            return wrapped

        client = WSGITestClient(compose(fixed_response_app(interface="wsgi"), appending))
        client.get("/")
        self.assertEqual(client.get("/").headers.get_all("x-added"), ["1"])

    def test_passes_call_wsgi_under_validation(self):
        from asgiwsgi_testkit import validate_wsgi

        response = call_wsgi(validate_wsgi(fixed_response_app(200, "ok", interface="wsgi")), make_environ())
        self.assertEqual(response.text, "ok")


class TerminalAppArgumentTests(unittest.TestCase):
    def test_bad_interface_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^fixed_response_app\(\) interface= must be 'wsgi' or 'asgi', not 'http'$"):
            fixed_response_app(interface="http")
        with self.assertRaisesRegex(ValueError, r"^echo_app\(\) interface= must be 'wsgi' or 'asgi', not 'WSGI'$"):
            echo_app(interface="WSGI")

    def test_bad_status_type_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"status must be an int such as 200 .*not float: 200.0"):
            fixed_response_app(200.0)
        with self.assertRaisesRegex(TypeError, r"not bool: True"):
            fixed_response_app(True)

    def test_bad_status_value_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"must be a 3-digit HTTP status code, not 42"):
            fixed_response_app(42)
        with self.assertRaisesRegex(ValueError, r"or a status line such as '200 OK', not 'OK'"):
            fixed_response_app("OK")

    def test_bad_body_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"body must be bytes or str, not dict"):
            fixed_response_app(body={"a": 1})

    def test_bad_header_is_refused(self):
        with self.assertRaisesRegex(ValueError, r"contains a CR, LF or control character"):
            fixed_response_app(headers={"X-Bad": "a\r\nb"})

    def test_apps_are_named_for_tracebacks(self):
        self.assertEqual(fixed_response_app(404, interface="wsgi").__name__, "fixed_response_app(404, interface='wsgi')")
        self.assertEqual(echo_app().__name__, "echo_app(interface='asgi')")


class EchoWSGITests(WSGITestCase):
    app = echo_app(interface="wsgi")
    client_options = {"base_url": "https://example.org/mount"}

    def test_reports_request_as_wsgi_saw_it(self):
        response = self.client.post("/items/1", query={"q": "x y"}, headers={"X-Token": "t"}, json={"a": 1})
        data = self.assertJSON(response)
        self.assertEqual(
            {k: data[k] for k in ("method", "script_name", "path_info", "query_string", "body", "url_scheme", "remote_addr")},
            {"method": "POST", "script_name": "/mount", "path_info": "/items/1", "query_string": "q=x+y", "body": '{"a":1}', "url_scheme": "https", "remote_addr": "127.0.0.1"},
        )
        self.assertIn(["x-token", "t"], data["headers"])
        self.assertIn(["content-type", "application/json"], data["headers"])
        self.assertIn(["content-length", "7"], data["headers"])

    def test_headers_follow_environ_order(self):
        environ = make_environ("GET", "/", headers=[("X-B", "2"), ("X-A", "1")])
        data = call_wsgi(self.get_app(), environ).json()
        names = [name for name, _ in data["headers"]]
        self.assertLess(names.index("x-b"), names.index("x-a"))

    def test_invalid_utf8_body_is_escaped(self):
        data = self.client.post("/", body=b"ok\xff").json()
        self.assertEqual(data["body"], "ok\\xff")

    def test_streamed_body_is_read_to_end(self):
        data = self.client.post("/", body=iter([b"ab", b"cd"])).json()
        self.assertEqual(data["body"], "abcd")

    def test_no_body_reads_nothing(self):
        recorder = WSGIRecorder(self.get_app())
        WSGITestClient(recorder).get("/")
        self.assertEqual(recorder.last.body, b"")


class FixedResponseASGITests(AsyncTestBase):
    async def test_status_body_and_headers_are_sent(self):
        app = fixed_response_app(202, "queued", {"X-Job": "7"})
        response = await fetch(app, "POST", "/", body=b"data")
        self.assertEqual((response.status_code, response.text), (202, "queued"))
        self.assertEqual(response.headers.multi_items(), [("x-job", "7"), ("content-type", "text/plain; charset=utf-8"), ("content-length", "6")])
        self.assertNoTaskPending()

    async def test_request_body_is_drained(self):
        recorder = ASGIRecorder(fixed_response_app())
        await fetch(recorder, "POST", "/", body=_chunks(b"a", b"b"))
        received = [(m["type"], m.get("body"), m.get("more_body")) for m in recorder.last.received]
        self.assertEqual(received, [("http.request", b"a", True), ("http.request", b"b", True), ("http.request", b"", False)])
        self.assertEqual(recorder.last.request_body, b"ab")
        self.assertNoTaskPending()

    async def test_lifespan_startup_and_shutdown_complete(self):
        client = ASGITestClient(fixed_response_app(), lifespan="on")
        async with client:
            self.assertEqual((await client.get("/")).status_code, 200)
        self.assertNoTaskPending()

    async def test_websocket_is_refused_before_accept(self):
        sent = []
        incoming = [{"type": "websocket.connect"}]

        async def receive():
            return incoming.pop(0)

        async def send(message):
            sent.append(message)

        await fixed_response_app()({"type": "websocket", "path": "/ws", "headers": []}, receive, send)
        self.assertEqual(sent, [{"type": "websocket.close", "code": 1000, "reason": ""}])
        self.assertNoTaskPending()

    async def test_drain_stops_at_disconnect(self):
        sent = []
        incoming = [{"type": "http.request", "body": b"a", "more_body": True}, {"type": "http.disconnect"}]

        async def receive():
            return incoming.pop(0)

        async def send(message):
            sent.append(message)

        await fixed_response_app(body=b"ok")(make_scope("POST", "/"), receive, send)
        self.assertEqual((incoming, [m["type"] for m in sent]), ([], ["http.response.start", "http.response.body"]))
        self.assertNoTaskPending()

    async def test_unknown_scope_type_raises(self):
        with self.assertRaisesRegex(ValueError, r"fixed_response_app\(200, interface='asgi'\) does not handle ASGI scope type 'telepathy'"):
            await fixed_response_app()({"type": "telepathy"}, None, None)
        self.assertNoTaskPending()

    async def test_passes_call_asgi_under_validation(self):
        from asgiwsgi_testkit import validate_asgi

        response = await call_asgi(validate_asgi(fixed_response_app(404, b"nope")), make_scope("GET", "/"))
        self.assertEqual((response.status_code, response.body), (404, b"nope"))
        self.assertNoTaskPending()


class EchoASGITests(NoPendingTasks, ASGITestCase):
    app = echo_app()  # runs lifespan: NoPendingTasks checks after the shutdown
    client_options = {"root_path": "/mount", "client": ("10.0.0.1", 4242), "http_version": "2", "lifespan": "on"}

    async def test_reports_request_as_asgi_saw_it(self):
        response = await self.client.post("/items/%C3%A9", query={"q": "1"}, headers=[("X-A", "1"), ("X-A", "2")], body=b"hello")
        data = self.assertJSON(response)
        self.assertEqual(
            {k: v for k, v in data.items() if k != "headers"},
            {
                "type": "http",
                "method": "POST",
                "root_path": "/mount",
                "path": "/mount/items/\u00e9",
                "raw_path": "/mount/items/%C3%A9",
                "query_string": "q=1",
                "body": "hello",
                "scheme": "http",
                "client": ["10.0.0.1", 4242],
                "http_version": "2",
            },
        )
        self.assertEqual([pair for pair in data["headers"] if pair[0] == "x-a"], [["x-a", "1"], ["x-a", "2"]])

    async def test_streamed_body_is_joined(self):
        data = (await self.client.post("/", body=_chunks(b"ab", b"\xff"))).json()
        self.assertEqual(data["body"], "ab\\xff")


# -- recorders ------------------------------------------------------------------------------------


def writing_app(environ, start_response):
    """Reads its body in pieces, writes one chunk with write(), yields two more; records close()."""
    first = environ["wsgi.input"].readline()
    rest = environ["wsgi.input"].read()
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"w:")
    return ClosingIterable([first, rest])


class ClosingIterable:
    def __init__(self, items):
        self.items = items
        self.closed = False

    def __iter__(self):
        return iter(self.items)

    def close(self):
        self.closed = True


class WSGIRecorderTests(unittest.TestCase):
    def test_records_environ_body_status_headers_chunks_and_close(self):
        recorder = WSGIRecorder(writing_app)
        response = WSGITestClient(recorder).post("/p?x=1", body=b"line1\nline2")
        call = recorder.last
        self.assertEqual(response.body, b"w:line1\nline2")
        self.assertEqual((call.environ["PATH_INFO"], call.environ["QUERY_STRING"]), ("/p", "x=1"))
        self.assertEqual(call.body, b"line1\nline2")
        self.assertEqual(call.start_response_calls, [("200 OK", [("Content-Type", "text/plain")], False)])
        self.assertEqual((call.status, call.headers), ("200 OK", [("Content-Type", "text/plain")]))
        self.assertEqual(call.chunks, [b"w:", b"line1\n", b"line2"])
        self.assertEqual(call.response_body, b"w:line1\nline2")
        self.assertTrue(call.closed)
        self.assertIsNone(call.exception)

    def test_records_one_call_per_request(self):
        recorder = WSGIRecorder()
        client = WSGITestClient(recorder)
        client.get("/a")
        client.get("/b")
        self.assertEqual([call.environ["PATH_INFO"] for call in recorder.calls], ["/a", "/b"])
        self.assertIs(recorder.last, recorder.calls[-1])

    def test_default_app_is_wsgi_echo(self):
        recorder = WSGIRecorder()
        data = WSGITestClient(recorder).get("/hi").json()
        self.assertEqual(data["path_info"], "/hi")
        self.assertEqual(recorder.app.__name__, "echo_app(interface='wsgi')")

    def test_environ_copy_taken_when_called(self):
        seen_by_outer = {}

        def inner(environ, start_response):
            environ["myapp.user"] = "ada"
            start_response("204 No Content", [])
            return []

        recorder = WSGIRecorder(inner)

        def outer(environ, start_response):
            result = recorder(environ, start_response)
            seen_by_outer["user"] = environ.get("myapp.user")  # the same dict went in
            return result

        WSGITestClient(outer).get("/")
        self.assertNotIn("myapp.user", recorder.last.environ)
        self.assertEqual(seen_by_outer["user"], "ada")

    def test_exc_info_call_is_recorded(self):
        def failing(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            try:
                raise RuntimeError("late")
            except RuntimeError:
                start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
            return [b"error"]

        recorder = WSGIRecorder(failing)
        response = WSGITestClient(recorder).get("/")
        self.assertEqual(response.status_code, 500)
        self.assertEqual([(s, flag) for s, _, flag in recorder.last.start_response_calls], [("200 OK", False), ("500 Internal Server Error", True)])
        self.assertEqual(recorder.last.status, "500 Internal Server Error")

    def test_exception_is_recorded_and_reraised(self):
        def broken(environ, start_response):
            raise ZeroDivisionError("boom")

        recorder = WSGIRecorder(broken)
        with self.assertRaisesRegex(ZeroDivisionError, "boom"):
            WSGITestClient(recorder).get("/")
        self.assertIsInstance(recorder.last.exception, ZeroDivisionError)

    def test_exception_while_iterating_is_recorded_and_iterable_closed(self):
        def broken_stream(environ, start_response):
            start_response("200 OK", [])
            yield b"first"
            raise KeyError("gone")

        recorder = WSGIRecorder(broken_stream)
        with self.assertRaises(KeyError):
            WSGITestClient(recorder).get("/")
        self.assertEqual(recorder.last.chunks, [b"first"])
        self.assertIsInstance(recorder.last.exception, KeyError)
        self.assertTrue(recorder.last.closed)

    def test_readlines_and_iteration_of_input_are_recorded(self):
        def reading(environ, start_response):
            stream = environ["wsgi.input"]
            lines = stream.readlines(1) + list(stream)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"%d" % len(lines)]

        recorder = WSGIRecorder(reading)
        response = WSGITestClient(recorder).post("/", body=b"a\nb\nc\n")
        self.assertEqual((response.body, recorder.last.body), (b"3", b"a\nb\nc\n"))

    def test_bad_return_value_is_left_to_validator(self):
        from asgiwsgi_testkit import ProtocolError

        def returns_bytes(environ, start_response):
            start_response("200 OK", [])
            return b"oops"

        recorder = WSGIRecorder(returns_bytes)
        with self.assertRaisesRegex(ProtocolError, r"wsgi\.iterable\.type"):
            WSGITestClient(recorder).get("/")
        self.assertEqual(recorder.last.status, "200 OK")

    def test_failing_close_is_recorded_and_reraised(self):
        class BadClose(ClosingIterable):
            def close(self):
                raise OSError("close failed")

        def app(environ, start_response):
            start_response("200 OK", [])
            return BadClose([b"x"])

        recorder = WSGIRecorder(app)
        with self.assertRaisesRegex(OSError, "close failed"):
            WSGITestClient(recorder).get("/")
        self.assertTrue(recorder.last.closed)
        self.assertIsInstance(recorder.last.exception, OSError)

    def test_environ_without_input_is_not_wrapped(self):
        recorder = WSGIRecorder()
        statuses = []
        body = b"".join(recorder({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda status, headers: statuses.append(status)))
        self.assertEqual((statuses, json.loads(body)["body"]), (["200 OK"], ""))
        self.assertNotIn("wsgi.input", recorder.last.environ)

    def test_echo_reads_nothing_without_length_or_termination(self):
        environ = make_environ("POST", "/", body=b"abc")
        del environ["CONTENT_LENGTH"]
        environ["wsgi.input_terminated"] = False
        recorder = WSGIRecorder()
        self.assertEqual(call_wsgi(recorder, environ).json()["body"], "")
        self.assertEqual(recorder.last.body, b"")

    def test_reprs_name_request_and_status(self):
        recorder = WSGIRecorder()
        WSGITestClient(recorder).get("/x")
        self.assertEqual(repr(recorder.last), "<WSGICall GET /x -> '200 OK'>")
        self.assertEqual(repr(recorder), "<WSGIRecorder around echo_app(interface='wsgi'): 1 call(s)>")

    def test_last_without_calls_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^no call recorded yet: WSGIRecorder around echo_app\(interface='wsgi'\) was never called$"):
            WSGIRecorder().last

    def test_non_callable_app_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"WSGIRecorder\(\) app must be a WSGI callable .*not int"):
            WSGIRecorder(3)

    def test_gateway_rewrites_path_adds_header_and_gzips(self):
        recorder = WSGIRecorder()
        response = WSGITestClient(compose(recorder, WSGIGateway)).get("/v1/items")
        call = recorder.last
        self.assertEqual(call.environ["PATH_INFO"], "/items")  # what the middleware changed on the way in
        self.assertEqual(call.environ["HTTP_X_GATEWAY"], "edge-1")
        self.assertNotIn("content-encoding", call.headers)  # the app's own headers, not the gzipped ones
        self.assertEqual(call.headers["content-length"], str(len(call.response_body)))
        self.assertEqual(response.headers["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(response.body), call.response_body)
        self.assertEqual(json.loads(call.response_body)["path_info"], "/items")


class ASGIRecorderTests(AsyncTestBase):
    async def test_records_scope_received_sent_and_response(self):
        recorder = ASGIRecorder(fixed_response_app(201, b"ok", {"x-k": "v"}))
        await fetch(recorder, "POST", "/r?a=1", body=b"payload")
        call = recorder.last
        self.assertEqual((call.scope["type"], call.scope["path"], call.scope["query_string"]), ("http", "/r", b"a=1"))
        self.assertEqual(call.received, [{"type": "http.request", "body": b"payload", "more_body": False}])
        self.assertEqual([m["type"] for m in call.sent], ["http.response.start", "http.response.body"])
        self.assertEqual((call.status, call.headers, call.body), (201, [("x-k", "v"), ("content-length", "2")], b"ok"))
        self.assertIsNone(call.exception)
        self.assertNoTaskPending()

    async def test_scope_copy_keeps_headers_as_at_call_time(self):
        async def inner(scope, receive, send):
            scope["headers"].append((b"x-late", b"1"))
            scope["late"] = True
            await fixed_response_app()(scope, receive, send)

        recorder = ASGIRecorder(inner)
        await fetch(recorder, "GET", "/")
        self.assertNotIn(b"x-late", [k for k, _ in recorder.last.scope["headers"]])
        self.assertNotIn("late", recorder.last.scope)
        self.assertNoTaskPending()

    async def test_exception_is_recorded_and_reraised(self):
        async def broken(scope, receive, send):
            raise LookupError("nope")

        recorder = ASGIRecorder(broken)
        with self.assertRaisesRegex(LookupError, "nope"):
            await fetch(recorder, "GET", "/")
        self.assertIsInstance(recorder.last.exception, LookupError)
        self.assertEqual(recorder.last.sent, [])
        self.assertNoTaskPending()

    async def test_lifespan_passes_through_unrecorded(self):
        recorder = ASGIRecorder()
        async with ASGITestClient(recorder, lifespan="on") as client:
            await client.get("/")
        self.assertEqual([call.scope["type"] for call in recorder.calls], ["http"])
        self.assertNoTaskPending()

    async def test_lifespan_recorded_when_asked(self):
        recorder = ASGIRecorder(record_lifespan=True)
        async with ASGITestClient(recorder, lifespan="on"):
            pass
        call = recorder.last
        self.assertEqual(call.scope["type"], "lifespan")
        self.assertEqual([m["type"] for m in call.received], ["lifespan.startup", "lifespan.shutdown"])
        self.assertEqual([m["type"] for m in call.sent], ["lifespan.startup.complete", "lifespan.shutdown.complete"])
        self.assertIsNone(call.status)
        self.assertNoTaskPending()

    async def test_reprs_name_request_and_status(self):
        recorder = ASGIRecorder(record_lifespan=True)
        await fetch(recorder, "GET", "/x")
        self.assertEqual([repr(call) for call in recorder.calls], ["<ASGICall lifespan -> None>", "<ASGICall http GET /x -> 200>"])
        self.assertEqual(repr(recorder), "<ASGIRecorder around echo_app(interface='asgi'): 2 call(s)>")
        self.assertNoTaskPending()

    async def test_asgi2_app_is_adapted(self):
        class Legacy:
            def __init__(self, scope):
                self.scope = scope

            async def __call__(self, receive, send):
                await fixed_response_app(body=b"v2")(self.scope, receive, send)

        recorder = ASGIRecorder(Legacy)
        response = await fetch(recorder, "GET", "/")
        self.assertEqual((response.body, recorder.last.body), (b"v2", b"v2"))
        self.assertNoTaskPending()

    async def test_last_without_calls_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^no call recorded yet: ASGIRecorder around echo_app\(interface='asgi'\) was never called$"):
            ASGIRecorder().last
        self.assertNoTaskPending()

    async def test_non_callable_app_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"ASGIRecorder\(\) app must be an ASGI callable .*not str: 'app'"):
            ASGIRecorder("app")
        self.assertNoTaskPending()

    async def test_wsgi_app_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"is a WSGI app"):
            ASGIRecorder(echo_app(interface="wsgi"))
        self.assertNoTaskPending()

    async def test_gateway_rewrites_path_adds_header_and_gzips(self):
        recorder = ASGIRecorder()
        response = await fetch(compose(recorder, ASGIGateway), "GET", "/v1/items")
        call = recorder.last
        self.assertEqual((call.scope["path"], call.scope["raw_path"]), ("/items", b"/items"))
        self.assertIn((b"x-gateway", b"edge-1"), call.scope["headers"])
        # The gateway edited the start message's header list in place after the app sent it; the record kept a copy.
        self.assertNotIn("content-encoding", call.headers)
        self.assertEqual(call.headers["content-length"], str(len(call.body)))
        self.assertEqual(response.headers["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(response.body), call.body)
        self.assertEqual(response.headers["content-length"], str(len(response.body)))
        self.assertNoTaskPending()


class ImportTests(unittest.TestCase):
    def test_module_does_not_import_asyncio(self):
        import subprocess

        code = "import sys, asgiwsgi_testkit as m; m.compose(m.echo_app(interface='wsgi')); m.WSGIRecorder(); print('asyncio' in sys.modules)"
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout.strip()
        self.assertEqual(out, "False")


if __name__ == "__main__":
    unittest.main()
