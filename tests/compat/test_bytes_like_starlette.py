"""Starlette responses of memoryview and bytearray bodies, served as uvicorn serves them (issue 10, item 1)."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import ASGITestClient
from tests.compat._support import NoPendingTasks, requires


@requires("starlette")
class BytesLikeBodyTests(NoPendingTasks, unittest.IsolatedAsyncioTestCase):
    def app(self):
        from starlette.applications import Starlette
        from starlette.responses import Response, StreamingResponse
        from starlette.routing import Route, WebSocketRoute

        async def view(request):
            return Response(memoryview(b"from a memoryview"), media_type="text/plain")

        async def parts():
            for part in (b"one ", b"two"):
                yield memoryview(part)

        async def streamed(request):
            return StreamingResponse(parts(), media_type="text/plain")

        async def ws(websocket):
            await websocket.accept()
            await websocket.send_bytes(bytearray(b"array"))
            await websocket.close()

        return Starlette(routes=[Route("/view", view), Route("/streamed", streamed), WebSocketRoute("/ws", ws)])

    async def test_memoryview_response_and_streaming_response_bodies(self):
        async with ASGITestClient(self.app()) as client:
            response = await client.get("/view")
            self.assertEqual((response.status_code, response.body, type(response.body)), (200, b"from a memoryview", bytes))
            self.assertEqual((await client.get("/streamed")).body, b"one two")
            async with client.stream("GET", "/streamed") as streamed:
                self.assertEqual([chunk async for chunk in streamed.aiter_bytes()], [b"one ", b"two"])

    async def test_websocket_bytearray_message(self):
        async with ASGITestClient(self.app()) as client, client.websocket_connect("/ws") as ws:
            self.assertEqual(await ws.receive_bytes(), b"array")


if __name__ == "__main__":
    unittest.main()
