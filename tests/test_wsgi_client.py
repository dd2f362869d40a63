"""Tests for _wsgi_client: WSGITestClient verbs, streaming, errors, base_url, cookies and redirects."""

from __future__ import annotations

import inspect
import traceback
import unittest
from typing import Any, Callable

from asgiwsgi_testkit import ProtocolError, TestkitError, WSGITestCase, WSGITestClient
from asgiwsgi_testkit._content import UNSET

from tests import apps

REDIRECTS = {
    "/301": ("301 Moved Permanently", "/target"),
    "/302": ("302 Found", "/target"),
    "/303": ("303 See Other", "/target"),
    "/307": ("307 Temporary Redirect", "/target"),
    "/308": ("308 Permanent Redirect", "/target"),
    "/chain/1": ("302 Found", "/chain/2"),
    "/chain/2": ("301 Moved Permanently", "/chain/3?step=3"),
    "/chain/3": ("303 See Other", "/target"),
    "/loop/a": ("302 Found", "/loop/b"),
    "/loop/b": ("302 Found", "/loop/a"),
    "/away": ("302 Found", "https://other.example:8443/landing?from=away"),
    "/relative/x": ("302 Found", "y"),
}


class VerbTests(WSGITestCase):
    app = staticmethod(apps.echo_app)

    def test_every_verb_sends_its_method(self):
        for verb in ("get", "post", "put", "patch", "delete", "options"):
            with self.subTest(verb=verb):
                response = getattr(self.client, verb)("/v")
                self.assertEqual(response.json()["method"], verb.upper())
                self.assertEqual(response.request.method, verb.upper())

    def test_head_runs_the_app_and_returns_no_body(self):
        response = self.client.head("/v")
        self.assertEqual((response.status_code, response.body, response.request.method), (200, b"", "HEAD"))
        self.assertEqual(response.headers["content-type"], "application/json")

    def test_request_with_any_method(self):
        response = self.client.request("purge", "/cache", body=b"x")
        self.assertEqual((response.json()["method"], response.json()["body"]), ("PURGE", "x"))

    def test_post_json_body_and_headers(self):
        response = self.client.post("/items", json={"title": "x"}, headers={"X-Trace": "1"})
        seen = response.json()
        self.assertEqual(seen["body"], '{"title":"x"}')
        self.assertEqual(seen["headers"]["CONTENT_TYPE"], "application/json")
        self.assertEqual(seen["headers"]["HTTP_X_TRACE"], "1")

    def test_query_string_seed_style_merged_with_query(self):
        response = self.client.get("/q?a=1", query_string="b=2", query={"c": "3"})
        self.assertEqual(response.json()["query"], "a=1&b=2&c=3")
        self.assertEqual(response.request.url, "http://testserver/q?a=1&b=2&c=3")

    def test_response_request_describes_what_was_sent(self):
        response = self.client.put("/r", body=b"abc")
        request = response.request
        self.assertEqual((request.method, request.url, request.body), ("PUT", "http://testserver/r", b"abc"))
        self.assertEqual(request.headers["content-length"], "3")
        self.assertEqual(repr(response), "<WSGITestResponse [200 OK] PUT /r>")

    def test_streamed_request_body_has_no_request_body(self):
        response = self.client.post("/s", body=iter([b"a", b"b"]))
        self.assertEqual(response.json()["body"], "ab")
        self.assertIsNone(response.request.body)

    def test_unknown_keyword_is_type_error_naming_it(self):
        with self.assertRaisesRegex(TypeError, r"got an unexpected keyword argument 'timeout'"):
            self.client.get("/", timeout=3)

    def test_request_keywords_are_the_spec_ones(self):
        parameters = dict(inspect.signature(self.client.request).parameters)
        self.assertEqual(parameters.pop("other_clients_keywords").kind, inspect.Parameter.VAR_KEYWORD)  # only to name the kit's word
        self.assertEqual(list(parameters), ["method", "path", "query", "query_string", "headers", "body", "json", "form", "files", "cookies", "follow_redirects", "environ_overrides", "scope_overrides"])
        self.assertTrue(all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(parameters.values())[2:]))
        self.assertIs(parameters["json"].default, UNSET)

    def test_default_headers_overridden_per_request(self):
        client = WSGITestClient(apps.echo_app, headers={"User-Agent": "kit", "Accept": "*/*"})
        seen = client.get("/", headers={"Accept": "application/json"}).json()["headers"]
        self.assertEqual((seen["HTTP_USER_AGENT"], seen["HTTP_ACCEPT"]), ("kit", "application/json"))

    def test_client_and_server_protocol_options(self):
        seen = {}

        def app(environ: dict, start_response: Callable) -> list[bytes]:
            seen.update(addr=environ["REMOTE_ADDR"], port=environ["REMOTE_PORT"], protocol=environ["SERVER_PROTOCOL"])
            start_response("200 OK", [])
            return []

        WSGITestClient(app, client=("10.0.0.9", 1234), server_protocol="HTTP/1.0").get("/")
        self.assertEqual(seen, {"addr": "10.0.0.9", "port": "1234", "protocol": "HTTP/1.0"})


class AppCheckTests(unittest.TestCase):
    def test_async_def_app_is_type_error_naming_asgi_client(self):
        with self.assertRaisesRegex(TypeError, r"is an ASGI app \(async def\); use ASGITestClient for it$"):
            WSGITestClient(apps.asgi_app)

    def test_class_with_async_call_is_type_error(self):
        class App:
            async def __call__(self, scope: dict, receive: Any, send: Any) -> None:  # pragma: no cover
                pass

        with self.assertRaisesRegex(TypeError, r"use ASGITestClient"):
            WSGITestClient(App())

    def test_non_callable_app_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^app must be a WSGI callable app\(environ, start_response\), not NoneType: None$"):
            WSGITestClient(None)

    def test_callable_instance_accepted(self):
        self.assertEqual(WSGITestClient(apps.ClosingApp()).get("/").body, b"abc")

    def test_bad_option_types(self):
        with self.assertRaisesRegex(TypeError, r"^follow_redirects= must be True or False, not str: 'yes'$"):
            WSGITestClient(apps.hello_app, follow_redirects="yes")
        with self.assertRaisesRegex(TypeError, r"^cookies= must be True, False or a mapping of initial cookies, not int: 1$"):
            WSGITestClient(apps.hello_app, cookies=1)


class StreamTests(unittest.TestCase):
    def test_iter_bytes_pulls_chunks_on_demand(self):
        app = apps.StreamApp(4)
        client = WSGITestClient(app)
        with client.stream("GET", "/s") as response:
            self.assertEqual((response.status_code, app.pulled), (200, 1))
            chunks = response.iter_bytes()
            self.assertEqual((next(chunks), app.pulled), (b"chunk 0\n", 1))
            self.assertEqual((next(chunks), app.pulled), (b"chunk 1\n", 2))
            self.assertEqual(list(chunks), [b"chunk 2\n", b"chunk 3\n"])
        self.assertTrue(app.closed)

    def test_leaving_early_closes_the_iterable(self):
        app = apps.ClosingApp((b"1", b"2", b"3", b"4"))
        with WSGITestClient(app).stream("GET", "/") as response:
            self.assertEqual(next(response.iter_bytes()), b"1")
            self.assertEqual(app.close_calls, 0)
        self.assertEqual((app.close_calls, app.pulled), (1, 1))

    def test_second_iter_bytes_continues_where_the_first_stopped(self):
        app = apps.ClosingApp((b"1", b"2", b"3"))
        with WSGITestClient(app).stream("GET", "/") as response:
            for chunk in response.iter_bytes():
                break
            self.assertEqual((chunk, app.pulled), (b"1", 1))
            self.assertEqual(response.read(), b"23")
            self.assertEqual(app.close_calls, 1)
        self.assertEqual(app.close_calls, 1)

    def test_iter_lines_and_read(self):
        with WSGITestClient(apps.StreamApp(3)).stream("GET", "/") as response:
            self.assertEqual(list(response.iter_lines()), ["chunk 0", "chunk 1", "chunk 2"])
        with WSGITestClient(apps.StreamApp(2)).stream("POST", "/", json={}) as response:
            with self.assertRaisesRegex(ValueError, r"the body of a streamed response .* is not read yet"):
                response.body
            self.assertEqual(response.read(), b"chunk 0\nchunk 1\n")
            self.assertEqual(response.text, "chunk 0\nchunk 1\n")

    def test_iterating_after_the_block_is_value_error(self):
        with WSGITestClient(apps.StreamApp(2)).stream("GET", "/") as response:
            pass
        with self.assertRaisesRegex(ValueError, r"the stream was closed; iterate inside the stream\(\) block"):
            next(response.iter_bytes())

    def test_stream_head_yields_no_body(self):
        app = apps.StreamApp(2)
        with WSGITestClient(app).stream("HEAD", "/") as response:
            self.assertEqual(response.read(), b"")
        self.assertEqual(app.pulled, 2)

    def test_protocol_error_while_streaming_gains_request_line(self):
        with self.assertRaises(ProtocolError) as caught:
            with WSGITestClient(apps.bad_body_type_generator).stream("GET", "/s") as response:
                self.assertEqual(next(response.iter_bytes()), b"fine")
                response.read()
        self.assertEqual(str(caught.exception).splitlines()[-1], "  request: GET /s")

    def test_hidden_violation_raised_on_leaving_the_block(self):
        with self.assertRaises(ProtocolError) as caught:
            with WSGITestClient(apps.hides_violation_app).stream("GET", "/hidden") as response:
                self.assertEqual(next(response.iter_bytes()), b"nothing to see")
        self.assertEqual(caught.exception.rule, "wsgi.input.close")
        self.assertEqual(str(caught.exception).splitlines()[-1], "  request: GET /hidden")

    def test_stream_unknown_keyword_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^stream\(\) got an unexpected keyword argument 'timeout': that is another client's word"):
            with WSGITestClient(apps.hello_app).stream("GET", "/", timeout=1):
                pass  # pragma: no cover

    def test_stream_follows_redirects_to_the_final_response(self):
        client = WSGITestClient(apps.redirect_app_for(REDIRECTS))
        with client.stream("GET", "/302", follow_redirects=True) as response:
            self.assertEqual(response.read(), response.body)
            self.assertEqual(response.json()["path"], "/target")
        self.assertEqual([r.status_code for r in response.history], [302])

    def test_stream_of_app_raising_before_start_gives_500_when_kept(self):
        client = WSGITestClient(apps.raise_before_start_app, raise_server_exceptions=False)
        with client.stream("GET", "/") as response:
            self.assertEqual((response.status_code, response.read()), (500, b"Internal Server Error"))
        self.assertIsInstance(response.exception, apps.AppError)


class RedirectLog:
    """/302 redirects, /307 redirects keeping the method, any other path answers 200; two chunks each.

    `log` records each call of the app and each close() of its iterable.
    """

    ROUTES = {"/302": "302 Found", "/307": "307 Temporary Redirect"}

    def __init__(self) -> None:
        self.log: list[str] = []

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        path = environ["PATH_INFO"]
        self.log.append(f"call {path}")
        environ["wsgi.input"].read()
        if path in self.ROUTES:
            start_response(self.ROUTES[path], [("Content-Type", "text/plain"), ("Location", "/target")])
            return _LoggedChunks(self.log, path, (b"moved ", b"along"))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return _LoggedChunks(self.log, path, (b"one ", b"two"))


class _LoggedChunks:
    def __init__(self, log: list[str], path: str, chunks: tuple[bytes, ...]) -> None:
        self.log, self.path, self.chunks = log, path, chunks

    def __iter__(self) -> Any:
        return iter(self.chunks)

    def close(self) -> None:
        self.log.append(f"close {self.path}")


class StreamRedirectTests(unittest.TestCase):
    def test_client_option_follow_redirects_applies_to_stream(self):
        app = RedirectLog()
        client = WSGITestClient(app, follow_redirects=True)
        with client.stream("GET", "/302") as response:
            self.assertEqual(app.log, ["call /302", "close /302", "call /target"])  # the redirect read and closed first
            self.assertEqual(response.read(), b"one two")
        self.assertEqual(app.log[3:], ["close /target"])
        [moved] = response.history
        self.assertEqual((moved.status_code, moved.body, response.request.path), (302, b"moved along", "/target"))

    def test_stream_follow_redirects_false_overrides_client_option(self):
        client = WSGITestClient(RedirectLog(), follow_redirects=True)
        with client.stream("GET", "/302", follow_redirects=False) as response:
            self.assertEqual((response.status_code, response.read(), response.history), (302, b"moved along", []))

    def test_stream_307_of_streamed_body_closes_the_redirect_response(self):
        app = RedirectLog()
        with self.assertRaisesRegex(TestkitError, r"^cannot follow 307 to http://testserver/target: a 307 repeats the request body"):
            with WSGITestClient(app).stream("POST", "/307", body=iter([b"x"]), follow_redirects=True):
                pass  # pragma: no cover
        self.assertEqual(app.log, ["call /307", "close /307"])


def _trace_of(call: Callable[[], Any], kind: type) -> tuple[BaseException, str]:
    try:
        call()
    except kind as exc:
        return exc, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    raise AssertionError(f"{kind.__name__} not raised")


class ServerExceptionTests(unittest.TestCase):
    def test_app_exception_propagates_with_its_frame(self):
        exc, trace = _trace_of(lambda: WSGITestClient(apps.raise_before_start_app).get("/"), apps.AppError)
        self.assertEqual(str(exc), "boom before start")
        self.assertIn(", in raise_before_start_app\n", trace)

    def test_app_exception_mid_body_propagates(self):
        app = apps.RaiseAfterStartApp()
        exc, trace = _trace_of(lambda: WSGITestClient(app).get("/"), apps.AppError)
        self.assertEqual(str(exc), "boom after start")
        self.assertIn(", in _chunks\n", trace)
        self.assertTrue(app.closed)

    def test_kept_exception_before_start_gives_500(self):
        response = WSGITestClient(apps.raise_before_start_app, raise_server_exceptions=False).get("/boom")
        self.assertEqual((response.status_code, response.body), (500, b"Internal Server Error"))
        self.assertEqual(response.headers["content-type"], "text/plain; charset=utf-8")
        self.assertIsInstance(response.exception, apps.AppError)
        self.assertIn(", in raise_before_start_app\n", response.traceback)
        self.assertTrue(response.traceback.endswith("AppError: boom before start\n"))
        self.assertEqual(response.request.path, "/boom")

    def test_kept_exception_after_first_chunk_keeps_partial_body(self):
        app = apps.RaiseAfterStartApp()
        response = WSGITestClient(app, raise_server_exceptions=False).get("/")
        self.assertEqual((response.status_code, response.body), (200, b"partial "))
        self.assertEqual(str(response.exception), "boom after start")
        self.assertIn(", in _chunks\n", response.traceback)
        self.assertTrue(app.closed)

    def test_no_exception_kept_on_success(self):
        response = WSGITestClient(apps.hello_app, raise_server_exceptions=False).get("/")
        self.assertEqual((response.exception, response.traceback), (None, ""))

    def test_protocol_error_raised_even_when_exceptions_kept(self):
        client = WSGITestClient(apps.bad_status_type, raise_server_exceptions=False)
        with self.assertRaisesRegex(ProtocolError, r"\[wsgi\.status\.type\]"):
            client.get("/")

    def test_protocol_error_gains_request_line(self):
        with self.assertRaises(ProtocolError) as caught:
            WSGITestClient(apps.bad_header_hop_by_hop).get("/path?x=1")
        self.assertEqual(str(caught.exception).splitlines()[-1], "  request: GET /path?x=1")
        self.assertEqual(caught.exception.rule, "wsgi.header.hop-by-hop")

    def test_protocol_error_in_body_gains_request_line(self):
        with self.assertRaises(ProtocolError) as caught:
            WSGITestClient(apps.bad_body_type_generator, raise_server_exceptions=False).post("/items")
        self.assertEqual(str(caught.exception).splitlines(), [
            "the app's iterable got int 42, expected bytes [wsgi.body.type]",
            "  expected: bytes",
            "  request: POST /items",
        ])

    def test_protocol_error_in_list_body_gains_request_line(self):
        with self.assertRaisesRegex(ProtocolError, r"\n  request: GET /list$"):
            WSGITestClient(apps.bad_body_type, validate=False).get("/list")

    def test_validate_false_lets_a_spec_violation_through(self):
        response = WSGITestClient(apps.bad_header_hop_by_hop, validate=False).get("/")
        self.assertEqual(response.headers["connection"], "close")

    def test_written_body_collected(self):
        self.assertEqual(WSGITestClient(apps.write_app).get("/").body, b"written;returned")

    def test_errors_text_on_response(self):
        self.assertEqual(WSGITestClient(apps.errors_app).get("/").errors, "first line\nsecond line\n")


class BaseUrlTests(unittest.TestCase):
    def test_base_url_path_becomes_script_name(self):
        response = WSGITestClient(apps.echo_app, base_url="http://testserver/app").get("/items")
        self.assertEqual((response.json()["script_name"], response.json()["path"]), ("/app", "/items"))
        self.assertEqual(response.request.url, "http://testserver/app/items")

    def test_redirect_followed_under_script_name(self):
        client = WSGITestClient(apps.redirect_app_for(REDIRECTS), base_url="http://testserver/app", follow_redirects=True)
        response = client.get("/302")
        self.assertEqual(response.history[0].headers["location"], "/app/target")
        self.assertEqual((response.json()["script_name"], response.json()["path"]), ("/app", "/target"))

    def test_base_url_property(self):
        self.assertEqual(WSGITestClient(apps.hello_app, base_url="https://x.example").base_url, "https://x.example")


class CookieTests(unittest.TestCase):
    def test_response_cookies_stored_in_client_jar(self):
        client = WSGITestClient(apps.set_cookie_app)
        response = client.get("/")
        self.assertEqual(response.cookies, {"session": "abc", "token": "xyz"})  # what the app set
        # the Secure token over http:// is not stored, as browsers do
        self.assertEqual((sorted(client.cookies), client.cookies["session"]), (["session"], "abc"))

    def test_set_cookie_then_read_cookie_on_one_client(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            if environ["PATH_INFO"] == "/login":
                return apps.set_cookie_app(environ, start_response)
            return apps.read_cookie_app(environ, start_response)

        client = WSGITestClient(app, base_url="https://testserver")  # https: the Secure token is kept too
        client.get("/login")
        self.assertEqual(client.get("/me").text, "session=abc; token=xyz")
        self.assertEqual(client.cookies["token"], "xyz")

    def test_secure_cookie_sent_over_https_only(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            if environ["PATH_INFO"] == "/login":
                return apps.set_cookie_app(environ, start_response)
            return apps.read_cookie_app(environ, start_response)

        https = WSGITestClient(app, base_url="https://testserver")
        https.get("/login")
        self.assertEqual(https.get("/me").text, "session=abc; token=xyz")
        http = WSGITestClient(app)
        http.get("/login")
        self.assertEqual(http.get("/me").text, "session=abc")

    def test_cookies_false_client_keeps_none(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            if environ["PATH_INFO"] == "/login":
                return apps.set_cookie_app(environ, start_response)
            return apps.read_cookie_app(environ, start_response)

        client = WSGITestClient(app, cookies=False)
        self.assertEqual(client.get("/login").cookies, {"session": "abc", "token": "xyz"})
        self.assertEqual(client.get("/me").text, "")
        with self.assertRaisesRegex(ValueError, r"^this client keeps no cookies: it was created with cookies=False$"):
            client.cookies

    def test_per_request_cookies_not_stored(self):
        client = WSGITestClient(apps.read_cookie_app, cookies={"a": "1"})
        self.assertEqual(client.get("/", cookies={"b": "2"}).text, "a=1; b=2")
        self.assertEqual(client.get("/", cookies={"a": "override"}).text, "a=override")
        self.assertEqual(client.get("/").text, "a=1")


class RedirectTests(unittest.TestCase):
    def setUp(self):
        self.client = WSGITestClient(apps.redirect_app_for(REDIRECTS))

    def test_not_followed_by_default(self):
        response = self.client.get("/302")
        self.assertEqual((response.status_code, response.headers["location"], response.history), (302, "/target", []))

    def test_followed_per_request(self):
        response = self.client.get("/302", follow_redirects=True)
        self.assertEqual((response.status_code, response.json()["path"]), (200, "/target"))

    def test_followed_per_client_and_disabled_per_request(self):
        client = WSGITestClient(apps.redirect_app_for(REDIRECTS), follow_redirects=True)
        self.assertEqual(client.get("/302").status_code, 200)
        self.assertEqual(client.get("/302", follow_redirects=False).status_code, 302)

    def test_301_302_303_turn_post_into_get_without_body(self):
        for path in ("/301", "/302", "/303"):
            with self.subTest(path=path):
                seen = self.client.post(path, json={"a": 1}, follow_redirects=True).json()
                self.assertEqual((seen["method"], seen["body"]), ("GET", ""))
                self.assertNotIn("CONTENT_TYPE", seen["headers"])
                self.assertNotIn("CONTENT_LENGTH", seen["headers"])

    def test_head_stays_head(self):
        response = self.client.head("/303", follow_redirects=True)
        self.assertEqual((response.status_code, response.request.method), (200, "HEAD"))

    def test_307_308_keep_method_and_body(self):
        for path in ("/307", "/308"):
            with self.subTest(path=path):
                seen = self.client.put(path, body=b"payload", headers={"Content-Type": "text/plain"}, follow_redirects=True).json()
                self.assertEqual((seen["method"], seen["body"], seen["headers"]["CONTENT_TYPE"]), ("PUT", "payload", "text/plain"))

    def test_307_with_streamed_body_is_testkit_error(self):
        with self.assertRaisesRegex(TestkitError, r"^cannot follow 307 to http://testserver/target: a 307 repeats the request body, and a streamed body can be sent only once$"):
            self.client.post("/307", body=iter([b"x"]), follow_redirects=True)

    def test_history_in_order(self):
        response = self.client.get("/chain/1", follow_redirects=True)
        self.assertEqual([(r.status_code, r.request.path) for r in response.history], [(302, "/chain/1"), (301, "/chain/2"), (303, "/chain/3?step=3")])
        self.assertEqual(response.request.path, "/target")

    def test_query_dropped_on_redirect(self):
        response = self.client.get("/302", query={"x": "1"}, follow_redirects=True)
        self.assertEqual(response.json()["query"], "")

    def test_relative_location_resolved_against_request_url(self):
        response = self.client.get("/relative/x", follow_redirects=True)
        self.assertEqual(response.json()["path"], "/relative/y")

    def test_loop_is_testkit_error_naming_the_chain(self):
        with self.assertRaisesRegex(TestkitError, r"^redirect loop: GET http://testserver/loop/a was already requested: "
                                                  r"GET http://testserver/loop/a \(302\) -> GET http://testserver/loop/b \(302\)$"):
            self.client.get("/loop/a", follow_redirects=True)

    def test_too_many_redirects_is_testkit_error(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            step = int(environ["PATH_INFO"].strip("/") or 0)
            start_response("302 Found", [("Location", f"/{step + 1}")])
            return []

        with self.assertRaisesRegex(TestkitError, r"^more than 20 redirects: GET http://testserver/ \(302\) -> .* -> GET http://testserver/20 \(302\)$"):
            WSGITestClient(app).get("/", follow_redirects=True)

    def test_absolute_location_on_other_host_followed_there(self):
        response = self.client.get("/away", follow_redirects=True, headers={"Authorization": "Bearer t"})
        seen = response.json()
        self.assertEqual(response.request.url, "https://other.example:8443/landing?from=away")
        self.assertEqual((seen["headers"]["HTTP_HOST"], seen["path"], seen["query"]), ("other.example:8443", "/landing", "from=away"))
        self.assertNotIn("HTTP_AUTHORIZATION", seen["headers"])
        self.assertEqual(repr(response), "<WSGITestResponse [200 OK] GET https://other.example:8443/landing?from=away>")

    def test_authorization_kept_on_same_host(self):
        seen = self.client.get("/302", follow_redirects=True, headers={"Authorization": "Bearer t"}).json()
        self.assertEqual(seen["headers"]["HTTP_AUTHORIZATION"], "Bearer t")

    def test_redirect_response_without_location_not_followed(self):
        client = WSGITestClient(apps.text_app_for(b"", "302 Found"))
        response = client.get("/", follow_redirects=True)
        self.assertEqual((response.status_code, response.history), (302, []))


if __name__ == "__main__":
    unittest.main()
