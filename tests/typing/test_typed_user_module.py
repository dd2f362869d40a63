"""A user's test module, written as the README teaches, that `mypy --strict` and pyright must find clean (`tox -e typing`).

It subclasses WSGITestCase and ASGITestCase and uses every client, so a
public name that loses its type (becomes Any) or a signature that rejects what
the docs show fails the typing run; the `assert_type` checks under
`TYPE_CHECKING` pin what editors and checkers see. It also runs as a test.
"""

from __future__ import annotations

import unittest
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Optional

from asgiwsgi_testkit import (
    ASGITestCase,
    ASGITestClient,
    ASGITestResponse,
    AppTimeout,
    Headers,
    ProtocolError,
    SyncASGITestClient,
    WebSocketClosed,
    WebSocketDenied,
    WebSocketSession,
    WSGITestCase,
    WSGITestClient,
    WSGITestResponse,
    call_asgi,
    call_wsgi,
    compose,
    make_environ,
    make_scope,
    validate_asgi,
    validate_wsgi,
)
from asgiwsgi_testkit.testclient import Response, TestClient

if TYPE_CHECKING:
    from typing_extensions import assert_type

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"hello": "world"}']


async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"hello": "world"}'})
    elif scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        message = await receive()
        await send({"type": "websocket.send", "text": message.get("text")})
        await send({"type": "websocket.close", "code": 1000})


def header_middleware(app: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return app(environ, start_response)  # type: ignore[no-any-return]

    return wrapped


class TypedWSGITests(WSGITestCase):
    app = staticmethod(wsgi_app)

    def test_client_and_responses_are_typed(self) -> None:
        response = self.client.get("/", query={"q": "1"}, headers={"Accept": "application/json"})
        if TYPE_CHECKING:
            assert_type(self.client, WSGITestClient)
            assert_type(response, WSGITestResponse)
            assert_type(response.status_code, int)
            assert_type(response.body, bytes)
            assert_type(response.text, str)
            assert_type(response.headers, Headers)
            assert_type(response.errors, str)
        self.assertStatus(response, 200)
        self.assertJSON(response, {"hello": "world"})
        self.assertEqual(response.json()["hello"], "world")
        posted = self.client.post("/", form={"a": "1"}, files={"f": ("f.txt", b"x")}, follow_redirects=True)
        self.assertStatus(posted, 200)
        self.assertStatus(self.client.request("PUT", "/", json={"a": 1}, environ_overrides={"REMOTE_USER": "ada"}), 200)

    def test_stream_and_call_wsgi(self) -> None:
        with self.client.stream("GET", "/") as response:
            chunks: list[bytes] = list(response.iter_bytes())
        self.assertEqual(b"".join(chunks), b'{"hello": "world"}')
        direct = call_wsgi(compose(validate_wsgi(wsgi_app), header_middleware), make_environ("GET", "/x"))
        self.assertEqual(direct.status, "200 OK")


class TypedASGITests(ASGITestCase):
    app = staticmethod(asgi_app)

    async def test_client_responses_and_sessions_are_typed(self) -> None:
        response = await self.client.get("/", query="q=1")
        if TYPE_CHECKING:
            assert_type(self.client, ASGITestClient)
            assert_type(response, ASGITestResponse)
            assert_type(response.trailers, Headers)
        self.assertJSON(response, {"hello": "world"})
        async with self.client.stream("GET", "/") as streamed:
            body = b"".join([chunk async for chunk in streamed.aiter_bytes()])
        self.assertEqual(body, b'{"hello": "world"}')
        async with self.client.websocket_connect("/ws") as ws:
            if TYPE_CHECKING:
                assert_type(ws, WebSocketSession)
                assert_type(ws.close_code, Optional[int])
                assert_type(ws.accept_headers, Headers)
            await ws.send_text("hi")
            self.assertEqual(await ws.receive_text(), "hi")
            with self.assertRaises(WebSocketClosed) as closed:
                await ws.receive_text()
            code: int = closed.exception.code
            self.assertEqual(code, 1000)

    async def test_call_asgi(self) -> None:
        response = await call_asgi(validate_asgi(asgi_app), make_scope("GET", "/"))
        if TYPE_CHECKING:
            assert_type(response, ASGITestResponse)
        self.assertEqual(response.json(), {"hello": "world"})


class TypedSyncClientTests(unittest.TestCase):
    def test_sync_client(self) -> None:
        with SyncASGITestClient(asgi_app) as client:
            response = client.get("/")
            if TYPE_CHECKING:
                assert_type(response, ASGITestResponse)
            self.assertEqual(response.status_code, 200)
            with client.stream("GET", "/") as streamed:
                self.assertEqual(streamed.read(), b'{"hello": "world"}')
            with client.websocket_connect("/ws") as ws:
                if TYPE_CHECKING:
                    assert_type(ws.subprotocol, Optional[str])
                ws.send_text("hi")
                text: str = ws.receive_text()
                self.assertEqual(text, "hi")

    def test_drop_in_test_client(self) -> None:
        with TestClient(asgi_app) as client:
            response = client.get("/", params={"q": "1"})
            if TYPE_CHECKING:
                assert_type(response, Response)
                assert_type(response.content, bytes)
            self.assertEqual(response.json(), {"hello": "world"})
            response.raise_for_status()

    def test_errors_carry_typed_attributes(self) -> None:
        def fields(error: ProtocolError | AppTimeout | WebSocketDenied) -> tuple[object, ...]:
            if isinstance(error, ProtocolError):
                return (error.rule, error.value, error.expected)
            if isinstance(error, AppTimeout):
                return (error.step, error.timeout)
            return (error.status_code, error.response)

        self.assertEqual(fields(AppTimeout("slow", step="waiting", timeout=1.0)), ("waiting", 1.0))


if __name__ == "__main__":
    unittest.main()
