"""Tests for _asgi_scope: make_scope builds every SPEC section 5 key with the type uvicorn uses, and rejects bad arguments by name."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit._asgi_scope import lifespan_scope, make_scope, make_websocket_scope


class HTTPScopeTests(unittest.TestCase):
    """The default HTTP scope and each of its keys."""

    def test_keys_and_types_match_spec_for_default_scope(self):
        scope = make_scope()
        self.assertEqual(
            scope,
            {
                "type": "http",
                "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": "1.1",
                "server": ("testserver", 80),
                "client": ("127.0.0.1", 50000),
                "scheme": "http",
                "method": "GET",
                "root_path": "",
                "path": "/",
                "raw_path": b"/",
                "query_string": b"",
                "headers": [(b"host", b"testserver")],
                "extensions": {"http.response.trailers": {}, "http.response.pathsend": {}},
            },
        )
        self.assertIs(type(scope["server"]), tuple)
        self.assertIs(type(scope["client"]), tuple)

    def test_every_scope_gets_its_own_mutable_parts(self):
        from asgiwsgi_testkit._asgi_scope import EXTENSIONS

        one, two = make_scope(), make_scope()
        self.assertEqual(tuple(one["extensions"]), EXTENSIONS)
        for key in ("asgi", "extensions", "headers"):
            self.assertIsNot(one[key], two[key], key)
        for name in EXTENSIONS:
            self.assertIsNot(one["extensions"][name], two["extensions"][name], name)

    def test_path_includes_root_path_when_base_url_has_a_path(self):
        scope = make_scope("GET", "/x", base_url="http://testserver/prefix")
        self.assertEqual(scope["root_path"], "/prefix")
        self.assertEqual(scope["path"], "/prefix/x")
        self.assertEqual(scope["raw_path"], b"/prefix/x")

    def test_path_includes_root_path_when_root_path_given(self):
        scope = make_scope(path="/x", root_path="/r/")
        self.assertEqual((scope["root_path"], scope["path"], scope["raw_path"]), ("/r", "/r/x", b"/r/x"))

    def test_path_is_decoded_utf8_and_raw_path_encoded_when_path_has_escapes(self):
        scope = make_scope(path="/a b/%C3%A9")
        self.assertEqual(scope["path"], "/a b/\u00e9")
        self.assertEqual(scope["raw_path"], b"/a%20b/%C3%A9")

    def test_raw_path_excludes_query_when_path_carries_one(self):
        scope = make_scope(path="/x?a=1")
        self.assertEqual(scope["raw_path"], b"/x")
        self.assertEqual(scope["query_string"], b"a=1")

    def test_query_string_bytes_kept_raw(self):
        self.assertEqual(make_scope(query_string=b"x=%20&y&\xff=1")["query_string"], b"x=%20&y&\xff=1")

    def test_query_string_percent_encoded_when_str(self):
        self.assertEqual(make_scope(query_string="q=\u00e9 a")["query_string"], b"q=%C3%A9%20a")

    def test_query_string_encoded_when_query_mapping_given(self):
        self.assertEqual(make_scope(query={"q": "a b&c"})["query_string"], b"q=a+b%26c")

    def test_headers_lower_cased_bytes_with_host_first(self):
        scope = make_scope(headers=[("X-Thing", "One"), ("Content-Type", "text/plain")])
        self.assertEqual(scope["headers"], [(b"host", b"testserver"), (b"x-thing", b"One"), (b"content-type", b"text/plain")])

    def test_host_first_when_host_given_after_other_headers(self):
        scope = make_scope(headers=[("X-A", "1"), ("Host", "example.org")])
        self.assertEqual(scope["headers"][0], (b"host", b"example.org"))
        self.assertEqual([name for name, _ in scope["headers"]].count(b"host"), 1)

    def test_state_included_when_given(self):
        state = {"db": object()}
        scope = make_scope(state=state)
        self.assertIs(scope["state"], state)
        self.assertNotIn("state", make_scope())

    def test_positional_parameters_keep_positions(self):
        scope = make_scope("POST", "/items", b"a=1", [("X-A", "1")], "http")
        self.assertEqual((scope["method"], scope["path"], scope["query_string"]), ("POST", "/items", b"a=1"))
        self.assertIn((b"x-a", b"1"), scope["headers"])

    def test_method_upper_cased_when_lower_given(self):
        self.assertEqual(make_scope("patch")["method"], "PATCH")

    def test_server_port_and_scheme_follow_base_url_and_scheme(self):
        self.assertEqual(make_scope(base_url="http://h:8080")["server"], ("h", 8080))
        scope = make_scope(scheme="https")
        self.assertEqual((scope["scheme"], scope["server"]), ("https", ("testserver", 443)))

    def test_client_and_http_version_taken_when_valid(self):
        scope = make_scope(client=["10.0.0.1", 1234], http_version="2")
        self.assertEqual(scope["client"], ("10.0.0.1", 1234))
        self.assertEqual(scope["http_version"], "2")


class OtherScopeTypeTests(unittest.TestCase):
    """WebSocket and lifespan scopes."""

    def test_websocket_scope_has_spec_2_4_and_ws_scheme(self):
        scope = make_scope(path="/ws", scope_type="websocket", subprotocols=["chat"])
        self.assertEqual(scope["type"], "websocket")
        self.assertEqual(scope["asgi"], {"version": "3.0", "spec_version": "2.4"})
        self.assertEqual(scope["scheme"], "ws")
        self.assertEqual(scope["subprotocols"], ["chat"])
        self.assertNotIn("method", scope)
        self.assertEqual(scope["path"], "/ws")

    def test_lifespan_scope_has_spec_2_0_and_empty_state(self):
        self.assertEqual(make_scope(scope_type="lifespan"), {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}})

    def test_lifespan_scope_keeps_given_state_object(self):
        state = {"a": 1}
        self.assertIs(make_scope(scope_type="lifespan", state=state)["state"], state)
        self.assertIs(lifespan_scope(state)["state"], state)


HANDSHAKE = [
    (b"upgrade", b"websocket"),
    (b"connection", b"Upgrade"),
    (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    (b"sec-websocket-version", b"13"),
]


class WebSocketScopeTests(unittest.TestCase):
    """make_websocket_scope: the scope uvicorn hands a WebSocket app, handshake headers included."""

    def test_keys_and_types_match_spec_for_default_scope(self):
        scope = make_websocket_scope()
        self.assertEqual(
            scope,
            {
                "type": "websocket",
                "asgi": {"version": "3.0", "spec_version": "2.4"},
                "http_version": "1.1",
                "server": ("testserver", 80),
                "client": ("127.0.0.1", 50000),
                "scheme": "ws",
                "root_path": "",
                "path": "/",
                "raw_path": b"/",
                "query_string": b"",
                "headers": [(b"host", b"testserver"), *HANDSHAKE],
                "subprotocols": [],
                "extensions": {"websocket.http.response": {}},
            },
        )
        self.assertNotIn("method", scope)
        self.assertIs(type(scope["server"]), tuple)

    def test_subprotocols_listed_and_sent_as_header_when_given(self):
        scope = make_websocket_scope("/chat", subprotocols=("chat", "superchat"))
        self.assertEqual(scope["subprotocols"], ["chat", "superchat"])
        self.assertIs(type(scope["subprotocols"]), list)
        self.assertEqual(scope["headers"][-1], (b"sec-websocket-protocol", b"chat, superchat"))

    def test_given_protocol_header_kept_instead_of_the_generated_one(self):
        scope = make_websocket_scope(headers={"Sec-WebSocket-Protocol": "v2"}, subprotocols=["v1"])
        self.assertEqual([v for k, v in scope["headers"] if k == b"sec-websocket-protocol"], [b"v2"])
        self.assertEqual(scope["subprotocols"], ["v1"])

    def test_given_handshake_header_replaces_the_default(self):
        scope = make_websocket_scope(headers=[("Sec-WebSocket-Version", "8"), ("X-Dup", "a"), ("X-Dup", "b")])
        self.assertEqual(
            scope["headers"],
            [(b"host", b"testserver"), *HANDSHAKE[:3], (b"sec-websocket-version", b"8"), (b"x-dup", b"a"), (b"x-dup", b"b")],
        )

    def test_path_decoded_and_raw_path_encoded_with_query_split_off(self):
        scope = make_websocket_scope("/ws/echo path/caf%C3%A9?x=1&x=2&y=%2F")
        self.assertEqual((scope["path"], scope["raw_path"]), ("/ws/echo path/caf\u00e9", b"/ws/echo%20path/caf%C3%A9"))
        self.assertEqual(scope["query_string"], b"x=1&x=2&y=%2F")

    def test_positional_parameters_keep_positions(self):
        scope = make_websocket_scope("/ws", b"a=1", [("X-A", "1")], ["chat"])
        self.assertEqual((scope["path"], scope["query_string"], scope["subprotocols"]), ("/ws", b"a=1", ["chat"]))
        self.assertIn((b"x-a", b"1"), scope["headers"])

    def test_query_mapping_and_cookies_encoded(self):
        scope = make_websocket_scope("/ws", query={"room": "a b"}, cookies={"session": "abc"})
        self.assertEqual(scope["query_string"], b"room=a+b")
        self.assertEqual(scope["headers"][-1], (b"cookie", b"session=abc"))

    def test_wss_url_sets_scheme_host_and_port(self):
        scope = make_websocket_scope("wss://example.org:8443/live")
        self.assertEqual((scope["scheme"], scope["server"], scope["path"]), ("wss", ("example.org", 8443), "/live"))
        self.assertEqual(scope["headers"][0], (b"host", b"example.org:8443"))

    def test_http_base_url_becomes_ws_and_https_becomes_wss(self):
        self.assertEqual(make_websocket_scope(base_url="http://h:8000")["scheme"], "ws")
        scope = make_websocket_scope(base_url="https://h")
        self.assertEqual((scope["scheme"], scope["server"]), ("wss", ("h", 443)))

    def test_scheme_wss_moves_default_port(self):
        self.assertEqual(make_websocket_scope(scheme="wss")["server"], ("testserver", 443))

    def test_path_includes_root_path_when_base_url_has_a_path(self):
        scope = make_websocket_scope("/ws/x", base_url="ws://testserver/mnt")
        self.assertEqual((scope["root_path"], scope["path"], scope["raw_path"]), ("/mnt", "/mnt/ws/x", b"/mnt/ws/x"))

    def test_state_client_and_http_version_taken_when_given(self):
        state = {"db": "up"}
        scope = make_websocket_scope(state=state, client=("10.0.0.2", 4000), http_version="2")
        self.assertIs(scope["state"], state)
        self.assertEqual((scope["client"], scope["http_version"]), (("10.0.0.2", 4000), "2"))

    def test_subprotocols_as_a_str_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^subprotocols= must be a list of str such as \['chat'\], not 'chat'$"):
            make_websocket_scope(subprotocols="chat")

    def test_http_scheme_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^scheme= must be 'ws' or 'wss', not 'https'$"):
            make_websocket_scope(scheme="https")

    def test_unknown_keyword_raises_type_error_naming_the_builder(self):
        for keyword in ("method", "scope_type", "bogus"):
            with self.subTest(keyword=keyword):
                with self.assertRaisesRegex(TypeError, rf"^make_websocket_scope\(\) got an unexpected keyword argument '{keyword}' \(accepted: base_url, "):
                    make_websocket_scope(**{keyword: "x"})


class ArgumentErrorTests(unittest.TestCase):
    """Misuse raises TypeError or ValueError naming the argument."""

    def test_unknown_keyword_raises_type_error_naming_it(self):
        with self.assertRaisesRegex(TypeError, r"unexpected keyword argument 'bogus'"):
            make_scope(bogus=1)

    def test_bad_scope_type_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^scope_type= must be 'http', 'websocket' or 'lifespan', not 'ftp'$"):
            make_scope(scope_type="ftp")

    def test_bad_http_version_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^http_version= must be .*, not '3'$"):
            make_scope(http_version="3")

    def test_bad_client_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^client= must be a \(host, port\) pair.*not '127.0.0.1'$"):
            make_scope(client="127.0.0.1")

    def test_relative_root_path_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^root_path= must be '' or a path starting with '/', not 'api'$"):
            make_scope(root_path="api")

    def test_non_bytes_query_string_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^query_string= must be bytes, not int$"):
            make_scope(query_string=5)

    def test_bad_scheme_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^scheme= must be 'http' or 'https', not 'ws'$"):
            make_scope(scheme="ws")


if __name__ == "__main__":
    unittest.main()
