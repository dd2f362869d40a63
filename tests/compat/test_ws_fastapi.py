"""FastAPI WebSockets through ASGITestCase, validation on: subprotocol, echo, closes, denials, dependencies, handler errors."""

from __future__ import annotations

import contextlib

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, ProtocolError, WebSocketClosed, WebSocketDenied
from tests.compat._support import NoPendingTasks, requires

try:
    import fastapi
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    fastapi = None
else:
    from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Query, WebSocket, WebSocketDisconnect, WebSocketException, status
    from fastapi.responses import JSONResponse


class HandlerFailed(Exception):
    """Raised by the failing endpoint, so the test can tell it from anything the kit raises."""


def create_app(disconnects: list[tuple[int, str]], events: list[str]):
    """A fresh FastAPI app; `disconnects` records the (code, reason) each endpoint saw when the client left.

    `events` records the lifespan and the yield dependency's steps.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield {"greeting": "hello from lifespan"}
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    async def db_session():
        events.append("session opened")
        try:
            yield "session-1"
        finally:
            events.append("session closed")

    async def require_token(websocket: WebSocket) -> str:
        token = websocket.headers.get("x-token")
        if token is None:
            raise HTTPException(status_code=401, detail="missing token", headers={"WWW-Authenticate": "Token"})
        if token != "good":
            raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="bad token")
        return token

    @app.websocket("/chat")
    async def chat(websocket: WebSocket):
        offered = websocket.scope["subprotocols"]
        await websocket.accept(subprotocol="chat.v2" if "chat.v2" in offered else None)
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(message["code"], message.get("reason"))
                if message.get("text") is not None:
                    await websocket.send_text("echo: " + message["text"])
                else:
                    await websocket.send_bytes(b"echo: " + message["bytes"])
        except WebSocketDisconnect as exc:
            disconnects.append((exc.code, exc.reason or ""))

    @app.websocket("/json")
    async def json_echo(websocket: WebSocket):
        await websocket.accept()
        data = await websocket.receive_json()
        await websocket.send_json({"got": data})
        data = await websocket.receive_json(mode="binary")
        await websocket.send_json({"got": data}, mode="binary")
        await websocket.close()

    @app.websocket("/secure")
    async def secure(websocket: WebSocket, token: str = Depends(require_token)):
        await websocket.accept()
        await websocket.send_text(f"hello {token}")
        await websocket.close()

    @app.websocket("/policy")
    async def policy(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text("about to close")
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="policy violated")

    @app.websocket("/refuse")
    async def refuse(websocket: WebSocket):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)  # before accept: HTTP 403

    @app.websocket("/deny")
    async def deny(websocket: WebSocket):
        await websocket.send_denial_response(JSONResponse({"error": "quota"}, status_code=429, headers={"retry-after": "30"}))

    @app.websocket("/rooms/{room}")
    async def room(websocket: WebSocket, room: str, token: str = Query(), x_tag: str = Header(), note: str = Cookie()):
        await websocket.accept()
        raw_path = websocket.scope["raw_path"].decode("ascii")
        await websocket.send_json({"url": str(websocket.url), "raw_path": raw_path, "room": room, "token": token, "tag": x_tag, "note": note})
        await websocket.close()

    @app.websocket("/uses-session")
    async def uses_session(websocket: WebSocket, session: str = Depends(db_session)):
        await websocket.accept()
        await websocket.send_json({"session": session, "greeting": websocket.state.greeting})
        try:
            await websocket.receive_text()
        except WebSocketDisconnect:
            events.append("endpoint saw disconnect")

    @app.websocket("/typed")
    async def typed(websocket: WebSocket, n: int = Query()):
        await websocket.accept()
        await websocket.send_json({"n": n})
        await websocket.close()

    @app.websocket("/fail")
    async def fail(websocket: WebSocket):
        await websocket.accept()
        text = await websocket.receive_text()
        raise HandlerFailed(f"endpoint failed on {text!r}")

    return app


@requires("fastapi")
class FastAPIWebSocketTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        self.disconnects: list[tuple[int, str]] = []
        self.events: list[str] = []
        return create_app(self.disconnects, self.events)

    async def test_subprotocol_negotiated_from_offered_list(self):
        async with self.client.websocket_connect("/chat", subprotocols=["chat.v1", "chat.v2"]) as ws:
            self.assertEqual(ws.subprotocol, "chat.v2")

    async def test_subprotocol_none_when_not_offered(self):
        async with self.client.websocket_connect("/chat", subprotocols=["chat.v1"]) as ws:
            self.assertIsNone(ws.subprotocol)

    async def test_text_and_bytes_echoed_in_order(self):
        async with self.client.websocket_connect("/chat") as ws:
            await ws.send_text("héllo")
            await ws.send_bytes(b"\x00\xff")
            self.assertEqual(await ws.receive_text(), "echo: héllo")
            self.assertEqual(await ws.receive_bytes(), b"echo: \x00\xff")

    async def test_json_echoed_as_text_and_binary(self):
        async with self.client.websocket_connect("/json") as ws:
            await ws.send_json({"n": 1, "name": "Zoë"})
            self.assertEqual(await ws.receive_json(), {"got": {"n": 1, "name": "Zoë"}})
            await ws.send_json([1, 2], mode="binary")
            self.assertEqual(await ws.receive_json(mode="binary"), {"got": [1, 2]})
            with self.assertRaises(WebSocketClosed) as caught:
                await ws.receive_json()
        self.assertEqual(caught.exception.code, 1000)

    async def test_path_query_header_and_cookie_parameters_reach_endpoint(self):
        connect = self.client.websocket_connect("/rooms/café", query={"token": "t 1"}, headers={"X-Tag": "a"}, cookies={"note": "hi"})
        async with connect as ws:
            seen = await ws.receive_json()
        self.assertEqual(  # Starlette builds websocket.url from the decoded path
            seen,
            {"url": "ws://testserver/rooms/café?token=t+1", "raw_path": "/rooms/caf%C3%A9", "room": "café", "token": "t 1", "tag": "a", "note": "hi"},
        )

    async def test_lifespan_state_and_yield_dependency_around_session(self):
        async with self.client.websocket_connect("/uses-session") as ws:
            self.assertEqual(await ws.receive_json(), {"session": "session-1", "greeting": "hello from lifespan"})
            self.assertEqual(self.events, ["startup", "session opened"])
        # leaving waited for the endpoint, and FastAPI ran the dependency's cleanup before returning
        self.assertEqual(self.events, ["startup", "session opened", "endpoint saw disconnect", "session closed"])

    async def test_query_parameter_validated_by_fastapi(self):
        async with self.client.websocket_connect("/typed", query={"n": "7"}) as ws:
            self.assertEqual(await ws.receive_json(), {"n": 7})

    async def test_websocket_exception_after_accept_closes_1008_with_reason(self):
        async with self.client.websocket_connect("/policy") as ws:
            self.assertEqual(await ws.receive_text(), "about to close")
            with self.assertRaisesRegex(WebSocketClosed, r"closed by the app: code 1008, reason 'policy violated'") as caught:
                await ws.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (1008, "policy violated"))

    async def test_dependency_passes_with_good_token(self):
        async with self.client.websocket_connect("/secure", headers={"X-Token": "good"}) as ws:
            self.assertEqual(await ws.receive_text(), "hello good")

    async def test_dependency_websocket_exception_before_accept_raises_denied_403(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 1008, HTTP 403") as caught:
            async with self.client.websocket_connect("/secure", headers={"X-Token": "bad"}):
                self.fail("the block must not run when the handshake is refused")
        self.assertEqual(caught.exception.status_code, 403)
        self.assertIsNone(caught.exception.response)

    async def test_dependency_http_exception_becomes_denial_response(self):
        # FastAPI's HTTPException handler answers with a JSONResponse, which Starlette sends as a denial response
        with self.assertRaisesRegex(WebSocketDenied, r"refused with a denial response: HTTP 401") as caught:
            async with self.client.websocket_connect("/secure"):
                self.fail("the block must not run when the handshake is refused")
        response = caught.exception.response
        self.assertEqual(caught.exception.status_code, 401)
        self.assertJSON(response, {"detail": "missing token"})
        self.assertEqual(response.headers["www-authenticate"], "Token")

    async def test_close_before_accept_raises_denied_403(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused before accept") as caught:
            async with self.client.websocket_connect("/refuse"):
                self.fail("the block must not run when the handshake is refused")
        self.assertEqual(caught.exception.status_code, 403)

    async def test_denial_response_carried_by_denied(self):
        with self.assertRaisesRegex(WebSocketDenied, r"refused with a denial response: HTTP 429") as caught:
            async with self.client.websocket_connect("/deny"):
                self.fail("the block must not run when the handshake is refused")
        response = caught.exception.response
        self.assertStatus(response, 429)
        self.assertJSON(response, {"error": "quota"})
        self.assertEqual(response.headers["retry-after"], "30")

    async def test_query_validation_close_reason_is_a_list_flagged_by_validator(self):
        # FastAPI's websocket_request_validation_exception_handler passes reason=jsonable_encoder(errors), a list
        # (fastapi/fastapi PRs #16300 and #16385); the ASGI spec asks for a str, so validation names the rule.
        with self.assertRaisesRegex(ProtocolError, r"'websocket.close' with reason \[\{'type': 'missing'") as caught:
            async with self.client.websocket_connect("/typed"):
                self.fail("the block must not run when the query is invalid")
        self.assertEqual(caught.exception.rule, "asgi.websocket.key-type")

    async def test_query_validation_refused_with_403_when_not_validating(self):
        async with ASGITestClient(self.get_app(), validate=False) as client:
            with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 1008, HTTP 403"):
                async with client.websocket_connect("/typed", query={"n": "seven"}):
                    self.fail("the block must not run when the query is invalid")

    async def test_endpoint_exception_raised_into_waiting_receive(self):
        async with self.client.websocket_connect("/fail") as ws:
            await ws.send_text("bad input")
            with self.assertRaisesRegex(HandlerFailed, r"endpoint failed on 'bad input'"):
                await ws.receive_text()

    async def test_endpoint_exception_raised_when_block_left_without_receive(self):
        with self.assertRaisesRegex(HandlerFailed, r"endpoint failed on 'bad input'"):
            async with self.client.websocket_connect("/fail") as ws:
                await ws.send_text("bad input")

    async def test_client_close_code_and_reason_reach_endpoint(self):
        async with self.client.websocket_connect("/chat") as ws:
            await ws.send_text("one")
            self.assertEqual(await ws.receive_text(), "echo: one")
            await ws.close(1008, "client policy")
            self.assertEqual(self.disconnects, [(1008, "client policy")])  # close() waits for the endpoint to finish

    async def test_leaving_block_delivers_disconnect_1000(self):
        async with self.client.websocket_connect("/chat") as ws:
            await ws.send_bytes(b"x")
            self.assertEqual(await ws.receive_bytes(), b"echo: x")
        self.assertEqual(self.disconnects, [(1000, "")])
