"""FastAPI WebSockets through ASGITestCase, validation on: subprotocol, echo, closes, denials, dependencies, handler errors."""

from __future__ import annotations

import contextlib

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, ProtocolError, WebSocketDenied
from tests.compat._support import NoPendingTasks, requires
from tests.compat._ws_scenario import HandlerFailed, WebSocketDenialScenario, WebSocketScenario

try:
    import fastapi
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    fastapi = None
else:
    from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Query, WebSocket, WebSocketDisconnect, WebSocketException, status
    from fastapi.responses import JSONResponse


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
class FastAPIWebSocketTests(WebSocketScenario, WebSocketDenialScenario, NoPendingTasks, ASGITestCase):
    UNOFFERED_SUBPROTOCOLS = ["chat.v1"]
    HANDLER_FAILURE = r"endpoint failed on 'bad input'"
    CLIENT_CLOSE = (1008, "client policy")
    DENIAL_STATUS = 429

    def assert_denial_body(self, response):
        self.assertJSON(response, {"error": "quota"})
        self.assertEqual(response.headers["retry-after"], "30")

    def get_app(self):
        self.disconnects: list[tuple[int, str]] = []
        self.events: list[str] = []
        return create_app(self.disconnects, self.events)

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

    async def test_query_validation_close_reason_is_a_list_tolerated_before_accept(self):
        # FastAPI's websocket_request_validation_exception_handler passes reason=jsonable_encoder(errors), a list
        # (fastapi/fastapi PRs #16300 and #16385). Before accept it is never on the wire (uvicorn and hypercorn
        # answer 403), so validation lets it through and WebSocketDenied carries it as the app sent it.
        with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 1008, HTTP 403") as caught:
            async with self.client.websocket_connect("/typed"):
                self.fail("the block must not run when the query is invalid")
        denied = caught.exception
        self.assertEqual((denied.status_code, denied.code), (403, 1008))
        self.assertIsInstance(denied.reason, list)
        self.assertEqual(denied.reason[0]["type"], "missing")
        self.assertEqual(denied.reason[0]["loc"], ["query", "n"])

    async def test_query_validation_refused_with_403_when_not_validating(self):
        async with ASGITestClient(self.get_app(), validate=False) as client:
            with self.assertRaisesRegex(WebSocketDenied, r"refused before accept: close code 1008, HTTP 403"):
                async with client.websocket_connect("/typed", query={"n": "seven"}):
                    self.fail("the block must not run when the query is invalid")
