"""Tests for _detect: ASGI3 apps pass through, ASGI2 double-callables are adapted, markers win, WSGI and non-apps are refused."""

from __future__ import annotations

import asyncio
import functools
import unittest
from typing import Any

from asgiwsgi_testkit import ASGITestClient, call_asgi, make_scope
from asgiwsgi_testkit._detect import as_asgi3, is_asgi, is_awaitable_class, is_double_callable


async def asgi3_app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"three"})


class ASGI3Class:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await asgi3_app(scope, receive, send)


class ASGI2App:
    def __init__(self, scope: Any) -> None:
        self.scope = scope

    async def __call__(self, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": self.scope["path"].encode()})


class AwaitableEndpoint:
    """Shaped like Starlette's HTTPEndpoint: the class is the app, its instance is awaited (uvicorn runs it as ASGI3)."""

    def __init__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] in ("http", "websocket")  # Starlette asserts its scope type too: no lifespan
        self.scope, self.receive, self.send = scope, receive, send

    def __await__(self) -> Any:
        return self.dispatch().__await__()

    async def dispatch(self) -> None:
        if self.scope["type"] == "websocket":
            await self.receive()
            await self.send({"type": "websocket.accept"})
            await self.send({"type": "websocket.send", "text": "endpoint " + self.scope["path"]})
            await self.send({"type": "websocket.close", "code": 1000})
            return
        await self.send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await self.send({"type": "http.response.body", "body": b"endpoint " + self.scope["path"].encode()})


def wsgi_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b""]


class WSGIClass:
    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        return wsgi_app(environ, start_response)


async def drive(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


class DetectTests(unittest.IsolatedAsyncioTestCase):
    async def test_asgi3_function_returned_unchanged(self):
        self.assertIs(as_asgi3(asgi3_app), asgi3_app)
        self.assertTrue(is_asgi(asgi3_app))
        self.assertFalse(is_double_callable(asgi3_app))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_asgi3_instance_with_async_call_returned_unchanged(self):
        app = ASGI3Class()
        self.assertIs(as_asgi3(app), app)
        self.assertTrue(is_asgi(app))
        self.assertFalse(is_double_callable(app))
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_asgi3_partial_and_bound_method_returned_unchanged(self):
        async def app(extra: Any, scope: Any, receive: Any, send: Any) -> None:
            await asgi3_app(scope, receive, send)

        partial = functools.partial(app, 1)
        self.assertIs(as_asgi3(partial), partial)
        bound = ASGI3Class().__call__
        self.assertIs(as_asgi3(bound), bound)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_asgi2_class_adapted_to_single_callable(self):
        self.assertTrue(is_double_callable(ASGI2App))
        self.assertTrue(is_asgi(ASGI2App))
        adapted = as_asgi3(ASGI2App)
        self.assertIsNot(adapted, ASGI2App)
        self.assertIs(adapted.__wrapped__, ASGI2App)
        sent = await drive(adapted, {"type": "http", "path": "/two"})
        self.assertEqual(sent[-1], {"type": "http.response.body", "body": b"/two"})
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_asgi2_closure_function_adapted(self):
        def app(scope: Any) -> Any:
            async def inner(receive: Any, send: Any) -> None:
                await asgi3_app(scope, receive, send)

            return inner

        self.assertTrue(is_double_callable(app))
        sent = await drive(as_asgi3(app), {"type": "http"})
        self.assertEqual(sent[-1]["body"], b"three")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_double_callable_marker_wins_over_async_signature(self):
        class Marked:
            _asgi_double_callable = True

            def __init__(self, scope: Any) -> None:
                self.scope = scope

            async def __call__(self, receive: Any, send: Any) -> None:
                await asgi3_app(self.scope, receive, send)

        instance_app = Marked({"type": "http"})  # an instance whose async __call__ looks ASGI3-ish
        self.assertTrue(is_double_callable(instance_app))
        self.assertTrue(is_asgi(instance_app))
        self.assertIsNot(as_asgi3(Marked), Marked)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_single_callable_marker_wins_over_class_heuristic(self):
        class Marked:
            _asgi_single_callable = True

            def __call__(self, scope: Any, receive: Any, send: Any) -> Any:  # sync, returns an awaitable
                return asgi3_app(scope, receive, send)

        self.assertFalse(is_double_callable(Marked))
        self.assertTrue(is_asgi(Marked))
        app = Marked()
        self.assertIs(as_asgi3(app), app)
        sent = await drive(app, {"type": "http"})
        self.assertEqual(sent[-1]["body"], b"three")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class AwaitableClassTests(unittest.IsolatedAsyncioTestCase):
    """A class whose instances are awaitable is ASGI3, as uvicorn decides: app(scope, receive, send) is then awaited."""

    async def test_awaitable_class_is_asgi3_not_double_callable(self):
        self.assertTrue(is_awaitable_class(AwaitableEndpoint))
        self.assertFalse(is_awaitable_class(AwaitableEndpoint({"type": "http"}, None, None)))  # the instance is no app
        self.assertFalse(is_awaitable_class(ASGI2App))
        self.assertFalse(is_double_callable(AwaitableEndpoint))
        self.assertTrue(is_asgi(AwaitableEndpoint))

    async def test_awaitable_class_adapted_to_a_coroutine_function(self):
        adapted = as_asgi3(AwaitableEndpoint)
        self.assertTrue(asyncio.iscoroutinefunction(adapted))  # the kit's tasks need a coroutine, not the instance
        self.assertIs(adapted.__wrapped__, AwaitableEndpoint)
        sent = await drive(adapted, {"type": "http", "path": "/e"})
        self.assertEqual(sent[-1], {"type": "http.response.body", "body": b"endpoint /e"})
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_double_callable_marker_still_wins_over_await(self):
        class Marked(ASGI2App):
            _asgi_double_callable = True

            def __await__(self) -> Any:  # pragma: no cover - never awaited
                raise AssertionError("not awaited")

        self.assertTrue(is_double_callable(Marked))
        sent = await drive(as_asgi3(Marked), {"type": "http", "path": "/m"})
        self.assertEqual(sent[-1]["body"], b"/m")

    async def test_awaitable_class_through_the_client_and_call_asgi(self):
        async with ASGITestClient(AwaitableEndpoint) as client:  # lifespan "auto": the class refuses the scope
            response = await client.get("/page")
            self.assertEqual((response.status_code, response.text), (200, "endpoint /page"))
            async with client.stream("GET", "/streamed") as streamed:
                self.assertEqual(b"".join([chunk async for chunk in streamed.aiter_bytes()]), b"endpoint /streamed")
            async with client.websocket_connect("/ws") as ws:
                self.assertEqual(await ws.receive_text(), "endpoint /ws")
        response = await call_asgi(AwaitableEndpoint, make_scope(path="/direct"))
        self.assertEqual(response.body, b"endpoint /direct")
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())


class RefusalTests(unittest.TestCase):
    def test_wsgi_function_raises_type_error_naming_wsgi_client(self):
        with self.assertRaisesRegex(TypeError, r"is a WSGI app \(environ, start_response\); use WSGITestClient for it$"):
            as_asgi3(wsgi_app)
        self.assertFalse(is_asgi(wsgi_app))

    def test_wsgi_instance_raises_type_error_naming_wsgi_client(self):
        with self.assertRaisesRegex(TypeError, r"WSGI app.*WSGITestClient"):
            as_asgi3(WSGIClass())
        self.assertFalse(is_asgi(WSGIClass()))

    def test_non_callable_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^app must be an ASGI callable app\(scope, receive, send\), not int: 5$"):
            as_asgi3(5)

    def test_zero_argument_lambda_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, r"is neither an ASGI 3 app \(async def app\(scope, receive, send\)\) nor an ASGI 2 double-callable$"):
            as_asgi3(lambda: None)


if __name__ == "__main__":
    unittest.main()
