"""The end of a Starlette/FastAPI app's task, against the real frameworks (issue 9).

- a client left without shutdown() (the `client = TestClient(app)` habit, or an
  inline `await ASGITestClient(app).get(...)`) prints no ProtocolError and no
  asyncio complaint when its loop ends: one ResourceWarning, naming the fix;
- a failed startup is a LifespanError whose __cause__ is the app's own exception;
- leaving an endless StreamingResponse or a WebSocket that never receives
  takes the disconnect grace, not the step timeout.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import unittest

from asgiwsgi_testkit import ASGITestClient, LifespanError
from tests.compat._support import NoPendingTasks, requires

LEFT_UP = """
import asyncio, contextlib, gc
from fastapi import FastAPI
from asgiwsgi_testkit import ASGITestClient

@contextlib.asynccontextmanager
async def lifespan(app):
    yield {"db": "open"}

app = FastAPI(lifespan=lifespan)

@app.get("/")
async def root():
    return {"ok": True}

async def main():
    response = await ASGITestClient(app).get("/")
    assert response.json() == {"ok": True}
    gc.collect()
    print("request done")

asyncio.run(main())
print("loop closed")
"""


@requires("fastapi")
class LeftUpLifespanTests(unittest.TestCase):
    def test_fastapi_client_left_without_shutdown_prints_one_resource_warning_only(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = root
        done = subprocess.run([sys.executable, "-X", "dev", "-W", "default::ResourceWarning", "-c", textwrap.dedent(LEFT_UP)], capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(), ["request done", "loop closed"])
        for complaint in ("ProtocolError", "never retrieved", "destroyed but it is pending", "Exception ignored", "Traceback"):
            self.assertNotIn(complaint, done.stderr)
        lines = [line for line in done.stderr.splitlines() if "ResourceWarning" in line]
        self.assertEqual(len(lines), 1, done.stderr)
        self.assertIn("`async with client` or `await client.shutdown()`", lines[0])


@requires("starlette")
class StarletteLifecycleTests(NoPendingTasks, unittest.IsolatedAsyncioTestCase):
    async def test_failed_startup_chains_the_apps_exception(self):
        import contextlib

        from starlette.applications import Starlette

        @contextlib.asynccontextmanager
        async def lifespan(app):
            raise ConnectionRefusedError("database unreachable")
            yield  # pragma: no cover

        with self.assertRaises(LifespanError) as caught:
            async with ASGITestClient(Starlette(lifespan=lifespan)):
                self.fail("startup failed")
        self.assertIsInstance(caught.exception.__cause__, ConnectionRefusedError)
        self.assertTrue(str(caught.exception).endswith("with the message:\nConnectionRefusedError: database unreachable"), str(caught.exception))

    async def test_leaving_an_endless_streaming_response_is_quick(self):
        from starlette.applications import Starlette
        from starlette.responses import StreamingResponse
        from starlette.routing import Route

        async def ticks():
            while True:
                yield b"data: tick\n\n"
                await asyncio.sleep(0.01)

        async def events(request):
            return StreamingResponse(ticks(), media_type="text/event-stream")

        app = Starlette(routes=[Route("/events", events)])
        began = asyncio.get_running_loop().time()
        async with ASGITestClient(app, timeout=5) as client:
            async with client.stream("GET", "/events") as response:
                async for event in response.aiter_events():
                    self.assertEqual(event.data, "tick")
                    break
        self.assertLess(asyncio.get_running_loop().time() - began, 1.0)

    async def test_leaving_a_websocket_that_never_receives_is_quick(self):
        from starlette.applications import Starlette
        from starlette.routing import WebSocketRoute

        async def pusher(websocket):
            await websocket.accept()
            await websocket.send_text("tick")
            await asyncio.Event().wait()  # waits for news from elsewhere (a pub/sub), never receives

        app = Starlette(routes=[WebSocketRoute("/ws", pusher)])
        began = asyncio.get_running_loop().time()
        async with ASGITestClient(app, timeout=5) as client:
            async with client.websocket_connect("/ws") as ws:
                self.assertEqual(await ws.receive_text(), "tick")
        self.assertLess(asyncio.get_running_loop().time() - began, 1.0)


if __name__ == "__main__":
    unittest.main()
