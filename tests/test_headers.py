"""Tests for _headers: the Headers collection and the checks on headers a test sends."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import Headers
from asgiwsgi_testkit._headers import check_header_field, normalize_header_input


class HeadersReadingTests(unittest.TestCase):
    def setUp(self) -> None:
        self.headers = Headers([("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("X-One", "1"), ("set-cookie", "b=2")])

    def test_getitem_ignores_case(self) -> None:
        self.assertEqual(self.headers["content-type"], "text/plain")
        self.assertEqual(self.headers["CONTENT-TYPE"], "text/plain")

    def test_getitem_returns_first_value_when_repeated(self) -> None:
        self.assertEqual(self.headers["SET-COOKIE"], "a=1")

    def test_getitem_raises_keyerror_naming_header_when_missing(self) -> None:
        with self.assertRaisesRegex(KeyError, r"no header 'X-Missing' \(headers present: content-type, set-cookie, x-one\)"):
            self.headers["X-Missing"]

    def test_getitem_message_says_none_when_empty(self) -> None:
        with self.assertRaisesRegex(KeyError, r"headers present: none"):
            Headers()["a"]

    def test_get_returns_first_value_or_default(self) -> None:
        self.assertEqual(self.headers.get("set-cookie"), "a=1")
        self.assertIsNone(self.headers.get("nope"))
        self.assertEqual(self.headers.get("nope", "d"), "d")

    def test_get_all_returns_every_value_in_order(self) -> None:
        self.assertEqual(self.headers.get_all("Set-Cookie"), ["a=1", "b=2"])
        self.assertEqual(self.headers.get_all("nope"), [])

    def test_contains_ignores_case_and_refuses_non_str(self) -> None:
        self.assertIn("x-ONE", self.headers)
        self.assertNotIn("x-two", self.headers)
        self.assertNotIn(b"x-one", self.headers)
        self.assertNotIn(1, self.headers)

    def test_len_iter_keys_items_values_agree_on_distinct_names(self) -> None:
        self.assertEqual(self.headers.keys(), ["content-type", "set-cookie", "x-one"])
        self.assertEqual(list(self.headers), self.headers.keys())
        self.assertEqual(len(self.headers), 3)
        self.assertEqual(self.headers.items(), [("content-type", "text/plain"), ("set-cookie", "a=1"), ("x-one", "1")])
        self.assertEqual(self.headers.values(), ["text/plain", "a=1", "1"])
        self.assertEqual(dict(self.headers.items()), {k: self.headers[k] for k in self.headers})

    def test_multi_items_and_raw_keep_every_pair_with_names_as_sent(self) -> None:
        expected = [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("X-One", "1"), ("set-cookie", "b=2")]
        self.assertEqual(self.headers.multi_items(), expected)
        self.assertEqual(self.headers.raw, expected)

    def test_raw_is_a_copy(self) -> None:
        self.headers.raw.append(("x", "y"))
        self.headers.multi_items().clear()
        self.assertEqual(len(self.headers.raw), 4)


class HeadersBuildingTests(unittest.TestCase):
    def test_init_from_none_is_empty(self) -> None:
        self.assertEqual(len(Headers()), 0)
        self.assertEqual(Headers(None).raw, [])

    def test_init_from_mapping(self) -> None:
        self.assertEqual(Headers({"A": "1", "b": "2"}).raw, [("A", "1"), ("b", "2")])

    def test_init_from_pairs_keeps_repeats(self) -> None:
        self.assertEqual(Headers([("a", "1"), ["a", "2"]]).get_all("a"), ["1", "2"])

    def test_init_from_headers_copies(self) -> None:
        original = Headers({"a": "1"})
        copy = Headers(original)
        copy["a"] = "2"
        self.assertEqual(original["a"], "1")
        self.assertEqual(copy["a"], "2")

    def test_init_decodes_byte_pairs_as_latin1(self) -> None:
        headers = Headers([(b"content-type", b"text/plain"), (b"x-name", b"caf\xe9")])
        self.assertEqual(headers.raw, [("content-type", "text/plain"), ("x-name", "café")])

    def test_init_refuses_str_with_typeerror(self) -> None:
        with self.assertRaisesRegex(TypeError, r"headers= must be a mapping or a sequence of \(name, value\) pairs, not str"):
            Headers("a: b")

    def test_init_refuses_non_iterable_with_typeerror(self) -> None:
        with self.assertRaisesRegex(TypeError, r"not int"):
            Headers(3)

    def test_init_refuses_item_that_is_not_a_pair(self) -> None:
        with self.assertRaisesRegex(TypeError, r"headers= items must be \(name, value\) pairs, not \('a', 'b', 'c'\)"):
            Headers([("a", "b", "c")])
        with self.assertRaisesRegex(TypeError, r"not 'ab'"):
            Headers(["ab"])

    def test_copy_is_independent(self) -> None:
        headers = Headers({"a": "1"})
        copy = headers.copy()
        copy.add("a", "2")
        self.assertEqual(headers.get_all("a"), ["1"])
        self.assertEqual(copy.get_all("a"), ["1", "2"])


class HeadersChangingTests(unittest.TestCase):
    def test_add_appends_keeping_existing_values(self) -> None:
        headers = Headers({"a": "1"})
        headers.add("A", "2")
        self.assertEqual(headers.raw, [("a", "1"), ("A", "2")])

    def test_setitem_replaces_every_value_at_first_place(self) -> None:
        headers = Headers([("a", "1"), ("b", "x"), ("A", "2")])
        headers["A"] = "3"
        self.assertEqual(headers.raw, [("A", "3"), ("b", "x")])

    def test_setitem_appends_new_name(self) -> None:
        headers = Headers({"a": "1"})
        headers["b"] = "2"
        self.assertEqual(headers.raw, [("a", "1"), ("b", "2")])

    def test_delitem_removes_every_value(self) -> None:
        headers = Headers([("a", "1"), ("b", "x"), ("A", "2")])
        del headers["a"]
        self.assertEqual(headers.raw, [("b", "x")])

    def test_delitem_raises_keyerror_naming_header_when_missing(self) -> None:
        with self.assertRaisesRegex(KeyError, r"no header 'X-Nope'"):
            del Headers({"a": "1"})["X-Nope"]

    def test_pop_all_returns_removed_values(self) -> None:
        headers = Headers([("a", "1"), ("b", "x"), ("A", "2")])
        self.assertEqual(headers.pop_all("A"), ["1", "2"])
        self.assertEqual(headers.raw, [("b", "x")])
        self.assertEqual(headers.pop_all("A"), [])


class HeadersComparingTests(unittest.TestCase):
    def test_equal_to_headers_ignoring_name_case(self) -> None:
        self.assertEqual(Headers({"A": "1"}), Headers({"a": "1"}))
        self.assertNotEqual(Headers({"a": "1"}), Headers({"a": "2"}))

    def test_equal_to_headers_respects_repeats_and_order(self) -> None:
        self.assertNotEqual(Headers([("a", "1"), ("a", "2")]), Headers([("a", "2"), ("a", "1")]))
        self.assertNotEqual(Headers([("a", "1"), ("a", "2")]), Headers([("a", "1")]))

    def test_equal_to_dict_ignoring_name_case(self) -> None:
        self.assertEqual(Headers({"Content-Type": "x"}), {"content-type": "x"})
        self.assertEqual(Headers({"content-type": "x"}), {"Content-Type": "x"})
        self.assertNotEqual(Headers({"a": "1"}), {"a": "2"})

    def test_not_equal_to_dict_when_repeated(self) -> None:
        self.assertNotEqual(Headers([("a", "1"), ("a", "2")]), {"a": "1"})

    def test_equal_to_list_and_tuple_of_pairs(self) -> None:
        self.assertEqual(Headers([("a", "1"), ("a", "2")]), [("A", "1"), ("a", "2")])
        self.assertEqual(Headers({"a": "1"}), (("a", "1"),))
        self.assertNotEqual(Headers({"a": "1"}), [("a", "2")])

    def test_not_equal_to_list_that_is_not_pairs(self) -> None:
        self.assertNotEqual(Headers({"a": "1"}), ["a"])

    def test_not_equal_to_other_types(self) -> None:
        self.assertNotEqual(Headers({"a": "1"}), "a: 1")
        self.assertIs(Headers().__eq__(3), NotImplemented)

    def test_unhashable(self) -> None:
        with self.assertRaises(TypeError):
            hash(Headers())

    def test_repr_is_dict_when_names_unique(self) -> None:
        self.assertEqual(repr(Headers([("A", "1"), ("b", "2")])), "Headers({'A': '1', 'b': '2'})")

    def test_repr_is_list_when_names_repeat(self) -> None:
        self.assertEqual(repr(Headers([("a", "1"), ("A", "2")])), "Headers([('a', '1'), ('A', '2')])")


class CheckHeaderFieldTests(unittest.TestCase):
    def test_returns_str_pair_for_legal_field(self) -> None:
        self.assertEqual(check_header_field("X-Token", "abc\tdef é"), ("X-Token", "abc\tdef é"))

    def test_decodes_bytes_as_latin1(self) -> None:
        self.assertEqual(check_header_field(b"x-a", b"caf\xe9"), ("x-a", "café"))

    def test_turns_int_value_into_str(self) -> None:
        self.assertEqual(check_header_field("content-length", 12), ("content-length", "12"))

    def test_refuses_cr_lf_in_value_naming_header(self) -> None:
        for value in ("a\r\nX-Injected: 1", "a\nb", "a\rb"):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValueError, r"headers= value of header 'X-A' contains a CR, LF or control character: .*\(no header injection\)"):
                    check_header_field("X-A", value)

    def test_refuses_nul_and_control_characters_in_value(self) -> None:
        for value in ("a\x00b", "a\x01", "\x1f", "a\x7f"):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValueError, r"header 'x-a' contains a CR, LF or control character"):
                    check_header_field("x-a", value)

    def test_refuses_non_token_names_naming_header(self) -> None:
        for name in ("X A", "X:A", "X\r\nA", "", "X\x00", "Ä", "(x)"):
            with self.subTest(name=name):
                with self.assertRaisesRegex(ValueError, r"header name .* is not an HTTP token \(RFC 9110 5.6.2"):
                    check_header_field(name, "v")

    def test_error_names_the_argument(self) -> None:
        with self.assertRaisesRegex(ValueError, r"^cookies= header name 'a b'"):
            check_header_field("a b", "v", "cookies")

    def test_refuses_non_str_name_with_typeerror(self) -> None:
        with self.assertRaisesRegex(TypeError, r"headers= header names must be str, not int: 1"):
            check_header_field(1, "v")

    def test_refuses_non_str_value_with_typeerror(self) -> None:
        for value in (None, 1.5, True, ["a"]):
            with self.subTest(value=value):
                with self.assertRaisesRegex(TypeError, rf"value of header 'x-a' must be str, not {type(value).__name__}"):
                    check_header_field("x-a", value)

    def test_refuses_non_latin1_value_with_valueerror(self) -> None:
        with self.assertRaisesRegex(ValueError, r"value of header 'x-a' is not latin-1 encodable: '€' \(encode it, e\.g\. RFC 8187\)"):
            check_header_field("x-a", "€")


class NormalizeHeaderInputTests(unittest.TestCase):
    def test_none_gives_empty_list(self) -> None:
        self.assertEqual(normalize_header_input(None), [])

    def test_mapping_pairs_and_headers_give_checked_pairs(self) -> None:
        expected = [("A", "1"), ("b", "2")]
        self.assertEqual(normalize_header_input({"A": "1", "b": 2}), expected)
        self.assertEqual(normalize_header_input([(b"A", b"1"), ("b", "2")]), expected)
        self.assertEqual(normalize_header_input(Headers(expected)), expected)

    def test_checks_every_field(self) -> None:
        with self.assertRaisesRegex(ValueError, r"^client_headers= value of header 'a'"):
            normalize_header_input({"a": "x\ny"}, "client_headers")

    def test_refuses_wrong_container_naming_argument(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^extra= must be a mapping or a sequence of \(name, value\) pairs, not bytes"):
            normalize_header_input(b"a", "extra")


if __name__ == "__main__":
    unittest.main()
