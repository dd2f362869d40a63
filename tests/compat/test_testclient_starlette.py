"""Starlette tested the way its documentation tests it, through the drop-in `TestClient` (SPEC 12).

With TESTKIT_DROPIN_AGAINST=starlette the same tests run against
`starlette.testclient.TestClient`, which checks that they encode what
Starlette's client really does. Hand-written apps are in tests/test_testclient.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import unittest
import warnings
from typing import Optional

from tests.compat._support import requires

try:
    if os.environ.get("TESTKIT_DROPIN_AGAINST") == "starlette":
        from starlette.testclient import TestClient  # to check the tests themselves
    else:
        from asgiwsgi_testkit.testclient import TestClient
except ImportError as exc:  # setUpClass reports it, unless the class is skipped for a missing framework
    TestClient = None
    CLIENT_MISSING: Optional[ImportError] = exc
else:
    CLIENT_MISSING = None

try:
    import starlette
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    starlette = None
else:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect


class ViewFailed(Exception):
    """The /boom view raises this."""


def create_app(log: list[str]):
    """A fresh Starlette app; `log` records the lifespan steps and the close codes the WebSocket echo saw."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        log.append("startup")
        yield {"started": True}
        log.append("shutdown")

    async def homepage(request):
        return PlainTextResponse("Hello, world!")

    async def echo(request):
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "body": body.decode(),
                "content_type": request.headers.get("content-type"),
                "x_tag": request.headers.get("x-tag"),
            }
        )

    async def whoami(request):
        return JSONResponse(
            {
                "client": [request.client.host, request.client.port],
                "host": request.headers["host"],
                "scheme": request.url.scheme,
                "root_path": request.scope["root_path"],
                "url_for": str(request.url_for("whoami")),
                "started": getattr(request.state, "started", False),
            }
        )

    async def multi(request):
        response = PlainTextResponse("two of each")
        response.headers.append("x-multi", "a")
        response.headers.append("x-multi", "b")
        return response

    async def login(request):
        request.session["user"] = request.query_params["user"]
        return JSONResponse({"logged_in": True})

    async def profile(request):
        return JSONResponse({"user": request.session.get("user")})

    async def set_flavour(request):
        response = PlainTextResponse("set")
        response.set_cookie("flavour", "mint")
        return response

    async def clear_flavour(request):
        response = PlainTextResponse("cleared")
        response.delete_cookie("flavour")
        return response

    async def read_flavour(request):
        return JSONResponse({"flavour": request.cookies.get("flavour")})

    async def hop(request):
        remaining = int(request.path_params["remaining"])
        if remaining:
            return RedirectResponse(f"/hop/{remaining - 1}", status_code=302)
        return PlainTextResponse("landed")

    async def submit(request):
        return RedirectResponse("/echo?from=submit", status_code=303)

    async def keep(request):
        return RedirectResponse("/echo", status_code=307)

    async def numbers(request):
        async def chunks():
            for number in range(3):
                yield f"chunk {number};".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    async def boom(request):
        raise ViewFailed("boom from the view")

    async def teapot(request):
        return Response(b"short and stout", status_code=418)

    async def ws_echo(websocket: WebSocket):
        await websocket.accept()
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                log.append(f"websocket closed by the client: {message['code']}")
                return
            if message.get("text") is not None:
                text = message["text"]
                if text == "json":
                    await websocket.send_json({"got": await websocket.receive_json()})
                else:
                    await websocket.send_text(f"echo: {text}")
            else:
                await websocket.send_bytes(b"echo: " + message["bytes"])

    async def ws_handshake(websocket: WebSocket):
        subprotocols = websocket.scope["subprotocols"]
        await websocket.accept(subprotocol=subprotocols[0] if subprotocols else None)
        await websocket.send_json(
            {
                "subprotocols": subprotocols,
                "x_tag": websocket.headers.get("x-tag"),
                "token": websocket.query_params.get("token"),
                "path": websocket.url.path,
            }
        )
        await websocket.close()

    async def ws_policy(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text("about to close")
        await websocket.close(code=1008, reason="policy violated")

    async def ws_refuse(websocket: WebSocket):
        await websocket.close(code=4403, reason="no entry")  # before accept

    async def ws_deny(websocket: WebSocket):
        await websocket.send_denial_response(PlainTextResponse("no token", status_code=401))

    return Starlette(
        routes=[
            Route("/", homepage),
            Route("/echo", echo, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/whoami", whoami, name="whoami"),
            Route("/multi", multi),
            Route("/login", login, methods=["POST"]),
            Route("/profile", profile),
            Route("/flavour/set", set_flavour),
            Route("/flavour/clear", clear_flavour),
            Route("/flavour", read_flavour),
            Route("/hop/{remaining}", hop),
            Route("/submit", submit, methods=["POST"]),
            Route("/keep", keep, methods=["POST"]),
            Route("/numbers", numbers),
            Route("/boom", boom),
            Route("/teapot", teapot),
            WebSocketRoute("/ws", ws_echo),
            WebSocketRoute("/ws/handshake", ws_handshake),
            WebSocketRoute("/ws/policy", ws_policy),
            WebSocketRoute("/ws/refuse", ws_refuse),
            WebSocketRoute("/ws/deny", ws_deny),
        ],
        middleware=[Middleware(SessionMiddleware, secret_key="compat-tests")],
        lifespan=lifespan,
    )


@requires("starlette")
class StarletteTestClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if TestClient is None:
            raise ImportError(f"the TestClient under test does not import: {CLIENT_MISSING}") from CLIENT_MISSING

    def setUp(self):
        self.log: list[str] = []
        self.app = create_app(self.log)
        self.client = TestClient(self.app)
        self.addCleanup(self.client.close)

    def make_client(self, **options):
        client = TestClient(self.app, **options)
        self.addCleanup(client.close)
        return client

    # the response

    def test_homepage_status_reason_headers_and_text(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.reason_phrase, "OK")
        self.assertTrue(response.is_success)
        self.assertFalse(response.is_redirect)
        self.assertEqual(response.headers["content-type"], "text/plain; charset=utf-8")
        self.assertEqual(response.headers["Content-Length"], "13")
        self.assertEqual(response.text, "Hello, world!")
        self.assertEqual(response.content, b"Hello, world!")
        response.raise_for_status()  # does not raise on 2xx

    def test_client_error_status_and_raise_for_status(self):
        response = self.client.get("/teapot")
        self.assertEqual(response.status_code, 418)
        self.assertEqual(response.reason_phrase, "I'm a teapot")
        self.assertFalse(response.is_success)
        with self.assertRaises(Exception):
            response.raise_for_status()

    def test_response_request_records_method_url_headers_and_content(self):
        response = self.client.post("/echo?x=1", json={"a": 1}, headers={"X-Tag": "t"})
        self.assertEqual(response.request.method, "POST")
        self.assertEqual(str(response.request.url), "http://testserver/echo?x=1")
        self.assertEqual(response.request.headers["x-tag"], "t")
        self.assertEqual(json.loads(response.request.content), {"a": 1})
        self.assertEqual(response.json()["content_type"], "application/json")

    def test_response_url_parts(self):
        response = self.make_client(base_url="http://example.org:8000").get("/echo", params={"q": "1"})
        self.assertEqual(response.url.path, "/echo")
        self.assertEqual(response.url.scheme, "http")
        self.assertEqual(response.url.host, "example.org")
        self.assertEqual(response.url.port, 8000)
        self.assertEqual(str(response.url), "http://example.org:8000/echo?q=1")
        self.assertEqual(response.json()["query"], "q=1")

    def test_repeated_response_headers_read_joined(self):
        response = self.client.get("/multi")
        self.assertEqual(response.headers["x-multi"], "a, b")

    # request bodies and verbs

    def test_content_sends_raw_body(self):
        response = self.client.put("/echo", content=b"raw bytes", headers={"content-type": "application/octet-stream"})
        self.assertEqual(response.json()["body"], "raw bytes")
        self.assertEqual(response.json()["method"], "PUT")
        self.assertEqual(response.request.content, b"raw bytes")

    def test_data_str_sends_raw_body(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # httpx prefers content= for a raw body
            response = self.client.post("/echo", data="raw text")
        self.assertEqual(response.json()["body"], "raw text")

    def test_delete_and_request_verb(self):
        self.assertEqual(self.client.delete("/echo").json()["method"], "DELETE")
        self.assertEqual(self.client.request("POST", "/echo", data={"k": "v"}).json()["body"], "k=v")

    def test_head_has_headers_and_no_body(self):
        response = self.client.head("/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["content-length"], "13")
        self.assertEqual(response.content, b"")

    def test_options_on_get_route_is_405_with_allow(self):
        response = self.client.options("/")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(sorted(response.headers["allow"].split(", ")), ["GET", "HEAD"])  # Starlette's order follows a set

    # client options

    def test_base_url_host_and_scheme_reach_app(self):
        seen = self.make_client(base_url="https://example.org").get("/whoami").json()
        self.assertEqual((seen["host"], seen["scheme"]), ("example.org", "https"))

    def test_root_path_reaches_scope_and_url_for(self):
        seen = self.make_client(root_path="/api").get("/whoami").json()
        self.assertEqual(seen["root_path"], "/api")
        self.assertEqual(seen["url_for"], "http://testserver/api/whoami")

    def test_client_address_default_and_option(self):
        self.assertEqual(self.client.get("/whoami").json()["client"], ["testclient", 50000])
        seen = self.make_client(client=("203.0.113.9", 4321)).get("/whoami").json()
        self.assertEqual(seen["client"], ["203.0.113.9", 4321])

    def test_headers_at_construction_sent_and_overridden_per_request(self):
        client = self.make_client(headers={"X-Tag": "default"})
        self.assertEqual(client.get("/echo").json()["x_tag"], "default")
        self.assertEqual(client.get("/echo", headers={"X-Tag": "mine"}).json()["x_tag"], "mine")

    def test_backend_options_accepted(self):
        client = self.make_client(backend="asyncio", backend_options={})
        self.assertEqual(client.get("/").text, "Hello, world!")

    # cookies and sessions

    def test_session_cookie_round_trip(self):
        login = self.client.post("/login", params={"user": "ann"})
        self.assertIn("session", login.cookies)
        self.assertEqual(self.client.get("/profile").json(), {"user": "ann"})
        self.assertEqual(self.make_client().get("/profile").json(), {"user": None})

    def test_deleted_cookie_leaves_client_jar(self):
        self.client.get("/flavour/set")
        self.assertEqual(self.client.cookies.get("flavour"), "mint")
        self.assertEqual(self.client.get("/flavour").json(), {"flavour": "mint"})
        self.client.get("/flavour/clear")
        self.assertIsNone(self.client.cookies.get("flavour"))
        self.assertEqual(self.client.get("/flavour").json(), {"flavour": None})

    # redirects

    def test_redirect_chain_history(self):
        response = self.client.get("/hop/2")
        self.assertEqual(response.text, "landed")
        self.assertEqual(response.url.path, "/hop/0")
        self.assertEqual([hop.status_code for hop in response.history], [302, 302])
        self.assertEqual([hop.url.path for hop in response.history], ["/hop/2", "/hop/1"])
        self.assertTrue(response.history[0].is_redirect)

    def test_follow_redirects_false_at_construction(self):
        client = self.make_client(follow_redirects=False)
        response = client.get("/hop/1")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.is_redirect)
        self.assertEqual(response.headers["location"], "/hop/0")
        self.assertEqual(client.get("/hop/1", follow_redirects=True).text, "landed")

    def test_303_after_post_follows_with_get(self):
        response = self.client.post("/submit", data={"k": "v"})
        self.assertEqual(response.json()["method"], "GET")
        self.assertEqual(response.json()["body"], "")
        self.assertEqual(response.json()["query"], "from=submit")
        self.assertEqual(response.request.method, "GET")

    def test_307_keeps_method_and_body(self):
        response = self.client.post("/keep", content=b"payload")
        self.assertEqual(response.history[0].status_code, 307)
        self.assertEqual((response.json()["method"], response.json()["body"]), ("POST", "payload"))

    # lifespan, streams, errors

    def test_lifespan_state_inside_with_only(self):
        self.assertFalse(self.client.get("/whoami").json()["started"])
        self.assertEqual(self.log, [])
        with TestClient(self.app) as client:
            self.assertTrue(client.get("/whoami").json()["started"])
        self.assertEqual(self.log, ["startup", "shutdown"])

    def test_stream_iter_bytes(self):
        with self.client.stream("GET", "/numbers") as response:
            self.assertEqual(response.headers["content-type"], "text/plain; charset=utf-8")
            body = b"".join(response.iter_bytes())
        self.assertEqual(body, b"chunk 0;chunk 1;chunk 2;")

    def test_streaming_response_read_whole_as_content(self):
        self.assertEqual(self.client.get("/numbers").content, b"chunk 0;chunk 1;chunk 2;")

    def test_view_exception_propagates_by_default(self):
        with self.assertRaisesRegex(ViewFailed, "boom from the view"):
            self.client.get("/boom")

    def test_view_exception_gives_500_without_raise_server_exceptions(self):
        response = self.make_client(raise_server_exceptions=False).get("/boom")
        self.assertEqual(response.status_code, 500)
        self.assertEqual(response.reason_phrase, "Internal Server Error")
        self.assertEqual(response.text, "Internal Server Error")

    # WebSockets

    def test_websocket_text_round_trip(self):
        with self.client.websocket_connect("/ws") as websocket:
            websocket.send_text("hello")
            self.assertEqual(websocket.receive_text(), "echo: hello")
            websocket.send_text("again")
            self.assertEqual(websocket.receive(), {"type": "websocket.send", "text": "echo: again"})

    def test_websocket_bytes_round_trip(self):
        with self.client.websocket_connect("/ws") as websocket:
            websocket.send_bytes(b"\x00\xff")
            self.assertEqual(websocket.receive_bytes(), b"echo: \x00\xff")

    def test_websocket_json_round_trip(self):
        with self.client.websocket_connect("/ws") as websocket:
            websocket.send_text("json")
            websocket.send_json({"n": [1, 2], "text": "é"})
            self.assertEqual(websocket.receive_json(), {"got": {"n": [1, 2], "text": "é"}})

    def test_websocket_client_close_code_reaches_handler(self):
        with self.client.websocket_connect("/ws") as websocket:
            websocket.send_text("hi")
            self.assertEqual(websocket.receive_text(), "echo: hi")
            websocket.close(code=4000)
        self.assertEqual(self.log, ["websocket closed by the client: 4000"])

    def test_websocket_subprotocols_headers_and_query_reach_handler(self):
        connect = self.client.websocket_connect("/ws/handshake?token=t1", subprotocols=["v2", "v1"], headers={"X-Tag": "a"})
        with connect as websocket:
            seen = websocket.receive_json()
        self.assertEqual(seen, {"subprotocols": ["v2", "v1"], "x_tag": "a", "token": "t1", "path": "/ws/handshake"})

    def test_websocket_server_close_raises_disconnect_with_code_and_reason(self):
        with self.client.websocket_connect("/ws/policy") as websocket:
            self.assertEqual(websocket.receive_text(), "about to close")
            with self.assertRaises(WebSocketDisconnect) as caught:
                websocket.receive_text()
        self.assertEqual((caught.exception.code, caught.exception.reason), (1008, "policy violated"))

    def test_websocket_closed_before_accept_raises_disconnect(self):
        entered = []
        with self.assertRaises(WebSocketDisconnect) as caught:
            with self.client.websocket_connect("/ws/refuse"):
                entered.append(True)
        self.assertEqual((caught.exception.code, caught.exception.reason), (4403, "no entry"))
        self.assertEqual(entered, [])

    def test_websocket_denial_response_raised_with_response(self):
        # starlette.testclient.WebSocketDenialResponse subclasses WebSocketDisconnect; it is named rather than imported
        # so that this test does not import starlette.testclient (and its httpx) on the kit's behalf.
        with self.assertRaises(WebSocketDisconnect) as caught:
            with self.client.websocket_connect("/ws/deny"):
                self.fail("the block must not run when the handshake is denied")
        self.assertEqual(type(caught.exception).__name__, "WebSocketDenialResponse")
        self.assertEqual(caught.exception.status_code, 401)
        self.assertEqual(caught.exception.content, b"no token")


if __name__ == "__main__":
    unittest.main()
