"""Assertion helpers handed what a forgotten `await` or another client's habit gives them (issue 12, item 3)."""

from __future__ import annotations

import http
import unittest
import warnings

from asgiwsgi_testkit import ASGITestClient, ResponseAssertions, WSGITestClient
from tests import apps, asgi_apps


class Case(ResponseAssertions, unittest.TestCase):
    def runTest(self) -> None:  # pragma: no cover - only its assertion methods are used
        pass


class AssertionHintTests(unittest.TestCase):
    def setUp(self) -> None:
        self.case = Case()
        self.response = WSGITestClient(apps.hello_app).get("/")

    def test_status_as_int_or_http_status(self):
        self.case.assertStatus(self.response, 200)
        self.case.assertStatus(self.response, http.HTTPStatus.OK)

    def test_status_as_a_str_is_a_type_error_that_says_to_pass_the_code(self):
        with self.assertRaisesRegex(TypeError, r"^assertStatus\(\) code must be an int such as 200 or an http\.HTTPStatus, not str '200 OK': pass the code alone$"):
            self.case.assertStatus(self.response, "200 OK")
        with self.assertRaisesRegex(TypeError, r"not bool True"):
            self.case.assertStatus(self.response, True)

    def test_a_coroutine_says_the_request_was_not_awaited(self):
        helpers = {
            "assertStatus": (200,), "assertJSON": (), "assertHeader": ("x",), "assertNoHeader": ("x",), "assertContentType": ("text/plain",),
            "assertBodyContains": ("x",), "assertRedirects": ("/",), "assertCookie": ("x",),
        }
        client = ASGITestClient(asgi_apps.hello_app)
        for helper, arguments in helpers.items():
            with self.subTest(helper=helper), warnings.catch_warnings():
                warnings.simplefilter("error")  # and no "coroutine ... was never awaited" after it
                forgotten = client.get("/")
                with self.assertRaisesRegex(TypeError, rf"^{helper}\(\) got coroutine .*, not a response: the request was not awaited; write `response = await client\.get\(\.\.\.\)`$"):
                    getattr(self.case, helper)(forgotten, *arguments)


class SyncWithOnTheAsyncClientTests(unittest.TestCase):
    def test_a_sync_with_on_websocket_connect_or_stream_names_async_with_and_the_sync_client(self):
        client = ASGITestClient(asgi_apps.hello_app)
        for what, block in (("websocket_connect", lambda: client.websocket_connect("/ws")), ("stream", lambda: client.stream("GET", "/"))):
            with self.subTest(what=what):
                with self.assertRaisesRegex(TypeError, rf"^ASGITestClient\.{what}\(\) is used with `async with`, in an async test; for a synchronous `with`, use SyncASGITestClient"):
                    with block():
                        self.fail("entered")



class UnawaitedWebSocketSendTests(unittest.IsolatedAsyncioTestCase):
    async def test_a_send_without_await_is_reported_at_the_next_call_not_after_a_timeout(self):
        async def echo(scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            message = await receive()
            await send({"type": "websocket.send", "text": message.get("text") or ""})
            await receive()

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and no "coroutine ... was never awaited" on top
            async with ASGITestClient(echo, timeout=5.0).websocket_connect("/ws") as ws:
                ws.send_text("hi")  # the mistake
                with self.assertRaisesRegex(TypeError, r"^WebSocket /ws: an earlier send_text\(\) was called without `await`, so its message never reached the app: write `await ws\.send_text\(\.\.\.\)`$"):
                    await ws.receive_text()
                await ws.send_text("again")
                self.assertEqual(await ws.receive_text(), "again")


if __name__ == "__main__":
    unittest.main()
