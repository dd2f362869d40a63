"""asgiwsgi_testkit.testclient.TestClient (SPEC section 12) on hand-written ASGI apps, standard library only.

The same client on FastAPI and Starlette apps, the way their tutorials test
them, is in tests/compat/test_testclient_*.py.
"""

from __future__ import annotations

import gzip
import json
import unittest
import zlib
from typing import Any

from asgiwsgi_testkit import ProtocolError
from asgiwsgi_testkit.testclient import HTTPStatusError, Response, TestClient


async def read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def make_app(log: list[str]) -> Any:
    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                log.append(message["type"])
                if message["type"] == "lifespan.startup":
                    scope["state"]["ready"] = True
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] == "websocket":
            await receive()
            if scope["path"] == "/ws/refuse":
                await send({"type": "websocket.close", "code": 4403, "reason": "no"})
                return
            await send({"type": "websocket.accept"})
            message = await receive()
            await send({"type": "websocket.send", "text": message["text"] + "!"})
            await send({"type": "websocket.close", "code": 1001})
            return
        path = scope["path"]
        if path == "/redirect":
            await send({"type": "http.response.start", "status": 302, "headers": [(b"location", b"/echo?from=redirect")]})
            await send({"type": "http.response.body"})
            return
        if path == "/gzip":
            payload = gzip.compress(b"squeezed " * 20)
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-encoding", b"gzip"), (b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": payload[:10], "more_body": True})
            await send({"type": "http.response.body", "body": payload[10:]})
            return
        if path == "/deflate":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-encoding", b"deflate")]})
            await send({"type": "http.response.body", "body": zlib.compress(b"deflated")})
            return
        if path == "/missing":
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"nope"})
            return
        if path == "/broken":
            raise RuntimeError("broken view")
        body = await read_body(receive)
        seen = {
            "method": scope["method"],
            "path": scope["path"],
            "root_path": scope["root_path"],
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body": body.decode("latin-1"),
            "client": list(scope["client"]),
            "state": dict(scope.get("state") or {}),
        }
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json"), (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"x-multi", b"1"), (b"x-multi", b"2")]})
        await send({"type": "http.response.body", "body": json.dumps(seen).encode()})

    return app


class TestClientTests(unittest.TestCase):
    def setUp(self) -> None:
        self.log: list[str] = []
        self.client = TestClient(make_app(self.log))
        self.addCleanup(self.client.close)

    def echo(self, response: Response) -> dict:
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()  # type: ignore[no-any-return]

    def test_httpx_request_keywords(self):
        seen = self.echo(self.client.get("/echo", params={"q": "a b", "n": 1}))
        self.assertEqual((seen["method"], seen["query"]), ("GET", "q=a+b&n=1"))
        self.assertEqual(self.echo(self.client.post("/echo", data={"name": "ada", "age": 36}))["body"], "name=ada&age=36")
        self.assertEqual(self.echo(self.client.post("/echo", content=b"raw"))["body"], "raw")
        self.assertEqual(self.echo(self.client.post("/echo", data="text"))["body"], "text")
        self.assertEqual(self.echo(self.client.post("/echo", json={"a": 1}))["body"], '{"a":1}')
        no_body = self.echo(self.client.post("/echo", json=None))
        self.assertEqual((no_body["body"], "content-type" in no_body["headers"]), ("", False))
        multipart = self.echo(self.client.post("/echo", data={"title": "t"}, files={"note": (None, "text"), "upload": ("a.txt", b"abc", "text/plain")}))
        self.assertIn('name="note"\r\n\r\ntext', multipart["body"])
        self.assertIn('filename="a.txt"', multipart["body"])
        self.assertIn('name="title"\r\n\r\nt', multipart["body"])

    def test_params_replace_the_urls_query_as_httpx_does(self):
        self.assertEqual(self.echo(self.client.get("/echo?tag=a", params={"limit": 5}))["query"], "limit=5")
        self.assertEqual(self.echo(self.client.get("/echo?tag=a", params={}))["query"], "")
        self.assertEqual(self.echo(self.client.get("/echo?tag=a"))["query"], "tag=a")

    def test_headers_like_starlettes_client_and_mutable_client_headers(self):
        headers = self.echo(self.client.get("/echo"))["headers"]
        self.assertEqual((headers["user-agent"], headers["accept"], headers["host"]), ("testclient", "*/*", "testserver"))
        self.assertIn("gzip", headers["accept-encoding"])
        self.client.headers["x-token"] = "secret"
        self.assertEqual(self.echo(self.client.get("/echo"))["headers"]["x-token"], "secret")
        self.assertEqual(self.echo(self.client.get("/echo", headers={"x-token": "other"}))["headers"]["x-token"], "other")
        client = TestClient(make_app([]), headers={"authorization": "Bearer t"})
        self.addCleanup(client.close)
        self.assertEqual(self.echo(client.get("/echo"))["headers"]["authorization"], "Bearer t")

    def test_auth_is_basic(self):
        self.assertEqual(self.echo(self.client.get("/echo", auth=("ada", "pw")))["headers"]["authorization"], "Basic YWRhOnB3")

    def test_cookies_kept_set_and_sent(self):
        response = self.client.get("/echo")
        self.assertEqual((response.cookies["a"], self.client.cookies["b"]), ("1", "2"))
        self.client.cookies["token"] = "t"
        self.client.cookies.set("other", "o")
        self.assertIn("token=t", self.echo(self.client.get("/echo"))["headers"]["cookie"])
        self.client.cookies = {"only": "this"}
        self.assertEqual(self.echo(self.client.get("/echo"))["headers"]["cookie"], "only=this")
        client = TestClient(make_app([]), cookies={"start": "1"})
        self.addCleanup(client.close)
        self.assertEqual(self.echo(client.get("/echo"))["headers"]["cookie"], "start=1")

    def test_response_attributes(self):
        response = self.client.get("/echo?x=1")
        self.assertEqual((response.reason_phrase, response.is_success, response.is_redirect, response.is_error), ("OK", True, False, False))
        self.assertEqual(response.headers["set-cookie"], "a=1, b=2")  # httpx joins a repeated header
        self.assertEqual(response.headers["x-multi"], "1, 2")
        self.assertEqual(response.headers.get_list("x-multi"), ["1", "2"])
        self.assertEqual((str(response.url), response.url.path, response.url.query, response.url.host, response.url.port), ("http://testserver/echo?x=1", "/echo", b"x=1", "testserver", None))
        self.assertEqual((response.request.method, str(response.request.url)), ("GET", "http://testserver/echo?x=1"))
        self.assertEqual(response.text, response.content.decode())
        self.assertIs(response.raise_for_status(), response)
        self.assertEqual(repr(response), "<Response [200 OK]>")
        self.assertEqual(response.extensions, {})

    def test_raise_for_status(self):
        response = self.client.get("/missing")
        self.assertEqual((response.status_code, response.is_client_error), (404, True))
        with self.assertRaisesRegex(HTTPStatusError, r"^Client error '404 Not Found' for url 'http://testserver/missing'$") as caught:
            response.raise_for_status()
        self.assertIs(caught.exception.response, response)

    def test_redirects_followed_by_default(self):
        response = self.client.get("/redirect")
        self.assertEqual((response.status_code, response.url.path, [hop.status_code for hop in response.history]), (200, "/echo", [302]))
        self.assertEqual(self.echo(response)["query"], "from=redirect")
        unfollowed = self.client.get("/redirect", follow_redirects=False)
        self.assertEqual((unfollowed.status_code, unfollowed.is_redirect, unfollowed.headers["location"]), (302, True, "/echo?from=redirect"))
        client = TestClient(make_app([]), follow_redirects=False)
        self.addCleanup(client.close)
        self.assertEqual(client.get("/redirect").status_code, 302)

    def test_compressed_bodies_decoded_as_httpx_decodes_them(self):
        response = self.client.get("/gzip")
        self.assertEqual((response.headers["content-encoding"], response.text), ("gzip", "squeezed " * 20))
        self.assertEqual(self.client.get("/deflate").content, b"deflated")
        with self.client.stream("GET", "/gzip") as streamed:
            self.assertEqual(b"".join(streamed.iter_bytes()), b"squeezed " * 20)
        with self.client.stream("GET", "/gzip") as streamed:
            self.assertEqual(gzip.decompress(b"".join(streamed.iter_raw())), b"squeezed " * 20)

    def test_lifespan_only_inside_with(self):
        self.assertEqual(self.echo(self.client.get("/echo"))["state"], {})
        self.assertEqual(self.log, [])
        with TestClient(make_app(self.log)) as client:
            self.assertEqual(self.echo(client.get("/echo"))["state"], {"ready": True})
            self.assertEqual(self.log, ["lifespan.startup"])
        self.assertEqual(self.log, ["lifespan.startup", "lifespan.shutdown"])
        self.assertEqual(client.get("/echo").status_code, 200)  # usable after `with`, as Starlette's is
        client.close()

    def test_a_failing_startup_raises_the_apps_own_exception(self):
        async def failing(scope: dict, receive: Any, send: Any) -> None:
            await receive()
            raise ConnectionError("database unreachable")

        with self.assertRaisesRegex(ConnectionError, "^database unreachable$"):
            with TestClient(failing):
                self.fail("the block ran")

    def test_base_url_root_path_and_client(self):
        seen = self.echo(self.client.get("/echo"))
        self.assertEqual(seen["client"], ["testclient", 50000])
        client = TestClient(make_app([]), root_path="/api", client=("10.1.2.3", 1234))
        self.addCleanup(client.close)
        seen = self.echo(client.get("/echo"))
        self.assertEqual((seen["root_path"], seen["path"], seen["client"]), ("/api", "/api/echo", ["10.1.2.3", 1234]))

    def test_server_exceptions(self):
        with self.assertRaisesRegex(RuntimeError, "^broken view$"):
            self.client.get("/broken")
        client = TestClient(make_app([]), raise_server_exceptions=False)
        self.addCleanup(client.close)
        self.assertEqual(client.get("/broken").status_code, 500)

    def test_protocol_violations_raise(self):
        async def bad(scope: dict, receive: Any, send: Any) -> None:
            await send({"type": "http.response.body", "body": b"too soon"})

        client = TestClient(bad)
        self.addCleanup(client.close)
        with self.assertRaises(ProtocolError):
            client.get("/")

    def test_unknown_keywords_name_themselves_and_ignored_ones_are_accepted(self):
        with self.assertRaisesRegex(TypeError, r"unexpected keyword argument 'body'"):
            self.client.post("/echo", body=b"x")
        self.assertEqual(self.client.get("/echo", timeout=5).status_code, 200)
        client = TestClient(make_app([]), backend="asyncio", backend_options={})
        client.close()
        with self.assertRaisesRegex(TypeError, r"unexpected keyword argument 'transport'"):
            TestClient(make_app([]), transport=None)

    def test_websocket_session_and_closes(self):
        with self.client.websocket_connect("/ws") as ws:
            ws.send_text("hi")
            self.assertEqual(ws.receive_text(), "hi!")
            with self.assertRaises(Exception) as closed:  # Starlette's WebSocketDisconnect when installed, else WebSocketClosed
                ws.receive_text()
            self.assertEqual(closed.exception.code, 1001)  # type: ignore[attr-defined]
        with self.assertRaises(Exception) as refused:
            with self.client.websocket_connect("/ws/refuse"):
                self.fail("the app refused the handshake")
        self.assertEqual((refused.exception.code, refused.exception.reason), (4403, "no"))  # type: ignore[attr-defined]



class LeftOpenTests(unittest.TestCase):
    def test_a_client_left_open_and_collected_inside_another_loop_leaves_nothing_behind(self):
        import subprocess
        import sys

        script = (
            "import asyncio, gc\n"
            "from asgiwsgi_testkit.testclient import TestClient\n"
            "async def app(scope, receive, send):\n"
            "    if scope['type'] == 'http':\n"
            "        await send({'type': 'http.response.start', 'status': 204})\n"
            "        await send({'type': 'http.response.body'})\n"
            "client = TestClient(app)\n"
            "assert client.get('/').status_code == 204\n"
            "async def later():\n"
            "    global client\n"
            "    del client\n"
            "    gc.collect()  # collected while this other loop runs: its own loop cannot run to end its tasks\n"
            "asyncio.run(later())\n"
        )
        done = subprocess.run([sys.executable, "-X", "dev", "-W", "error", "-c", script], capture_output=True, text=True, timeout=30)
        self.assertEqual((done.returncode, done.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
