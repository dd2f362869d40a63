"""The WebSocket scenario every framework module runs: subprotocol, echo, closes, refusals, handler errors, disconnects."""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from asgiwsgi_testkit import ASGITestClient, WebSocketClosed, WebSocketDenied

__all__ = ["HandlerFailed", "WebSocketDenialScenario", "WebSocketScenario"]


class HandlerFailed(Exception):
    """Raised by the failing handler, so the test can tell it from anything the kit raises."""


class WebSocketScenario:
    """Mixin for an ASGITestCase (not a TestCase itself, so it is never collected alone).

    Under PATH_PREFIX the app serves /chat (accepts offering "chat.v2" when the client offers it, echoes text and
    bytes as "echo: ..." and records the disconnect it sees), /json (echoes a text then a binary JSON message as
    {"got": ...}, then closes with no code), /policy (sends "about to close", then closes 1008 "policy violated"),
    /refuse (closes before accept with REFUSED_CLOSE_CODE) and /fail (raises HandlerFailed("... failed on 'bad
    input'") on the first text message). Class constants and the hook methods hold what differs between frameworks.
    """

    PATH_PREFIX: ClassVar[str] = ""  # where the app mounts the scenario's routes
    UNOFFERED_SUBPROTOCOLS: ClassVar[Optional[list[str]]] = None  # what the client offers when "chat.v2" is missing
    REFUSED_CLOSE_CODE: ClassVar[int] = 1008  # the code /refuse closes with before accept
    HANDLER_FAILURE: ClassVar[str] = r"handler failed on 'bad input'"  # HandlerFailed's message from /fail
    CLIENT_CLOSE: ClassVar[tuple[int, str]] = (4001, "done here")  # the code and reason the client closes /chat with

    client: ASGITestClient  # get_app(), the client and the assert* methods come from ASGITestCase
    disconnects: list

    def assert_handler_saw_close(self, code: int, reason: str) -> None:
        """/chat recorded exactly one disconnect with `code` and `reason` (the default records (code, reason) pairs)."""
        self.assertEqual(self.disconnects, [(code, reason)])

    async def test_subprotocol_negotiated_from_offered_list(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/chat", subprotocols=["chat.v1", "chat.v2"]) as ws:
            self.assertEqual(ws.subprotocol, "chat.v2")

    async def test_subprotocol_none_when_not_offered(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/chat", subprotocols=self.UNOFFERED_SUBPROTOCOLS) as ws:
            self.assertIsNone(ws.subprotocol)

    async def test_text_and_bytes_echoed_in_order(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/chat") as ws:
            await ws.send_text("héllo")
            await ws.send_bytes(b"\x00\xff")
            self.assertEqual(await ws.receive_text(), "echo: héllo")
            self.assertEqual(await ws.receive_bytes(), b"echo: \x00\xff")

    async def test_json_echoed_as_text_and_binary(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/json") as ws:
            await ws.send_json({"n": 1, "name": "Zoë"})
            self.assertEqual(await ws.receive_json(), {"got": {"n": 1, "name": "Zoë"}})
            await ws.send_json([1, 2], mode="binary")
            self.assertEqual(await ws.receive_json(mode="binary"), {"got": [1, 2]})
            with self.assertRaises(WebSocketClosed) as caught:
                await ws.receive_json()
        self.assertEqual(caught.exception.code, 1000)  # a close without a code reads as 1000

    async def test_app_close_1008_raises_closed_with_code_and_reason(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/policy") as ws:
            self.assertEqual(await ws.receive_text(), "about to close")
            with self.assertRaisesRegex(WebSocketClosed, r"closed by the app: code 1008, reason 'policy violated'") as caught:
                await ws.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (1008, "policy violated"))

    async def test_close_before_accept_raises_denied_403(self):
        refused = rf"refused before accept: close code {self.REFUSED_CLOSE_CODE}, HTTP 403"
        with self.assertRaisesRegex(WebSocketDenied, refused) as caught:
            async with self.client.websocket_connect(f"{self.PATH_PREFIX}/refuse"):
                self.fail("the block must not run when the handshake is refused")
        self.assertEqual(caught.exception.status_code, 403)
        self.assertIsNone(caught.exception.response)

    async def test_handler_exception_raised_into_waiting_receive(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/fail") as ws:
            await ws.send_text("bad input")
            with self.assertRaisesRegex(HandlerFailed, self.HANDLER_FAILURE):
                await ws.receive_text()

    async def test_handler_exception_raised_when_block_left_without_receive(self):
        with self.assertRaisesRegex(HandlerFailed, self.HANDLER_FAILURE):
            async with self.client.websocket_connect(f"{self.PATH_PREFIX}/fail") as ws:
                await ws.send_text("bad input")

    async def test_client_close_code_reaches_handler(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/chat") as ws:
            await ws.send_text("one")
            self.assertEqual(await ws.receive_text(), "echo: one")
            await ws.close(*self.CLIENT_CLOSE)
            self.assert_handler_saw_close(*self.CLIENT_CLOSE)  # close() waits for the handler to finish

    async def test_leaving_block_delivers_disconnect_1000(self):
        async with self.client.websocket_connect(f"{self.PATH_PREFIX}/chat") as ws:
            await ws.send_bytes(b"x")
            self.assertEqual(await ws.receive_bytes(), b"echo: x")
        self.assert_handler_saw_close(1000, "")


class WebSocketDenialScenario:
    """Mixin for an ASGITestCase whose app answers PATH_PREFIX + /deny with a denial response of DENIAL_STATUS.

    The default body is text "no token" with `WWW-Authenticate: Token`; override `assert_denial_body` otherwise.
    """

    PATH_PREFIX: ClassVar[str] = ""
    DENIAL_STATUS: ClassVar[int] = 401

    client: ASGITestClient

    def assert_denial_body(self, response: Any) -> None:
        """What the denial response carries besides its status."""
        self.assertEqual(response.text, "no token")
        self.assertEqual(response.headers["www-authenticate"], "Token")

    async def test_denial_response_carried_by_denied(self):
        denied = rf"refused with a denial response: HTTP {self.DENIAL_STATUS}"
        with self.assertRaisesRegex(WebSocketDenied, denied) as caught:
            async with self.client.websocket_connect(f"{self.PATH_PREFIX}/deny"):
                self.fail("the block must not run when the handshake is refused")
        response = caught.exception.response
        self.assertEqual(caught.exception.status_code, self.DENIAL_STATUS)
        self.assertStatus(response, self.DENIAL_STATUS)
        self.assert_denial_body(response)
