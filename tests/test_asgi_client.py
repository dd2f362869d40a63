"""Tests for _asgi_client: ASGITestClient verbs, redirects (also while streaming), cookies, server exceptions, protocol errors, timeouts, misuse."""

from __future__ import annotations

import asyncio
import sys
import inspect
import unittest

from asgiwsgi_testkit import AppTimeout, ASGITestClient, ProtocolError, TestkitError
from asgiwsgi_testkit._content import UNSET
from tests import apps as wsgi_apps
from tests import asgi_apps as apps

REDIRECTS = {"/302": (302, "/target"), "/303": (303, "/target"), "/307": (307, "/target"), "/loop": (302, "/loop")}


class ClientTestBase(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class VerbTests(ClientTestBase):
    async def test_every_verb_sends_its_method(self):
        client = ASGITestClient(apps.echo_app)
        seen = []
        for verb in ("get", "post", "put", "patch", "delete", "options"):
            response = await getattr(client, verb)("/v")
            seen.append(response.json()["method"])
        head = await client.head("/v")
        custom = await client.request("purge", "/v")
        self.assertEqual(seen, ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        self.assertEqual((head.status_code, head.body, custom.json()["method"]), (200, b"", "PURGE"))
        self.assertNoTaskPending()

    async def test_post_json_body_and_query_reach_app(self):
        client = ASGITestClient(apps.echo_app)
        response = await client.post("/p", json={"a": 1}, query={"q": "x y"})
        data = response.json()
        self.assertEqual((data["path"], data["query"], data["body"]), ("/p", "q=x+y", '{"a":1}'))
        self.assertIn(["content-type", "application/json"], data["headers"])
        self.assertNoTaskPending()

    async def test_request_keywords_are_the_spec_ones(self):
        parameters = inspect.signature(ASGITestClient(apps.echo_app).request).parameters
        self.assertEqual(parameters["other_clients_keywords"].kind, inspect.Parameter.VAR_KEYWORD)  # only to name the kit's word
        self.assertEqual([p for p in parameters if p != "other_clients_keywords"], ["method", "path", "query", "query_string", "headers", "body", "json", "form", "files", "cookies", "follow_redirects", "environ_overrides", "scope_overrides"])
        self.assertIs(parameters["json"].default, UNSET)
        self.assertNoTaskPending()

    async def test_unknown_keyword_is_type_error_naming_it(self):
        with self.assertRaisesRegex(TypeError, r"post\(\) got an unexpected keyword argument 'data'"):
            await ASGITestClient(apps.echo_app).post("/", data=b"x")
        self.assertNoTaskPending()

    async def test_follow_redirects_must_be_bool(self):
        with self.assertRaisesRegex(TypeError, r"^follow_redirects= must be True or False, not int: 1$"):
            await ASGITestClient(apps.echo_app).get("/", follow_redirects=1)
        self.assertNoTaskPending()


class RedirectAndCookieTests(ClientTestBase):
    async def test_302_followed_to_get_without_body(self):
        client = ASGITestClient(apps.redirect_app_for(REDIRECTS), follow_redirects=True)
        response = await client.post("/302", body=b"data")
        self.assertEqual((response.text, [r.status_code for r in response.history]), ("GET /target ", [302]))
        self.assertNoTaskPending()

    async def test_307_followed_keeps_method_and_body(self):
        client = ASGITestClient(apps.redirect_app_for(REDIRECTS))
        response = await client.post("/307", body=b"data", follow_redirects=True)
        self.assertEqual(response.text, "POST /target data")
        self.assertNoTaskPending()

    async def test_redirect_not_followed_by_default(self):
        client = ASGITestClient(apps.redirect_app_for(REDIRECTS))
        response = await client.get("/302")
        self.assertEqual((response.status_code, response.headers["location"]), (302, "/target"))
        self.assertNoTaskPending()

    async def test_redirect_loop_is_testkit_error(self):
        client = ASGITestClient(apps.redirect_app_for(REDIRECTS), follow_redirects=True)
        with self.assertRaisesRegex(TestkitError, r"(?i)redirect"):
            await client.get("/loop")
        self.assertNoTaskPending()

    async def test_cookie_set_by_response_sent_on_next_request(self):
        client = ASGITestClient(apps.cookie_app)
        await client.get("/login")
        response = await client.get("/read")
        self.assertEqual((client.cookies["session"], response.text), ("abc", "session=abc"))
        self.assertNoTaskPending()

    async def test_cookies_false_client_sends_none(self):
        client = ASGITestClient(apps.cookie_app, cookies=False)
        await client.get("/login")
        response = await client.get("/read")
        self.assertEqual(response.text, "")
        with self.assertRaisesRegex(ValueError, r"cookies=False"):
            client.cookies
        self.assertNoTaskPending()


class RedirectLog:
    """/302 and /loop redirect (302), /307 redirects keeping the method; any other path answers 200.

    Every answer comes in two body chunks; `log` records when each request started and ended.
    """

    ROUTES = {"/302": (302, "/target"), "/loop": (302, "/loop"), "/307": (307, "/target")}

    def __init__(self):
        self.log = []

    async def __call__(self, scope, receive, send):
        path = scope["path"]
        self.log.append(f"start {path}")
        await apps.read_body(receive)
        if path in self.ROUTES:
            status, location = self.ROUTES[path]
            headers = [(b"location", location.encode()), (b"set-cookie", f"hop={path[1:]}".encode())]
            chunks = (b"moved ", b"along")
        else:
            status, headers, chunks = 200, [(b"content-type", b"text/plain")], (b"one ", b"two")
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": chunks[0], "more_body": True})
        await send({"type": "http.response.body", "body": chunks[1]})
        self.log.append(f"end {path}")


class StreamRedirectTests(ClientTestBase):
    async def test_stream_follows_redirect_reading_and_closing_each_one(self):
        app = RedirectLog()
        client = ASGITestClient(app, lifespan="off")
        async with client.stream("GET", "/302", follow_redirects=True) as response:
            self.assertEqual(app.log[:3], ["start /302", "end /302", "start /target"])
            chunks = [chunk async for chunk in response.aiter_bytes()]
        self.assertEqual((response.status_code, response.request.path, chunks), (200, "/target", [b"one ", b"two"]))
        [moved] = response.history
        self.assertEqual((moved.status_code, moved.request.path, moved.body), (302, "/302", b"moved along"))
        self.assertEqual(client.cookies["hop"], "302")
        with self.assertRaisesRegex(ValueError, r"only inside `async with client\.stream\(\.\.\.\)`"):
            moved.aiter_bytes()
        self.assertEqual(app.log, ["start /302", "end /302", "start /target", "end /target"])
        self.assertNoTaskPending()

    async def test_client_option_follow_redirects_applies_to_stream(self):
        app = RedirectLog()
        client = ASGITestClient(app, lifespan="off", follow_redirects=True)
        async with client.stream("POST", "/307", body=b"data") as response:
            body = await response.aread()
        self.assertEqual((body, response.request.method, [r.status_code for r in response.history]), (b"one two", "POST", [307]))
        async with client.stream("GET", "/302", follow_redirects=False) as response:
            self.assertEqual((response.status_code, await response.aread(), response.history), (302, b"moved along", []))
        self.assertNoTaskPending()

    async def test_stream_without_follow_yields_the_redirect(self):
        client = ASGITestClient(RedirectLog(), lifespan="off")
        async with client.stream("GET", "/302") as response:
            self.assertEqual((response.status_code, response.headers["location"]), (302, "/target"))
        self.assertNoTaskPending()

    async def test_stream_redirect_loop_is_testkit_error_and_leaves_nothing_running(self):
        app = RedirectLog()
        with self.assertRaisesRegex(TestkitError, r"^redirect loop: GET http://testserver/loop was already requested"):
            async with ASGITestClient(app, lifespan="off").stream("GET", "/loop", follow_redirects=True):
                pass  # pragma: no cover
        # The second request carries the cookie the first answer set, so the third is the repeat: the second,
        # still streaming when the loop is found, was closed (the app ended, no task left).
        self.assertEqual(app.log, ["start /loop", "end /loop"] * 2)
        self.assertNoTaskPending()

    async def test_stream_307_of_streamed_body_is_testkit_error_and_leaves_nothing_running(self):
        async def body():
            yield b"x"

        with self.assertRaisesRegex(TestkitError, r"^cannot follow 307 to http://testserver/target: a 307 repeats the request body"):
            async with ASGITestClient(RedirectLog(), lifespan="off").stream("POST", "/307", body=body(), follow_redirects=True):
                pass  # pragma: no cover
        self.assertNoTaskPending()

    async def test_stream_unknown_keyword_is_type_error_naming_it(self):
        with self.assertRaisesRegex(TypeError, r"^stream\(\) got an unexpected keyword argument 'timeout': that is another client's word; the kit's is the client's timeout= option \(ASGITestClient\)$"):
            async with ASGITestClient(apps.hello_app).stream("GET", "/", timeout=1):
                pass  # pragma: no cover
        self.assertNoTaskPending()


class ServerExceptionTests(ClientTestBase):
    async def test_app_exception_propagates_by_default(self):
        client = ASGITestClient(apps.raising_before_start_app)
        with self.assertRaisesRegex(ValueError, r"^boom before start$"):
            await client.get("/")
        self.assertNoTaskPending()

    async def test_app_exception_before_start_is_500_when_not_raised(self):
        client = ASGITestClient(apps.raising_before_start_app, raise_server_exceptions=False)
        response = await client.get("/")
        self.assertEqual((response.status_code, response.text), (500, "Internal Server Error"))
        self.assertIsInstance(response.exception, ValueError)
        self.assertIn("ValueError: boom before start", response.traceback)
        self.assertNoTaskPending()

    async def test_app_exception_after_start_keeps_what_was_sent(self):
        client = ASGITestClient(apps.raising_after_start_app, raise_server_exceptions=False)
        response = await client.get("/")
        self.assertEqual((response.status_code, response.body, str(response.exception)), (200, b"partial", "boom after start"))
        self.assertNoTaskPending()


class ProtocolErrorTests(ClientTestBase):
    CASES = [
        (apps.body_before_start_app, "asgi.http.start-first", r"'http\.response\.body' before 'http\.response\.start'"),
        (apps.start_twice_app, "asgi.http.start-once", r"'http\.response\.start' twice"),
        (apps.after_complete_app, "asgi.http.after-complete", r"after the http conversation finished"),
        (apps.str_status_app, "asgi.http.status-type", r"status '200' of type str"),
        (apps.str_header_name_app, "asgi.http.header-type", r"'http\.response\.start' with .*header.*'content-type'"),
        (apps.str_body_app, "asgi.http.body-type", r"body of type str"),
        (apps.unknown_event_app, "asgi.http.unknown-event", r"unknown event type 'http\.response\.begin'"),
        (apps.return_without_response_app, "asgi.http.returned-without-response", r"returned without sending 'http\.response\.start'"),
    ]

    async def test_each_misbehaviour_is_protocol_error_naming_rule_and_request(self):
        for validate in (True, False):
            for app, rule, text in self.CASES:
                with self.subTest(app=app.__name__, validate=validate):
                    client = ASGITestClient(app, validate=validate)
                    with self.assertRaisesRegex(ProtocolError, text) as caught:
                        await client.get("/path")
                    self.assertEqual(caught.exception.rule, rule)
                    self.assertIn("request: GET /path", str(caught.exception))
        self.assertNoTaskPending()

    async def test_protocol_error_raised_even_with_raise_server_exceptions_false(self):
        client = ASGITestClient(apps.start_twice_app, raise_server_exceptions=False)
        with self.assertRaisesRegex(ProtocolError, r"'http\.response\.start' twice"):
            await client.get("/path")
        self.assertNoTaskPending()


class TimeoutTests(ClientTestBase):
    async def test_silent_app_times_out_waiting_for_start(self):
        client = ASGITestClient(apps.silent_app, timeout=0.1)
        with self.assertRaisesRegex(AppTimeout, r"no progress within 0\.1s waiting for http\.response\.start \(GET /slow;") as caught:
            await client.get("/slow")
        self.assertIsInstance(caught.exception, TimeoutError)
        self.assertEqual((caught.exception.step, caught.exception.timeout), ("waiting for http.response.start", 0.1))
        self.assertNoTaskPending()

    async def test_app_awaiting_receive_again_before_answering_times_out(self):
        client = ASGITestClient(apps.receive_again_app, timeout=0.1)
        with self.assertRaisesRegex(AppTimeout, r"its last receive\(\) returned 'http\.request'") as caught:
            await client.post("/again", body=b"x")
        self.assertEqual(caught.exception.step, "waiting for http.response.start")
        self.assertNoTaskPending()

    async def test_app_lingering_after_response_cancelled_and_response_returned(self):
        app = apps.LingeringApp()
        client = ASGITestClient(app, timeout=0.1)
        with self.assertWarnsRegex(RuntimeWarning, r"^ASGI app was still running 0\.1s after its response completed \(GET /\) and was cancelled; background work") as caught:
            response = await client.get("/")
        if sys.version_info >= (3, 11):  # before, a resumed coroutine's frame chain stops inside the kit
            self.assertEqual(caught.filename, __file__)  # the warning points at the test's call, not into the kit
        self.assertEqual((response.status_code, response.body, app.cancelled), (200, b"done", True))
        self.assertNoTaskPending()

    async def test_callers_own_timeout_still_works_after_app_timeout(self):
        client = ASGITestClient(apps.silent_app, timeout=0.1)
        with self.assertRaises(AppTimeout):
            await client.get("/")
        with self.assertRaises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.Event().wait(), 0.01)
        self.assertNoTaskPending()


class MisuseTests(ClientTestBase):
    def test_wsgi_app_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"is a WSGI app \(environ, start_response\); use WSGITestClient"):
            ASGITestClient(wsgi_apps.hello_app)

    def test_unknown_lifespan_mode_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^lifespan= must be 'auto', 'on' or 'off', not 'yes'$"):
            ASGITestClient(apps.hello_app, lifespan="yes")

    def test_zero_timeout_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^timeout= must be a positive number of seconds, not 0$"):
            ASGITestClient(apps.hello_app, timeout=0)

    async def test_int_body_is_type_error(self):
        client = ASGITestClient(apps.echo_app)
        with self.assertRaisesRegex(TypeError, r"int"):
            await client.post("/", body=5)
        self.assertNoTaskPending()

    async def test_aiter_bytes_outside_stream_is_value_error(self):
        response = await ASGITestClient(apps.hello_app).get("/")
        with self.assertRaisesRegex(ValueError, r"only inside `async with client\.stream\(\.\.\.\)`"):
            async for _ in response.aiter_bytes():
                pass
        self.assertNoTaskPending()


MODULE_CLIENT = ASGITestClient(apps.LifespanApp())


class LoopTests(unittest.TestCase):
    def test_module_level_client_used_in_two_event_loops(self):
        async def use():
            response = await MODULE_CLIENT.get("/x")
            pending = asyncio.all_tasks() - {asyncio.current_task()}
            await MODULE_CLIENT.shutdown()
            return response.json(), pending, asyncio.all_tasks() - {asyncio.current_task()}

        first = asyncio.run(use())
        second = asyncio.run(use())
        self.assertEqual(first[0], {"db": "connected", "items": ["/x"]})
        self.assertEqual(second[0], {"db": "connected", "items": ["/x"]})  # a fresh startup in the second loop
        self.assertEqual((len(first[1]), first[2], len(second[1]), second[2]), (1, set(), 1, set()))
        self.assertEqual(MODULE_CLIENT.app.events, ["lifespan.startup", "lifespan.shutdown"] * 2)

    def test_client_without_lifespan_works_in_two_event_loops(self):
        client = ASGITestClient(apps.hello_app)
        self.assertEqual([asyncio.run(client.get("/")).text for _ in range(2)], ["Hello, world!"] * 2)


if __name__ == "__main__":
    unittest.main()
