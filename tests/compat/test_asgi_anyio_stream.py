"""Streaming apps that put anyio cancel scopes and task groups around their own send()s (what Starlette, sse-starlette
and Litestar are built on): the cancellation reaches the app's task, never the test reading the stream."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import ASGITestClient
from tests.compat._support import requires

try:
    import anyio
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    anyio = None

START = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
END = {"type": "http.response.body", "body": b""}


def chunk(n: int) -> dict:
    return {"type": "http.response.body", "body": b"%d\n" % n, "more_body": True}


@requires("anyio")
class AnyioHostedStreamTests(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self) -> None:
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_cancel_scope_cancelled_by_the_app_ends_its_loop_and_spares_the_reader(self):
        exited = asyncio.Event()

        async def app(scope, receive, send):
            await send(START)
            with anyio.CancelScope() as cancel_scope:
                n = 0
                while True:
                    await send(chunk(n))
                    n += 1
                    if n == 3:
                        cancel_scope.cancel()  # delivered to the app's task on a later loop turn
            exited.set()
            await send({"type": "http.response.body", "body": b"after the scope\n"})

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            chunks = response.aiter_bytes()
            taken = [await chunks.__anext__() for _ in range(3)]  # the app runs as far as the reader lets it
            await exited.wait()  # anyio delivers on a later loop turn: to the app's task, not to this wait
            rest = [piece async for piece in chunks]
        self.assertEqual((taken, rest[-1]), ([b"0\n", b"1\n", b"2\n"], b"after the scope\n"))
        self.assertLessEqual(len(rest), 3)
        self.assertNoTaskPending()

    async def test_fail_after_around_a_stalled_stream_raises_in_the_app(self):
        outcome = []

        async def app(scope, receive, send):
            await send(START)
            try:
                with anyio.fail_after(0.01):
                    await send(chunk(0))
                    await send(chunk(1))
                    await anyio.Event().wait()  # stalls: the deadline cancels the app's task
            except TimeoutError:
                outcome.append("timed out")
            await send(END)

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            body = await response.aread()
        self.assertEqual((body, outcome), (b"0\n1\n", ["timed out"]))
        self.assertNoTaskPending()

    async def test_task_group_streaming_from_a_child_while_the_host_listens_for_disconnect(self):
        # Starlette's StreamingResponse for ASGI spec versions before 2.4, in miniature.
        async def app(scope, receive, send):
            await send(START)
            async with anyio.create_task_group() as group:

                async def stream() -> None:
                    for n in range(5):
                        await send(chunk(n))
                    await send(END)
                    group.cancel_scope.cancel()

                group.start_soon(stream)
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            pieces = [piece async for piece in response.aiter_bytes()]
            await asyncio.sleep(0)  # the test goes on awaiting after the body ended: nothing cancels it
        self.assertEqual(pieces, [b"%d\n" % n for n in range(5)])
        self.assertNoTaskPending()


if __name__ == "__main__":
    unittest.main()
