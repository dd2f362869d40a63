"""Starlette's HTTPEndpoint and WebSocketEndpoint passed directly as the app: ASGI3, as uvicorn runs them (issue 10, item 2)."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import ASGITestClient, WebSocketClosed, call_asgi, make_scope
from tests.compat._support import NoPendingTasks, requires

try:
    import starlette
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    starlette = None
else:
    from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint
    from starlette.responses import JSONResponse, PlainTextResponse


if starlette is not None:

    class Items(HTTPEndpoint):
        async def get(self, request):
            return JSONResponse({"method": request.method, "path": request.url.path, "tag": request.query_params.get("tag")})

        async def post(self, request):
            return JSONResponse({"received": await request.json()}, status_code=201)

        def put(self, request):  # a sync handler: Starlette runs it in its thread pool
            return PlainTextResponse("put " + request.headers["x-tag"])

    class Echo(WebSocketEndpoint):
        encoding = "text"
        seen: list = []

        async def on_connect(self, websocket):
            await websocket.accept()

        async def on_receive(self, websocket, data):
            if data == "bye":
                await websocket.close(code=4000)
                return
            await websocket.send_text("echo: " + data)

        async def on_disconnect(self, websocket, close_code):
            Echo.seen.append(close_code)


@requires("starlette")
class HTTPEndpointAppTests(NoPendingTasks, unittest.IsolatedAsyncioTestCase):
    async def test_http_endpoint_class_is_the_app(self):
        async with ASGITestClient(Items) as client:  # lifespan "auto": the endpoint asserts an http scope
            response = await client.get("/items?tag=a")
            self.assertEqual((response.status_code, response.json()), (200, {"method": "GET", "path": "/items", "tag": "a"}))
            response = await client.post("/items", json={"name": "x"})
            self.assertEqual((response.status_code, response.json()), (201, {"received": {"name": "x"}}))
            response = await client.put("/items", headers={"X-Tag": "t"})
            self.assertEqual(response.text, "put t")

    async def test_http_endpoint_answers_head_and_refuses_other_methods(self):
        async with ASGITestClient(Items) as client:
            head = await client.head("/items")
            self.assertEqual((head.status_code, head.body), (200, b""))
            response = await client.delete("/items")
            self.assertEqual((response.status_code, response.text), (405, "Method Not Allowed"))
            self.assertEqual(response.headers["allow"], "GET, HEAD, POST, PUT")

    async def test_http_endpoint_streamed_and_through_call_asgi(self):
        async with ASGITestClient(Items) as client:
            async with client.stream("GET", "/items") as response:
                body = b"".join([chunk async for chunk in response.aiter_bytes()])
        self.assertEqual(body, b'{"method":"GET","path":"/items","tag":null}')
        response = await call_asgi(Items, make_scope(path="/direct"))
        self.assertEqual(response.json()["path"], "/direct")


@requires("starlette")
class WebSocketEndpointAppTests(NoPendingTasks, unittest.IsolatedAsyncioTestCase):
    def setUp(self):
        Echo.seen = []

    async def test_websocket_endpoint_class_is_the_app(self):
        async with ASGITestClient(Echo) as client:
            async with client.websocket_connect("/ws") as ws:
                await ws.send_text("hi")
                self.assertEqual(await ws.receive_text(), "echo: hi")
        self.assertEqual(Echo.seen, [1000])  # leaving the block delivered websocket.disconnect

    async def test_websocket_endpoint_closes(self):
        async with ASGITestClient(Echo) as client:
            async with client.websocket_connect("/ws") as ws:
                await ws.send_text("bye")
                with self.assertRaises(WebSocketClosed) as caught:
                    await ws.receive_text()
        self.assertEqual(caught.exception.code, 4000)


if __name__ == "__main__":
    unittest.main()
