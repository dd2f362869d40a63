"""Tests for _urls: base_url checks, request targets, query merging and client-style percent-encoding."""

from __future__ import annotations

import unittest
from collections import OrderedDict

from asgiwsgi_testkit._urls import (
    Target,
    encode_path,
    encode_query_value,
    merge_queries,
    parse_base_url,
    path_info_from_raw,
    query_from,
    resolve_target,
)

BASE = parse_base_url("http://testserver")


class ParseBaseURLTests(unittest.TestCase):
    def test_default_base_has_root_path_slash(self) -> None:
        self.assertEqual(BASE, Target("http", "testserver", 80, "", "/", ""))

    def test_path_becomes_root_path_without_trailing_slash(self) -> None:
        for url in ("http://testserver/app", "http://testserver/app/"):
            with self.subTest(url=url):
                base = parse_base_url(url)
                self.assertEqual(base.root_path, "/app")
                self.assertEqual(base.path, "/app")

    def test_trailing_slash_only_gives_empty_root(self) -> None:
        self.assertEqual(parse_base_url("http://testserver/").root_path, "")

    def test_root_path_is_percent_encoded(self) -> None:
        self.assertEqual(parse_base_url("http://testserver/my app/é").root_path, "/my%20app/%C3%A9")

    def test_https_default_port_and_explicit_port(self) -> None:
        self.assertEqual(parse_base_url("https://example.org").port, 443)
        self.assertEqual(parse_base_url("http://example.org:8080").port, 8080)

    def test_host_is_lower_cased(self) -> None:
        self.assertEqual(parse_base_url("http://TestServer").host, "testserver")

    def test_refuses_non_str_with_typeerror_naming_base_url(self) -> None:
        with self.assertRaisesRegex(TypeError, r"base_url= must be a str like 'http://testserver', not bytes: b'http://x'"):
            parse_base_url(b"http://x")

    def test_refuses_other_scheme_or_missing_host(self) -> None:
        for url in ("ftp://testserver", "testserver", "/app", "http://"):
            with self.subTest(url=url):
                with self.assertRaisesRegex(ValueError, r"base_url= must look like 'http://host\[:port\]\[/root\]' or 'https://"):
                    parse_base_url(url)

    def test_websocket_schemes_when_allowed(self) -> None:
        self.assertEqual(parse_base_url("ws://x", ("ws", "wss")).port, 80)
        with self.assertRaisesRegex(ValueError, r"'ws://host\[:port\]\[/root\]' or 'wss://"):
            parse_base_url("http://x", ("ws", "wss"))

    def test_refuses_query_or_fragment_naming_base_url(self) -> None:
        for url in ("http://testserver/?a=1", "http://testserver/#top", "http://testserver?", "http://testserver/#"):
            with self.subTest(url=url):
                with self.assertRaisesRegex(ValueError, r"base_url= must not have a query or fragment: .* \(pass query= per request\)"):
                    parse_base_url(url)

    def test_refuses_invalid_port(self) -> None:
        with self.assertRaisesRegex(ValueError, r"base_url= has an invalid port: 'http://testserver:abc'"):
            parse_base_url("http://testserver:abc")


class TargetTests(unittest.TestCase):
    def test_authority_omits_default_port(self) -> None:
        self.assertEqual(Target("http", "h", 80, "", "/", "").authority, "h")
        self.assertEqual(Target("https", "h", 443, "", "/", "").authority, "h")
        self.assertEqual(Target("wss", "h", 443, "", "/", "").authority, "h")

    def test_authority_keeps_other_port(self) -> None:
        self.assertEqual(Target("http", "h", 443, "", "/", "").authority, "h:443")
        self.assertEqual(Target("https", "h", 8443, "", "/", "").authority, "h:8443")

    def test_authority_brackets_ipv6_host(self) -> None:
        self.assertEqual(Target("http", "::1", 8080, "", "/", "").authority, "[::1]:8080")
        self.assertEqual(Target("http", "::1", 80, "", "/", "").authority, "[::1]")

    def test_target_and_url(self) -> None:
        target = Target("http", "h", 8000, "", "/a", "b=1")
        self.assertEqual(target.target, "/a?b=1")
        self.assertEqual(target.url, "http://h:8000/a?b=1")
        self.assertEqual(target._replace(query="").target, "/a")

    def test_path_below_root(self) -> None:
        self.assertEqual(Target("http", "h", 80, "/app", "/app/x", "").path_below_root, "/x")
        self.assertEqual(Target("http", "h", 80, "/app", "/app", "").path_below_root, "")
        self.assertEqual(Target("http", "h", 80, "/app", "/apple", "").path_below_root, "/apple")
        self.assertEqual(Target("http", "h", 80, "", "/x", "").path_below_root, "/x")


class ResolveTargetTests(unittest.TestCase):
    def test_relative_path_uses_base(self) -> None:
        self.assertEqual(resolve_target(BASE, "/items"), Target("http", "testserver", 80, "", "/items", ""))

    def test_a_remembered_target_equals_a_fresh_one(self) -> None:
        # resolve_target remembers (base, path) when there is no query=; the answer must not depend on it
        from asgiwsgi_testkit._urls import _resolve

        other = parse_base_url("https://other.example:8443/app")
        for base in (BASE, other):
            for path in ("/a b?x=1#f", "https://other.example:8443/app/y", "z"):
                with self.subTest(base=base, path=path):
                    self.assertEqual(resolve_target(base, path), _resolve(base, path, None))
                    self.assertEqual(resolve_target(base, path), _resolve(base, path, None))
        self.assertNotEqual(resolve_target(BASE, "/x"), resolve_target(other, "/x"))
        self.assertEqual(resolve_target(BASE, "/x", {"q": "1"}).query, "q=1")

    def test_path_without_leading_slash_or_empty(self) -> None:
        self.assertEqual(resolve_target(BASE, "items").path, "/items")
        self.assertEqual(resolve_target(BASE, "").path, "/")
        self.assertEqual(resolve_target(BASE, "?a=1").target, "/?a=1")

    def test_relative_path_is_appended_to_root_path(self) -> None:
        base = parse_base_url("http://testserver/app")
        target = resolve_target(base, "/x")
        self.assertEqual((target.root_path, target.path, target.path_below_root), ("/app", "/app/x", "/x"))

    def test_absolute_url_sets_scheme_host_and_port(self) -> None:
        target = resolve_target(BASE, "https://Other.Example:8443/x?y=1")
        self.assertEqual(target, Target("https", "other.example", 8443, "", "/x", "y=1"))
        self.assertEqual(target.authority, "other.example:8443")

    def test_absolute_url_default_port_and_empty_path(self) -> None:
        target = resolve_target(BASE, "https://other.example")
        self.assertEqual((target.port, target.path, target.authority), (443, "/", "other.example"))

    def test_absolute_ws_url(self) -> None:
        target = resolve_target(parse_base_url("ws://testserver", ("ws", "wss")), "wss://chat.example/room")
        self.assertEqual((target.scheme, target.port, target.path), ("wss", 443, "/room"))

    def test_absolute_url_on_base_origin_keeps_root_path(self) -> None:
        base = parse_base_url("http://testserver/app")
        target = resolve_target(base, "http://testserver/app/z")
        self.assertEqual((target.root_path, target.path_below_root), ("/app", "/z"))

    def test_absolute_url_of_same_family_keeps_root_path(self) -> None:
        base = parse_base_url("http://testserver/app")
        self.assertEqual(resolve_target(base, "ws://testserver/app/z").root_path, "/app")
        base = parse_base_url("https://testserver/app")
        self.assertEqual(resolve_target(base, "wss://testserver/app/z").root_path, "/app")

    def test_absolute_url_outside_root_or_origin_has_no_root_path(self) -> None:
        base = parse_base_url("http://testserver/app")
        for url in ("http://testserver/other", "http://testserver/apple", "https://testserver/app/z", "http://testserver:81/app/z", "http://elsewhere/app/z"):
            with self.subTest(url=url):
                self.assertEqual(resolve_target(base, url).root_path, "")

    def test_absolute_url_without_host_is_valueerror(self) -> None:
        with self.assertRaisesRegex(ValueError, r"path 'http:///x' is an absolute URL without a host"):
            resolve_target(BASE, "http:///x")

    def test_fragment_is_dropped(self) -> None:
        self.assertEqual(resolve_target(BASE, "/a?b=1#frag").target, "/a?b=1")
        self.assertEqual(resolve_target(BASE, "http://x/a#frag?q").target, "/a")

    def test_path_query_merged_with_query_argument(self) -> None:
        self.assertEqual(resolve_target(BASE, "/a?x=1", {"y": "2"}).query, "x=1&y=2")
        self.assertEqual(resolve_target(BASE, "/a", "y=2").query, "y=2")
        self.assertEqual(resolve_target(BASE, "/a?x=1", None).query, "x=1")
        self.assertEqual(resolve_target(BASE, "/a?x=1", "").query, "x=1")

    def test_query_argument_merged_as_given_after_path_query(self) -> None:
        self.assertEqual(resolve_target(BASE, "/a?x=1", b"?y=2").query, "x=1&?y=2")
        self.assertEqual(resolve_target(BASE, "/a??x", "?y='1'").query, "?x&?y='1'")
        self.assertEqual(resolve_target(BASE, "/a?", b"?y").target, "/a??y")
        self.assertEqual(resolve_target(BASE, "/a?", b"").target, "/a")

    def test_query_after_second_question_mark_keeps_it(self) -> None:
        # What servers given `GET /x??x=1` hand the app: everything after the first '?'.
        for path in ("/x??x=1", "http://testserver/x??x=1"):
            with self.subTest(path=path):
                target = resolve_target(BASE, path)
                self.assertEqual((target.path, target.query, target.target), ("/x", "?x=1", "/x??x=1"))

    def test_path_is_percent_encoded_like_a_browser(self) -> None:
        target = resolve_target(BASE, '/a b/é/"<>`{}/\x01')
        self.assertEqual(target.path, "/a%20b/%C3%A9/%22%3C%3E%60%7B%7D/%01")

    def test_path_keeps_existing_escapes_and_reserved_characters(self) -> None:
        self.assertEqual(resolve_target(BASE, "/a%2Fb/c;d=1/e+f/~'@!$&*,").path, "/a%2Fb/c;d=1/e+f/~'@!$&*,")

    def test_query_in_path_is_percent_encoded_like_an_http_client(self) -> None:
        # ' is sent as is, as curl, requests and httpx send it (a browser writes %27).
        self.assertEqual(resolve_target(BASE, "/s?q=a b&n=é&x='\"<>").query, "q=a%20b&n=%C3%A9&x='%22%3C%3E")
        self.assertEqual(resolve_target(BASE, "http://testserver/s?x='1'").query, "x='1'")

    def test_query_keeps_existing_escapes_and_separators(self) -> None:
        self.assertEqual(resolve_target(BASE, "/s?q=a+b&r=%41%20&s=?/").query, "q=a+b&r=%41%20&s=?/")

    def test_refuses_non_str_path_with_typeerror(self) -> None:
        with self.assertRaisesRegex(TypeError, r"path must be a str such as '/items\?page=2', not bytes: b'/x'"):
            resolve_target(BASE, b"/x")

    def test_query_type_error_names_query(self) -> None:
        with self.assertRaisesRegex(TypeError, r"query= must be str, bytes, a mapping or a sequence of pairs, not int"):
            resolve_target(BASE, "/", 5)


class QueryFromTests(unittest.TestCase):
    def test_none_is_empty(self) -> None:
        self.assertEqual(query_from(None), "")

    def test_str_leading_question_mark_kept_and_encoded(self) -> None:
        self.assertEqual(query_from("?a=1&b=x y"), "?a=1&b=x%20y")
        self.assertEqual(query_from("??"), "??")
        self.assertEqual(query_from("a='b'"), "a='b'")

    def test_bytes_kept_raw_as_latin1(self) -> None:
        self.assertEqual(query_from(b"?a=%20&b=\xe9"), "?a=%20&b=\xe9")
        self.assertEqual(query_from(b"??"), "??")
        self.assertEqual(query_from(b"a='b c\"<>"), "a='b c\"<>")
        self.assertEqual(query_from(bytearray(b"?a=1")), "?a=1")

    def test_mapping_form_encodes_quote_like_params_of_http_clients(self) -> None:
        self.assertEqual(query_from({"a": "'b c?"}), "a=%27b+c%3F")
        self.assertEqual(query_from([("?a", "'")]), "%3Fa=%27")

    def test_mapping_with_list_values_repeats_keys(self) -> None:
        self.assertEqual(query_from({"a": ["1", "2"], "b": ("x y",), "c": "é"}), "a=1&a=2&b=x+y&c=%C3%A9")
        self.assertEqual(query_from(OrderedDict([("z", 1)])), "z=1")

    def test_pairs_keep_order_and_repeats(self) -> None:
        self.assertEqual(query_from([("b", "2"), ("a", "1"), ["b", "3"]]), "b=2&a=1&b=3")
        self.assertEqual(query_from((("a", "1"),)), "a=1")

    def test_bool_int_float_bytes_values(self) -> None:
        self.assertEqual(query_from({"t": True, "f": False, "i": 3, "x": 1.5, "b": b"\xff"}), "t=true&f=false&i=3&x=1.5&b=%FF")
        self.assertEqual(query_from([("t", True), ("i", 0)]), "t=true&i=0")

    def test_refuses_bad_value_naming_key(self) -> None:
        with self.assertRaisesRegex(TypeError, r"query= value for 'a' must be str, bytes, int or float \(or a list of them\), not NoneType"):
            query_from({"a": None})
        with self.assertRaisesRegex(TypeError, r"query= value for 'b' .* not dict"):
            query_from([("b", {})])

    def test_refuses_item_that_is_not_a_pair(self) -> None:
        with self.assertRaisesRegex(TypeError, r"query= pairs must be \(key, value\) tuples, not 'ab'"):
            query_from(["ab"])
        with self.assertRaisesRegex(TypeError, r"not \('a', 'b', 'c'\)"):
            query_from([("a", "b", "c")])

    def test_refuses_other_types_naming_the_argument(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^query_string= must be str, bytes, a mapping or a sequence of pairs, not set"):
            query_from({"a"}, "query_string")


class MergeQueriesTests(unittest.TestCase):
    def test_query_string_then_query_as_raw_bytes(self) -> None:
        self.assertEqual(merge_queries("a=1 2", {"b": "é"}), b"a=1%202&b=%C3%A9")
        self.assertEqual(merge_queries(b"a=%20", None), b"a=%20")
        self.assertEqual(merge_queries("", [("b", 1)]), b"b=1")

    def test_query_string_and_query_kept_as_given(self) -> None:
        self.assertEqual(merge_queries(b"?a", "?b"), b"?a&?b")
        self.assertEqual(merge_queries("??", None), b"??")
        self.assertEqual(merge_queries("a='1'", {"b": "'"}), b"a='1'&b=%27")

    def test_errors_name_each_argument(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^query_string= must be"):
            merge_queries(5, None)
        with self.assertRaisesRegex(TypeError, r"^query= must be"):
            merge_queries("a=1", 5)


class EncodingTests(unittest.TestCase):
    def test_encode_path_unchanged_when_safe(self) -> None:
        path = "/a/b%20c"
        self.assertIs(encode_path(path), path)

    def test_encode_query_value_unchanged_when_safe(self) -> None:
        query = "a=1&b=%20"
        self.assertIs(encode_query_value(query), query)

    def test_encode_query_value_encodes_hash_and_space(self) -> None:
        self.assertEqual(encode_query_value("a=#1 2"), "a=%231%202")

    def test_encode_query_value_keeps_quote_and_question_marks_without_work(self) -> None:
        query = "??a='b'&c=%27"
        self.assertIs(encode_query_value(query), query)

    def test_encode_query_value_encodes_the_whatwg_query_set_without_quote(self) -> None:
        # WHATWG URL "query percent-encode set": C0 controls, space, " # < > and above ~; the
        # special-query set's ' is left out (curl, requests and httpx send it as is).
        encoded = {chr(c) for c in range(128) if encode_query_value(chr(c)) != chr(c)}
        expected = {chr(c) for c in range(0x21)} | set('"#<>') | {"\x7f"}
        self.assertEqual(encoded, expected)
        self.assertEqual(encode_query_value("é€"), "%C3%A9%E2%82%AC")

    def test_path_info_from_raw_decodes_to_latin1_bytes_as_str(self) -> None:
        self.assertEqual(path_info_from_raw("/caf%C3%A9"), "/caf\xc3\xa9")
        self.assertEqual(path_info_from_raw("/a%2Fb%20c"), "/a/b c")
        self.assertEqual(path_info_from_raw("/%FF"), "/\xff")

    def test_path_info_from_raw_unchanged_without_escapes(self) -> None:
        self.assertEqual(path_info_from_raw("/plain"), "/plain")


if __name__ == "__main__":
    unittest.main()
