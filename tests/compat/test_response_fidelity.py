"""Responses of real frameworks held to what servers send (issue 10, items 7, 9 and 11).

A Content-Length that disagrees with the body (Starlette and werkzeug keep a
header the view set), HEAD through call_wsgi, and the status lines real
frameworks make for codes without a standard reason phrase.
"""

from __future__ import annotations

import os
import tempfile
import unittest

from asgiwsgi_testkit import ASGITestClient, ProtocolError, WSGITestClient, call_wsgi, make_environ
from tests.compat._support import NoPendingTasks, requires


@requires("starlette")
class StarletteContentLengthTests(NoPendingTasks, unittest.IsolatedAsyncioTestCase):
    def app(self, path: str = ""):
        from starlette.applications import Starlette
        from starlette.responses import FileResponse, Response
        from starlette.routing import Route

        async def wrong(request):
            return Response("hello", media_type="text/plain", headers={"content-length": "3"})

        async def right(request):
            return Response("hello", media_type="text/plain")

        async def file(request):
            return FileResponse(path)

        return Starlette(routes=[Route("/wrong", wrong), Route("/right", right, methods=["GET", "HEAD"]), Route("/file", file, methods=["GET", "HEAD"])])

    async def test_a_view_that_declares_3_bytes_and_sends_5_is_a_protocol_error(self):
        async with ASGITestClient(self.app()) as client:
            with self.assertRaises(ProtocolError) as caught:
                await client.get("/wrong")
            self.assertEqual(caught.exception.rule, "asgi.http.content-length")
            self.assertIn("declared Content-Length: 3 but its body has 5 bytes", str(caught.exception))

    async def test_without_validation_the_body_is_cut_as_waitress_and_gunicorn_cut_it(self):
        async with ASGITestClient(self.app(), validate=False) as client:
            response = await client.get("/wrong")
            self.assertEqual((response.status_code, response.body, response.headers["content-length"]), (200, b"hel", "3"))

    async def test_honest_responses_pass_also_head_and_a_streamed_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "data.bin")
            with open(path, "wb") as file:
                file.write(b"0123456789")
            async with ASGITestClient(self.app(path)) as client:
                self.assertEqual((await client.get("/right")).body, b"hello")
                head = await client.head("/right")
                self.assertEqual((head.status_code, head.body, head.headers["content-length"]), (200, b"", "5"))
                self.assertEqual((await client.get("/file")).body, b"0123456789")
                async with client.stream("GET", "/file") as streamed:
                    self.assertEqual(b"".join([chunk async for chunk in streamed.aiter_bytes()]), b"0123456789")  # pathsend, or chunks
                self.assertEqual((await client.head("/file")).headers["content-length"], "10")


@requires("flask")
class FlaskResponseTests(unittest.TestCase):
    def app(self):
        from flask import Flask, Response

        app = Flask(__name__)

        @app.route("/wrong")
        def wrong():
            response = Response("hello")
            response.headers["Content-Length"] = "3"  # set after the body (werkzeug computed 5 when the body was set)
            return response

        @app.route("/right")
        def right():
            return "hello"

        @app.route("/unlisted")
        def unlisted():
            return "odd", 299  # no standard reason phrase: werkzeug sends '299 UNKNOWN'

        return app

    def test_a_view_that_declares_3_bytes_and_sends_5_is_a_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"declared Content-Length: 3 but sent more: 5 bytes so far \[wsgi\.content-length\]"):
            WSGITestClient(self.app()).get("/wrong")

    def test_without_validation_the_body_is_cut(self):
        response = WSGITestClient(self.app(), validate=False).get("/wrong")
        self.assertEqual((response.body, response.headers["content-length"]), (b"hel", "3"))

    def test_head_through_call_wsgi_has_no_body(self):
        response = call_wsgi(self.app(), make_environ("HEAD", "/right"))
        self.assertEqual((response.status_code, response.body, response.headers["content-length"]), (200, b"", "5"))

    def test_a_code_without_a_standard_reason_phrase_passes_validation(self):
        response = WSGITestClient(self.app()).get("/unlisted")
        self.assertEqual((response.status_code, response.body), (299, b"odd"))


@requires("falcon")
class FalconStatusTests(unittest.TestCase):
    def test_an_int_status_without_a_standard_reason_passes_validation(self):
        import falcon

        class Resource:
            def on_get(self, req, resp):
                resp.status = 299
                resp.text = "odd"

        app = falcon.App()
        app.add_route("/", Resource())
        response = WSGITestClient(app).get("/")
        self.assertEqual((response.status_code, response.body), (299, b"odd"))


if __name__ == "__main__":
    unittest.main()
