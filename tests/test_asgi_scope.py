"""Tests for _asgi_scope: make_scope builds every SPEC section 5 key with the type uvicorn uses, and rejects bad arguments by name."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit._asgi_scope import lifespan_scope, make_scope


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
