"""Tests for the end of an app's task in every exchange: bounded, blamed on the right side, and with nothing left pending.

Request, stream, WebSocket and lifespan each end their app through
_app_task.finish_app_task; these tests drive each one with apps that swallow
their cancellation, ignore the disconnect, or are left up when their loop ends.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import unittest

from asgiwsgi_testkit import AppTimeout, ASGITestClient, LifespanError

START = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
CANCEL_IGNORED = "waiting for the app to return after it was cancelled"


async def swallow_cancellation_forever() -> None:
    """What a misbehaving app does: every CancelledError is caught, and it waits again."""
    while True:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            pass


class LifecycleTestCase(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self) -> None:
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    def assertQuick(self, began: float, limit: float = 1.0) -> None:
        self.assertLess(asyncio.get_running_loop().time() - began, limit)


class SwallowedCancellationTests(LifecycleTestCase):
    """An app that swallows CancelledError ends the test in bounded time with AppTimeout, in every exchange."""

    async def test_request(self):
        async def app(scope, receive, send):
            await swallow_cancellation_forever()

        began = asyncio.get_running_loop().time()
        with self.assertRaisesRegex(AppTimeout, r"did not return within 0\.1s after it was cancelled \(GET /; waiting for http\.response\.start\): it swallowed the CancelledError$") as caught:
            await ASGITestClient(app, lifespan="off", timeout=0.1).get("/")
        self.assertEqual(caught.exception.step, CANCEL_IGNORED)
        self.assertQuick(began)
        self.assertNoTaskPending()

    async def test_stream(self):
        async def app(scope, receive, send):
            await send(START)
            await send({"type": "http.response.body", "body": b"first", "more_body": True})
            await swallow_cancellation_forever()

        began = asyncio.get_running_loop().time()
        with self.assertRaisesRegex(AppTimeout, r"after it was cancelled \(GET /\): it swallowed the CancelledError$") as caught:
            async with ASGITestClient(app, lifespan="off", timeout=0.1).stream("GET", "/") as response:
                self.assertEqual(await response.aiter_bytes().__anext__(), b"first")
        self.assertEqual(caught.exception.step, CANCEL_IGNORED)
        self.assertQuick(began)
        self.assertNoTaskPending()

    async def test_websocket(self):
        async def app(scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            await swallow_cancellation_forever()

        began = asyncio.get_running_loop().time()
        with self.assertRaisesRegex(AppTimeout, r"after it was cancelled \(WebSocket /ws\): it swallowed the CancelledError$") as caught:
            async with ASGITestClient(app, lifespan="off", timeout=0.1).websocket_connect("/ws"):
                pass
        self.assertEqual(caught.exception.step, CANCEL_IGNORED)
        self.assertQuick(began)
        self.assertNoTaskPending()

    async def test_lifespan_startup(self):
        async def app(scope, receive, send):
            await receive()
            await swallow_cancellation_forever()  # never answers startup, then ignores the cancel

        began = asyncio.get_running_loop().time()
        with self.assertRaises(AppTimeout) as caught:
            await ASGITestClient(app, lifespan="on", timeout=0.1).startup()
        self.assertEqual(caught.exception.step, CANCEL_IGNORED)
        self.assertQuick(began)
        self.assertNoTaskPending()

    async def test_lifespan_shutdown(self):
        async def app(scope, receive, send):
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            await swallow_cancellation_forever()  # answered, but never returns

        client = ASGITestClient(app, lifespan="on", timeout=0.1)
        await client.startup()
        began = asyncio.get_running_loop().time()
        with self.assertRaisesRegex(AppTimeout, r"\(lifespan shutdown\): it swallowed the CancelledError$"):
            await client.shutdown()
        self.assertQuick(began)
        self.assertNoTaskPending()


class DisconnectGraceTests(LifecycleTestCase):
    """After the client leaves, an app that neither returns nor listens is cancelled after a short grace, not the timeout."""

    async def test_leaving_a_stream_of_an_app_that_never_listens_is_quick(self):
        cancelled = []

        async def app(scope, receive, send):
            await send(START)
            try:
                while True:  # an endless event stream that never calls receive()
                    await send({"type": "http.response.body", "body": b"data: x\n\n", "more_body": True})
                    await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        client = ASGITestClient(app, lifespan="off", timeout=30)
        began = asyncio.get_running_loop().time()
        async with client.stream("GET", "/events") as response:
            async for _ in response.aiter_bytes():
                break
        self.assertQuick(began, 0.5)
        self.assertEqual(cancelled, [True])
        self.assertNoTaskPending()

    async def test_an_app_that_listened_gets_the_timeout_to_clean_up(self):
        log = []

        async def app(scope, receive, send):
            await send(START)
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
            while (await receive())["type"] != "http.disconnect":  # the request body first, then the disconnect
                pass
            await asyncio.sleep(0.3)  # a slow cleanup, longer than the grace
            log.append("http.disconnect")

        async with ASGITestClient(app, lifespan="off", timeout=5).stream("GET", "/") as response:
            await response.aiter_bytes().__anext__()
        self.assertEqual(log, ["http.disconnect"])
        self.assertNoTaskPending()

    async def test_leaving_a_websocket_of_an_app_that_never_listens_is_quick(self):
        cancelled = []

        async def app(scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            try:
                await asyncio.Event().wait()  # pushes from elsewhere, never receives
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        began = asyncio.get_running_loop().time()
        async with ASGITestClient(app, lifespan="off", timeout=30).websocket_connect("/ws"):
            pass
        self.assertQuick(began, 0.5)
        self.assertEqual(cancelled, [True])
        self.assertNoTaskPending()


class LifespanErrorTests(LifecycleTestCase):
    """LifespanError chains the app's own exception and reads as text."""

    async def test_startup_failure_chains_the_apps_exception_and_shows_its_line(self):
        import traceback

        async def app(scope, receive, send):  # what Starlette's router does
            await receive()
            try:
                raise ConnectionRefusedError("database unreachable")
            except BaseException:
                await send({"type": "lifespan.startup.failed", "message": traceback.format_exc()})
                raise

        with self.assertRaises(LifespanError) as caught:
            await ASGITestClient(app, lifespan="on").startup()
        error = caught.exception
        self.assertIsInstance(error.__cause__, ConnectionRefusedError)
        self.assertEqual(str(error), "lifespan startup failed: the app sent 'lifespan.startup.failed' with the message:\nConnectionRefusedError: database unreachable")
        self.assertNotIn("\\n", str(error))
        self.assertNoTaskPending()


LEFT_UP_SCRIPT = """
import asyncio, gc, traceback
from asgiwsgi_testkit import ASGITestClient

async def app(scope, receive, send):  # Starlette's router, in short
    if scope["type"] == "lifespan":
        started = False
        try:
            await receive()
            await send({"type": "lifespan.startup.complete"})
            started = True
            await receive()
        except BaseException:
            kind = "shutdown" if started else "startup"
            await send({"type": f"lifespan.{kind}.failed", "message": traceback.format_exc()})
            raise
        else:
            await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})

async def main():
    response = await ASGITestClient(app).get("/")  # the README's inline habit: no shutdown()
    assert response.body == b"ok"
    gc.collect()
    print("request done")

asyncio.run(main())
print("loop closed")
"""


class LeftoverLifespanTests(unittest.TestCase):
    """A lifespan that a lazy first request started and nobody shut down is the kit's leftover, not the app's fault."""

    def run_script(self, *flags: str) -> subprocess.CompletedProcess:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = root
        return subprocess.run([sys.executable, *flags, "-c", textwrap.dedent(LEFT_UP_SCRIPT)], capture_output=True, text=True, env=env, timeout=60)

    def test_no_protocol_error_and_nothing_printed_but_one_resource_warning(self):
        done = self.run_script("-X", "dev", "-W", "default")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(), ["request done", "loop closed"])
        self.assertNotIn("ProtocolError", done.stderr)
        self.assertNotIn("never retrieved", done.stderr)
        self.assertNotIn("destroyed but it is pending", done.stderr)
        warnings = [line for line in done.stderr.splitlines() if "Warning" in line]
        self.assertEqual(len(warnings), 1, done.stderr)
        self.assertRegex(warnings[0], r"ResourceWarning: .*lifespan.*still up.*`async with client`.*shutdown\(\)")


if __name__ == "__main__":
    unittest.main()


class GraceOptionTests(LifecycleTestCase):
    async def test_disconnect_grace_is_checked_and_used(self):
        for bad, error in ((-1, ValueError), ("0.1", TypeError), (True, TypeError)):
            with self.subTest(bad=bad):
                with self.assertRaisesRegex(error, r"^disconnect_grace= must be"):
                    ASGITestClient(swallow_cancellation_forever, disconnect_grace=bad)
        outcomes = []

        async def app(scope, receive, send):
            await send(START)
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
            try:
                await asyncio.sleep(0.3)  # returns on its own after 0.3 s, never listening
            except asyncio.CancelledError:
                outcomes.append("cancelled")
                raise
            outcomes.append("returned")
            await send({"type": "http.response.body", "body": b""})

        for grace, outcome in ((0.0, "cancelled"), (2.0, "returned")):
            with self.subTest(grace=grace):
                client = ASGITestClient(app, lifespan="off", disconnect_grace=grace)
                self.assertEqual(client.disconnect_grace, grace)
                async with client.stream("GET", "/") as response:
                    await response.aiter_bytes().__anext__()
                self.assertEqual(outcomes.pop(), outcome)
        self.assertNoTaskPending()
