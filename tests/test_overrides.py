"""environ_overrides= (WSGI) and scope_overrides= (ASGI): client options and per-request keywords, merged last (issue 10, item 10)."""

from __future__ import annotations

import json
import unittest
from typing import Any

from asgiwsgi_testkit import ASGITestClient, WSGITestClient, make_scope


def environ_echo(environ: dict, start_response: Any) -> list[bytes]:
    """Answers with the environ keys a test overrides, or a redirect for /hop."""
    if environ["PATH_INFO"] == "/hop":
        start_response("302 Found", [("Location", "/"), ("Content-Length", "0")])
        return [b""]
    seen = {key: environ.get(key) for key in ("REMOTE_USER", "REMOTE_ADDR", "paste.testing", "HTTP_X_TRACE")}
    body = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


async def scope_echo(scope: dict, receive: Any, send: Any) -> None:
    """Answers with the scope keys a test overrides; accepts a WebSocket and sends them as text."""
    seen = {"user": scope.get("user"), "client": list(scope["client"]), "extensions": sorted(scope.get("extensions") or {})}
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": json.dumps(seen)})
        await send({"type": "websocket.close"})
        return
    if scope["type"] != "http":
        return
    if scope["path"] == "/hop":
        await send({"type": "http.response.start", "status": 302, "headers": [(b"location", b"/"), (b"content-length", b"0")]})
        await send({"type": "http.response.body"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(seen).encode()})


class EnvironOverridesTests(unittest.TestCase):
    def test_client_option_reaches_every_request_and_wins_over_the_kit(self):
        client = WSGITestClient(environ_echo, environ_overrides={"REMOTE_USER": "ada", "REMOTE_ADDR": "10.0.0.9"})
        for _ in range(2):
            self.assertEqual(client.get("/").json()["REMOTE_USER"], "ada")
        self.assertEqual(client.get("/").json()["REMOTE_ADDR"], "10.0.0.9")  # merged last: over the kit's 127.0.0.1

    def test_per_request_keyword_goes_on_top_of_the_client_option(self):
        client = WSGITestClient(environ_echo, environ_overrides={"REMOTE_USER": "ada", "paste.testing": True})
        seen = client.get("/", environ_overrides={"REMOTE_USER": "bob"}).json()
        self.assertEqual((seen["REMOTE_USER"], seen["paste.testing"]), ("bob", True))
        self.assertEqual(client.get("/").json()["REMOTE_USER"], "ada")  # one request only

    def test_over_the_request_headers_too(self):
        seen = WSGITestClient(environ_echo).get("/", headers={"X-Trace": "a"}, environ_overrides={"HTTP_X_TRACE": "b"}).json()
        self.assertEqual(seen["HTTP_X_TRACE"], "b")

    def test_kept_for_every_hop_of_a_redirect_and_for_stream(self):
        client = WSGITestClient(environ_echo, follow_redirects=True)
        response = client.get("/hop", environ_overrides={"REMOTE_USER": "ada"})
        self.assertEqual((len(response.history), response.json()["REMOTE_USER"]), (1, "ada"))
        with client.stream("GET", "/", environ_overrides={"REMOTE_USER": "eve"}) as streamed:
            self.assertEqual(json.loads(streamed.read())["REMOTE_USER"], "eve")

    def test_wrong_types_and_the_asgi_keyword_are_type_errors_naming_them(self):
        with self.assertRaisesRegex(TypeError, r"^environ_overrides= must be a mapping of str keys to values, such as \{'REMOTE_USER': 'ada'\}, not list: \[\('REMOTE_USER', 'ada'\)\]$"):
            WSGITestClient(environ_echo, environ_overrides=[("REMOTE_USER", "ada")])
        with self.assertRaisesRegex(TypeError, r"^environ_overrides= keys must be str, not bytes: b'REMOTE_USER'$"):
            WSGITestClient(environ_echo).get("/", environ_overrides={b"REMOTE_USER": "ada"})
        with self.assertRaisesRegex(TypeError, r"^scope_overrides= is not for WSGITestClient: its requests take environ_overrides=$"):
            WSGITestClient(environ_echo).get("/", scope_overrides={"user": "ada"})
        with self.assertRaisesRegex(TypeError, r"unexpected keyword argument 'scope_overrides'"):
            WSGITestClient(environ_echo, scope_overrides={"user": "ada"})

    def test_the_callers_mapping_is_copied(self):
        extra = {"REMOTE_USER": "ada"}
        client = WSGITestClient(environ_echo, environ_overrides=extra)
        extra["REMOTE_USER"] = "changed"
        self.assertEqual(client.get("/").json()["REMOTE_USER"], "ada")


class ScopeOverridesTests(unittest.IsolatedAsyncioTestCase):
    async def test_client_option_and_per_request_keyword_merged_last(self):
        client = ASGITestClient(scope_echo, lifespan="off", scope_overrides={"user": "ada", "client": ["10.0.0.9", 4000]})
        self.assertEqual((await client.get("/")).json(), {"user": "ada", "client": ["10.0.0.9", 4000], "extensions": ["http.response.pathsend", "http.response.trailers"]})
        seen = (await client.get("/", scope_overrides={"user": "bob", "extensions": {}})).json()
        self.assertEqual((seen["user"], seen["extensions"]), ("bob", []))
        self.assertEqual((await client.get("/")).json()["user"], "ada")

    async def test_kept_for_every_hop_of_a_redirect_for_stream_and_websocket(self):
        client = ASGITestClient(scope_echo, lifespan="off", follow_redirects=True)
        response = await client.get("/hop", scope_overrides={"user": "ada"})
        self.assertEqual((len(response.history), response.json()["user"]), (1, "ada"))
        async with client.stream("GET", "/", scope_overrides={"user": "eve"}) as streamed:
            self.assertEqual(json.loads(await streamed.aread())["user"], "eve")
        async with client.websocket_connect("/ws", scope_overrides={"user": "zoe"}) as ws:
            self.assertEqual(json.loads(await ws.receive_text())["user"], "zoe")

    async def test_wrong_types_and_the_wsgi_keyword_are_type_errors_naming_them(self):
        with self.assertRaisesRegex(TypeError, r"^scope_overrides= must be a mapping of str keys to values"):
            ASGITestClient(scope_echo, scope_overrides="user=ada")
        with self.assertRaisesRegex(TypeError, r"^environ_overrides= is not for ASGITestClient: its requests take scope_overrides=$"):
            await ASGITestClient(scope_echo, lifespan="off").get("/", environ_overrides={"REMOTE_USER": "ada"})
        with self.assertRaisesRegex(TypeError, r"^scope_overrides= keys must be str, not int: 1$"):
            ASGITestClient(scope_echo, lifespan="off").websocket_connect("/ws", scope_overrides={1: "x"})

    def test_make_scope_takes_them_too(self):
        self.assertEqual(make_scope(scope_overrides={"user": "ada"})["user"], "ada")
        with self.assertRaisesRegex(TypeError, r"^scope_overrides= must be a mapping"):
            make_scope(scope_overrides=["user"])


if __name__ == "__main__":
    unittest.main()


class PortZeroTests(unittest.TestCase):
    """A base_url with an explicit port 0 keeps it (issue 10, item 10): it was taken for 'no port' and became 80."""

    def test_base_url_port_0_reaches_environ_scope_and_host(self):
        seen = WSGITestClient(environ_echo, base_url="http://testserver:0").get("/")
        self.assertEqual(seen.request.url, "http://testserver:0/")
        from asgiwsgi_testkit import make_environ

        made = make_environ(base_url="http://testserver:0")
        self.assertEqual((made["SERVER_PORT"], made["HTTP_HOST"]), ("0", "testserver:0"))
        scope = make_scope(base_url="http://testserver:0")
        self.assertEqual((scope["server"], dict(scope["headers"])[b"host"]), (("testserver", 0), b"testserver:0"))

    def test_absolute_url_with_port_0(self):
        from asgiwsgi_testkit import make_environ

        made = make_environ(path="http://other.example:0/x")
        self.assertEqual((made["SERVER_PORT"], made["HTTP_HOST"]), ("0", "other.example:0"))
