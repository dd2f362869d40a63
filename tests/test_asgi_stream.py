"""Tests for ASGITestClient.stream() and _asgi_stream: early return, async readers, back-pressure, leaving early,
the app's own task, validation and timeouts mid-stream; every test again with the driver task alone."""

from __future__ import annotations

import asyncio
import sys
import unittest
from typing import Any
from unittest import mock

from asgiwsgi_testkit import AppTimeout, ASGITestClient, ProtocolError
from asgiwsgi_testkit import _asgi_stream, _asyncio_internals
from tests import asgi_apps as apps

START = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}


def chunk(n: int) -> dict[str, Any]:
    return {"type": "http.response.body", "body": b"%d\n" % n, "more_body": True}


END = {"type": "http.response.body", "body": b""}


class StreamTestBase(unittest.IsolatedAsyncioTestCase):
    def assertNoTaskPending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class StreamReadTests(StreamTestBase):
    async def test_stream_returns_once_response_started(self):
        gate = asyncio.Event()

        async def app(scope, receive, send):
            if scope["type"] != "http":
                return
            await send({"type": "http.response.start", "status": 201, "headers": [(b"x-early", b"yes")]})
            await gate.wait()
            await send({"type": "http.response.body", "body": b"after gate"})

        client = ASGITestClient(app)
        async with client.stream("GET", "/") as response:
            self.assertEqual((response.status_code, response.headers["x-early"], gate.is_set()), (201, "yes", False))
            gate.set()
            self.assertEqual(await response.aread(), b"after gate")
            self.assertEqual(response.text, "after gate")
        self.assertNoTaskPending()

    async def test_aiter_bytes_yields_each_chunk(self):
        client = ASGITestClient(apps.ChunksApp(3))
        async with client.stream("GET", "/") as response:
            chunks = [chunk async for chunk in response.aiter_bytes()]
        self.assertEqual(chunks, [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"])
        self.assertNoTaskPending()

    async def test_aiter_lines_yields_lines_without_ends(self):
        client = ASGITestClient(apps.ChunksApp(2))
        async with client.stream("GET", "/") as response:
            lines = [line async for line in response.aiter_lines()]
        self.assertEqual(lines, ["chunk 0", "chunk 1"])
        self.assertNoTaskPending()

    async def test_aiter_events_parses_sse_split_across_chunks(self):
        client = ASGITestClient(apps.sse_app)
        async with client.stream("GET", "/events") as response:
            events = [event async for event in response.aiter_events()]
        self.assertEqual([tuple(e) for e in events], [("greet", "hello", "", None), ("message", "a\nb", "7", None)])
        self.assertNoTaskPending()

    async def test_trailers_available_after_reading_stream(self):
        client = ASGITestClient(apps.trailers_app)
        async with client.stream("GET", "/") as response:
            body = await response.aread()
        self.assertEqual((body, response.trailers["x-checksum"]), (b"data", "abc123"))
        self.assertNoTaskPending()

    async def test_aiter_bytes_after_block_is_value_error(self):
        client = ASGITestClient(apps.ChunksApp(1))
        async with client.stream("GET", "/") as response:
            pass
        with self.assertRaisesRegex(ValueError, r"only inside `async with client\.stream\(\.\.\.\)`"):
            await response.aread()
        self.assertNoTaskPending()


    async def test_app_lingering_after_response_is_read_then_cancelled(self):
        app = apps.LingeringApp()
        client = ASGITestClient(app, timeout=0.1)
        async with client.stream("GET", "/") as response:
            body = await response.aread()
            self.assertFalse(app.cancelled)
        self.assertEqual((body, app.cancelled), (b"done", True))
        self.assertNoTaskPending()


class BackPressureTests(StreamTestBase):
    async def test_app_send_returns_only_after_reader_took_chunk(self):
        app = apps.ChunksApp(5)
        client = ASGITestClient(app)
        snapshots = []
        async with client.stream("GET", "/") as response:
            async for chunk in response.aiter_bytes():
                snapshots.append(list(app.returned))
        for index, returned in enumerate(snapshots):
            with self.subTest(chunk=index):
                self.assertEqual(returned[:index], [True] * index)  # earlier sends returned
                self.assertEqual(returned[index + 1 :], [False] * (4 - index))  # later sends not even made
        self.assertEqual(app.returned, [True] * 5)
        self.assertNoTaskPending()


class LeavingEarlyTests(StreamTestBase):
    async def test_leaving_endless_stream_disconnects_and_app_finishes(self):
        app = apps.EndlessApp()
        client = ASGITestClient(app)
        async with client.stream("GET", "/forever") as response:
            chunks = response.aiter_bytes()
            taken = [await chunks.__anext__() for _ in range(3)]
            await chunks.aclose()
            self.assertFalse(app.finished.is_set())
        self.assertEqual(taken, [b"tick\n"] * 3)
        self.assertEqual((app.finished.is_set(), app.saw_disconnect), (True, True))
        self.assertNoTaskPending()

    async def test_exception_in_block_still_disconnects_app(self):
        app = apps.EndlessApp()
        client = ASGITestClient(app)
        with self.assertRaisesRegex(KeyError, r"^'test error'$"):
            async with client.stream("GET", "/forever"):
                raise KeyError("test error")
        self.assertEqual((app.finished.is_set(), app.saw_disconnect), (True, True))
        self.assertNoTaskPending()


class StreamErrorTests(StreamTestBase):
    async def test_silent_app_stream_times_out_waiting_for_start(self):
        client = ASGITestClient(apps.silent_app, timeout=0.1)
        with self.assertRaisesRegex(AppTimeout, r"within 0\.1s waiting for http\.response\.start") as caught:
            async with client.stream("GET", "/"):
                self.fail("the block must not run")
        self.assertEqual(caught.exception.step, "waiting for http.response.start")
        self.assertNoTaskPending()

    async def test_app_raising_before_start_propagates_from_stream(self):
        client = ASGITestClient(apps.raising_before_start_app)
        with self.assertRaisesRegex(ValueError, r"^boom before start$"):
            async with client.stream("GET", "/"):
                self.fail("the block must not run")
        self.assertNoTaskPending()


class AppTaskTests(StreamTestBase):
    """The app runs as one task of its own, whoever steps it: cancellations aimed at it never reach the reader."""

    async def test_app_sees_one_task_of_its_own_across_chunks_and_waits(self):
        seen = []

        async def app(scope, receive, send):
            seen.append(asyncio.current_task())
            await send(START)
            for n in range(4):
                await send(chunk(n))
                seen.append(asyncio.current_task())
            await asyncio.sleep(0)  # a wait of its own: its task runs it
            seen.append(asyncio.current_task())
            await send(chunk(4))
            seen.append(asyncio.current_task())
            await send(END)

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            body = await response.aread()
        self.assertEqual(body, b"0\n1\n2\n3\n4\n")
        self.assertEqual(len(set(seen)), 1, seen)
        self.assertIsNot(seen[0], asyncio.current_task())
        self.assertTrue(seen[0].done())
        self.assertNoTaskPending()

    async def test_cancelling_the_app_task_between_reads_reaches_the_app_not_the_reader(self):
        # What an anyio cancel scope or asyncio.timeout() does: cancel the task the app runs in, later.
        cancelled_in_app = asyncio.Event()

        async def app(scope, receive, send):
            await send(START)
            loop = asyncio.get_running_loop()
            loop.call_soon(asyncio.current_task().cancel)
            try:
                n = 0
                while True:
                    await send(chunk(n))
                    n += 1
            except asyncio.CancelledError:
                cancelled_in_app.set()
                await send({"type": "http.response.body", "body": b"stopped\n"})

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            chunks = response.aiter_bytes()
            first = await chunks.__anext__()
            await cancelled_in_app.wait()  # the reader's own wait goes on undisturbed
            rest = [c async for c in chunks]
        self.assertEqual(first, b"0\n")
        self.assertEqual(rest[-1], b"stopped\n")
        self.assertLessEqual(len(rest), 3)  # the app was at most about two chunks ahead
        self.assertNoTaskPending()

    @unittest.skipIf(sys.version_info < (3, 11), "asyncio.timeout() is new in Python 3.11")
    async def test_asyncio_timeout_inside_a_streaming_app_times_out_the_app_only(self):
        outcome = []

        async def app(scope, receive, send):
            await send(START)
            try:
                async with asyncio.timeout(None) as deadline:
                    await send(chunk(0))
                    await send(chunk(1))
                    deadline.reschedule(asyncio.get_running_loop().time())  # due now: fires on the next loop turn
                    while True:
                        await send(chunk(2))
            except TimeoutError:
                outcome.append("timed out")
            await send(END)

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            body = await response.aread()  # the deadline is due while the reader takes chunk after chunk
        self.assertEqual(outcome, ["timed out"])
        self.assertTrue(body.startswith(b"0\n1\n2\n2\n"), body[:20])
        self.assertNoTaskPending()

    async def test_reader_taking_chunks_nonstop_still_lets_the_apps_timers_run(self):
        async def app(scope, receive, send):
            stop = asyncio.Event()
            asyncio.get_running_loop().call_soon(stop.set)
            await send(START)
            n = 0
            while not stop.is_set():  # never waits: only a loop turn the reader gives lets the callback run
                await send(chunk(n))
                n += 1
            await send(END)

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            pieces = [piece async for piece in response.aiter_bytes()]
        self.assertEqual(pieces[:2], [b"0\n", b"1\n"])
        self.assertLessEqual(len(pieces), 2 * _asgi_stream._STEPS_PER_LOOP_TURN + 2)  # the stream ended: the callback ran
        self.assertNoTaskPending()

    async def test_chunks_sent_from_the_apps_own_child_task_keep_back_pressure(self):
        sent = []

        async def app(scope, receive, send):
            async def producer():
                await send(START)
                for n in range(6):
                    await send(chunk(n))
                    sent.append(n)
                await send({"type": "http.response.body", "body": b"6\n"})  # the last chunk, buffered the same way

            await asyncio.get_running_loop().create_task(producer())

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            ahead = []
            async for piece in response.aiter_bytes():
                ahead.append(len(sent) - int(piece))
        self.assertEqual(len(ahead), 7)
        self.assertLessEqual(max(ahead), 2, ahead)  # a send() returns only when at most one more chunk waits
        self.assertNoTaskPending()


class StreamEdgeTests(StreamTestBase):
    async def test_empty_chunks_are_not_handed_over_and_a_finished_iterator_stays_finished(self):
        async def app(scope, receive, send):
            await send(START)
            for body in (b"", b"a", b"", b"b"):
                await send({"type": "http.response.body", "body": body, "more_body": True})
            await send(END)

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            chunks = response.aiter_bytes()
            pieces = [piece async for piece in chunks]
            with self.assertRaises(StopAsyncIteration):
                await chunks.__anext__()
        self.assertEqual(pieces, [b"a", b"b"])
        self.assertNoTaskPending()

    async def test_app_returning_mid_body_is_an_incomplete_response(self):
        async def app(scope, receive, send):
            await send(START)
            await send(chunk(0))

        with self.assertRaisesRegex(ProtocolError, r"returned before completing its response.*\[asgi\.http\.returned-incomplete\]") as caught:
            async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
                await response.aread()
        self.assertEqual(caught.exception.value, chunk(0))  # the last thing it sent
        self.assertNoTaskPending()

    async def test_leaving_while_the_apps_child_task_waits_for_room(self):
        finished = []

        waiting = asyncio.Event()

        async def app(scope, receive, send):
            async def producer():
                await send(START)
                for n in range(2):
                    await send(chunk(n))
                waiting.set()
                await send(chunk(2))  # two wait already: this send() waits for room until the reader leaves
                await send({"type": "http.response.body", "body": b"last\n"})
                finished.append("producer")

            await asyncio.get_running_loop().create_task(producer())
            finished.append("app")

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            self.assertEqual(await response.aiter_bytes().__anext__(), b"0\n")
            await waiting.wait()
        self.assertEqual(finished, ["producer", "app"])
        self.assertNoTaskPending()

    async def test_first_of_several_swallowed_violations_is_raised(self):
        async def app(scope, receive, send):
            await send(START)
            for bad in ({"type": "http.response.body", "body": "one"}, {"type": "http.response.body", "body": 2}):
                try:
                    await send(bad)
                except ProtocolError:
                    pass
            await send(END)

        with self.assertRaisesRegex(ProtocolError, r"body of type str: 'one'"):
            async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
                self.assertEqual(await response.aread(), b"")
        self.assertNoTaskPending()


class StreamRobustnessTests(StreamTestBase):
    """What a demanding reviewer found: waits that must end, sends from odd places, cancellations around the block."""

    async def test_app_that_wakes_up_but_sends_nothing_still_times_out(self):
        async def app(scope, receive, send):
            await send(START)
            while True:
                await asyncio.sleep(0.005)  # polling for events that never come: no progress

        client = ASGITestClient(app, lifespan="off", timeout=0.05)
        with self.assertRaisesRegex(AppTimeout, r"waiting for http\.response\.body"):
            async with client.stream("GET", "/") as response:
                await response.aread()
        self.assertNoTaskPending()

    @unittest.skipUnless(hasattr(asyncio, "eager_task_factory"), "eager tasks are new in Python 3.12")
    async def test_child_task_started_eagerly_sends_the_body(self):
        loop = asyncio.get_running_loop()
        loop.set_task_factory(asyncio.eager_task_factory)
        self.addCleanup(loop.set_task_factory, None)

        async def app(scope, receive, send):
            async def body():
                await send(START)
                for n in range(5):
                    await send(chunk(n))
                await send(END)

            await asyncio.create_task(body())  # its first step runs inside the app's own step

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            self.assertEqual(await response.aread(), b"0\n1\n2\n3\n4\n")
        self.assertNoTaskPending()

    async def test_cancelling_its_own_task_cancels_the_child_the_app_awaits(self):
        log, children = [], []

        async def app(scope, receive, send):
            await send(START)
            await send(chunk(0))
            await send(chunk(1))
            child = asyncio.ensure_future(asyncio.Event().wait())
            children.append(child)
            asyncio.current_task().cancel()  # what a cancel helper does: the app's own task
            try:
                await child
            except asyncio.CancelledError:
                log.append("app cancelled")
            await send(END)

        async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
            self.assertEqual(await response.aread(), b"0\n1\n")
        self.assertEqual((log, children[0].cancelled()), (["app cancelled"], True))  # as asyncio does for an awaited task
        self.assertNoTaskPending()

    async def test_chunk_from_another_task_while_the_final_body_waits_is_an_order_error(self):
        async def app(scope, receive, send):
            async def ping():
                await asyncio.sleep(0)
                await send({"type": "http.response.body", "body": b":ping\n", "more_body": True})

            await send(START)
            await send(chunk(0))
            pinger = asyncio.ensure_future(ping())
            await send({"type": "http.response.body", "body": b"last\n"})
            await pinger

        for validate in (True, False):
            with self.subTest(validate=validate):
                with self.assertRaisesRegex(ProtocolError, r"\[asgi\.http\.after-complete\]"):
                    async with ASGITestClient(app, lifespan="off", validate=validate).stream("GET", "/") as response:
                        await asyncio.sleep(0)  # the ping's turn comes while the last chunk waits
                        self.assertEqual(await response.aread(), b"0\nlast\n")
                self.assertNoTaskPending()

    async def test_str_status_is_raised_on_entering_the_block_even_unvalidated(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": "200", "headers": []})
            await send(END)

        for validate in (True, False):
            with self.subTest(validate=validate):
                with self.assertRaisesRegex(ProtocolError, r"\[asgi\.http\.status-type\]"):
                    async with ASGITestClient(app, lifespan="off", validate=validate).stream("GET", "/"):
                        self.fail("the block must not run")
                self.assertNoTaskPending()

    async def test_next_chunk_read_in_a_task_of_the_tests_own(self):
        async with ASGITestClient(apps.ChunksApp(2), lifespan="off").stream("GET", "/") as response:
            chunks = response.aiter_bytes()
            first = await asyncio.get_running_loop().create_task(chunks.__anext__())
            rest = [piece async for piece in chunks]
        self.assertEqual([first] + rest, [b"chunk 0\n", b"chunk 1\n"])
        self.assertNoTaskPending()

    async def test_test_cancelled_while_leaving_the_block_still_waits_for_the_app(self):
        disconnected, log = asyncio.Event(), []

        async def app(scope, receive, send):
            await send(START)
            await send(chunk(0))
            try:
                await receive()  # http.disconnect, once the reader leaves
                disconnected.set()
                await asyncio.Event().wait()  # a slow cleanup
            finally:
                log.append("app returned")

        async def reader():
            async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
                await response.aiter_bytes().__anext__()

        leaving = asyncio.ensure_future(reader())
        await disconnected.wait()  # the reader is inside the block's exit now
        leaving.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await leaving
        self.assertEqual(log, ["app returned"])
        self.assertNoTaskPending()

    async def test_head_stream_reads_the_apps_body_and_yields_none(self):
        app = apps.ChunksApp(3)
        async with ASGITestClient(app, lifespan="off").stream("HEAD", "/") as response:
            self.assertEqual(await response.aread(), b"")
        self.assertEqual(app.returned, [True] * 3)
        self.assertNoTaskPending()

    async def test_an_app_error_the_test_caught_is_not_raised_again_on_leaving(self):
        async with ASGITestClient(_raise_mid_body, lifespan="off").stream("GET", "/") as response:
            with self.assertRaisesRegex(ValueError, "^mid body$"):
                await response.aread()
        self.assertNoTaskPending()


async def _raise_mid_body(scope, receive, send):
    await send(START)
    await send(chunk(0))
    raise ValueError("mid body")


class StreamRequestBodyTests(StreamTestBase):
    async def test_app_echoing_an_async_request_body_that_waits_between_chunks(self):
        async def parts():
            for part in (b"a", b"b", b"c"):
                await asyncio.sleep(0)  # the request body itself waits: the app's task waits with it
                yield part

        async def app(scope, receive, send):
            await send(START)
            while True:
                event = await receive()
                if event["body"]:
                    await send({"type": "http.response.body", "body": event["body"].upper(), "more_body": True})
                if not event["more_body"]:
                    break
            await send(END)
            self.assertEqual((await receive())["type"], "http.disconnect")

        async with ASGITestClient(app, lifespan="off").stream("POST", "/", body=parts()) as response:
            pieces = [piece async for piece in response.aiter_bytes()]
        self.assertEqual(pieces, [b"A", b"B", b"C"])
        self.assertNoTaskPending()


class StreamValidationTests(StreamTestBase):
    """The stream checks what validate_asgi checks, and the exchange what a server needs."""

    @staticmethod
    def app_sending(bad: Any, swallow: bool = False) -> Any:
        async def app(scope, receive, send):
            await send(START)
            await send(chunk(0))
            try:
                await send(bad)
            except ProtocolError:
                if not swallow:
                    raise
            await send(END)

        return app

    async def test_str_body_mid_stream_is_a_protocol_error_from_the_read(self):
        for validate in (True, False):
            with self.subTest(validate=validate):
                client = ASGITestClient(self.app_sending({"type": "http.response.body", "body": "text", "more_body": True}), lifespan="off", validate=validate)
                with self.assertRaisesRegex(ProtocolError, r"body of type str.*\[asgi\.http\.body-type\]") as caught:
                    async with client.stream("GET", "/") as response:
                        await response.aread()
                self.assertEqual(caught.exception.rule, "asgi.http.body-type")
                self.assertNoTaskPending()

    async def test_non_bool_more_body_is_a_violation_only_when_validating(self):
        bad = {"type": "http.response.body", "body": b"x", "more_body": 1}
        client = ASGITestClient(self.app_sending(bad), lifespan="off")
        with self.assertRaisesRegex(ProtocolError, r"more_body=1.*\[asgi\.http\.flag-type\]"):
            async with client.stream("GET", "/") as response:
                await response.aread()
        async with ASGITestClient(self.app_sending(bad), lifespan="off", validate=False).stream("GET", "/") as response:
            self.assertEqual(await response.aread(), b"0\nx")
        self.assertNoTaskPending()

    async def test_violation_the_app_swallowed_is_raised_when_the_block_ends(self):
        client = ASGITestClient(self.app_sending({"type": "http.response.start", "status": 200}, swallow=True), lifespan="off")
        with self.assertRaisesRegex(ProtocolError, r"'http\.response\.start' twice \[asgi\.http\.start-once\]"):
            async with client.stream("GET", "/") as response:
                self.assertEqual(await response.aread(), b"0\n")
        self.assertNoTaskPending()

    async def test_body_after_the_end_is_an_order_error(self):
        async def app(scope, receive, send):
            await send(START)
            await send(END)
            await send(chunk(1))

        with self.assertRaisesRegex(ProtocolError, r"after the http conversation finished \[asgi\.http\.after-complete\]"):
            async with ASGITestClient(app, lifespan="off").stream("GET", "/") as response:
                self.assertEqual(await response.aread(), b"")
        self.assertNoTaskPending()


class StreamTimeoutTests(StreamTestBase):
    async def test_app_stalling_mid_body_times_out_naming_the_step_and_its_last_event(self):
        async def app(scope, receive, send):
            await send(START)
            await send(chunk(0))
            await asyncio.Event().wait()

        client = ASGITestClient(app, lifespan="off", timeout=0.05)
        with self.assertRaisesRegex(AppTimeout, r"within 0\.05s waiting for http\.response\.body .*it last sent http\.response\.body") as caught:
            async with client.stream("GET", "/") as response:
                async for _ in response.aiter_bytes():
                    pass
        self.assertEqual((caught.exception.step, caught.exception.last_event), ("waiting for http.response.body", chunk(0)))
        self.assertNoTaskPending()


class DriverTaskOnly:
    """Runs a test class again as on a Python whose current task cannot be swapped: the driver task steps the app alone."""

    async def asyncSetUp(self) -> None:
        await super().asyncSetUp()
        patcher = mock.patch.object(_asyncio_internals, "_chosen", ("driver", None))
        patcher.start()
        self.addCleanup(patcher.stop)


class StreamReadByDriverTests(DriverTaskOnly, StreamReadTests):
    pass


class BackPressureByDriverTests(DriverTaskOnly, BackPressureTests):
    pass


class LeavingEarlyByDriverTests(DriverTaskOnly, LeavingEarlyTests):
    pass


class StreamErrorByDriverTests(DriverTaskOnly, StreamErrorTests):
    pass


class AppTaskByDriverTests(DriverTaskOnly, AppTaskTests):
    pass


class StreamValidationByDriverTests(DriverTaskOnly, StreamValidationTests):
    pass


class StreamRequestBodyByDriverTests(DriverTaskOnly, StreamRequestBodyTests):
    pass


class StreamTimeoutByDriverTests(DriverTaskOnly, StreamTimeoutTests):
    pass


class StreamEdgeByDriverTests(DriverTaskOnly, StreamEdgeTests):
    pass


class StreamRobustnessByDriverTests(DriverTaskOnly, StreamRobustnessTests):
    pass


if __name__ == "__main__":
    unittest.main()


class ServerExceptionsTests(unittest.IsolatedAsyncioTestCase):
    """raise_server_exceptions=False holds for stream() as for every verb (SPEC 13)."""

    async def test_app_raising_before_start_is_a_500_that_keeps_the_exception(self):
        async def app(scope, receive, send):
            raise LookupError("no such report")

        client = ASGITestClient(app, lifespan="off", raise_server_exceptions=False)
        async with client.stream("GET", "/report") as response:
            self.assertEqual((response.status_code, await response.aread()), (500, b"Internal Server Error"))
        self.assertIsInstance(response.exception, LookupError)
        self.assertIn("LookupError: no such report", response.traceback)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_by_default_the_apps_exception_propagates(self):
        async def app(scope, receive, send):
            raise LookupError("no such report")

        with self.assertRaisesRegex(LookupError, "^no such report$"):
            async with ASGITestClient(app, lifespan="off").stream("GET", "/report"):
                self.fail("no response to stream")
