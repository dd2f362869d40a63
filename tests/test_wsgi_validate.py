"""Tests for _wsgi_validate: every rule in the catalogue fires on its misbehaving app, and never on legitimate apps."""

from __future__ import annotations

import io
import sys
import unittest
from typing import Any, Callable, Iterator

from asgiwsgi_testkit import ProtocolError, WSGITestClient, call_wsgi, make_environ, validate_wsgi
from asgiwsgi_testkit._wsgi_validate import RULES

from tests import apps


def run(app: Callable, environ: dict | None = None) -> Any:
    """One validated call, as the client makes it."""
    return call_wsgi(validate_wsgi(app), environ if environ is not None else make_environ("POST", body=b"line 1\nline 2\n"))


class RuleTests(unittest.TestCase):
    """One test per rule: `.rule`, `.value`, `.expected`, and the message naming the rule and the value."""

    def check(self, app: Callable, rule: str, value: Any, expected: str, shown: str) -> ProtocolError:
        with self.assertRaises(ProtocolError) as caught:
            run(app)
        error = caught.exception
        self.assertEqual(error.rule, rule)
        self.assertEqual(error.value, value)
        self.assertEqual(error.expected, expected)
        message = str(error)
        self.assertIn(f" [{rule}]", message)
        self.assertIn(shown, message)
        self.assertTrue(message.endswith(f"\n  expected: {expected}"), message)
        return error

    def test_start_response_args_rule_when_headers_missing(self):
        error = self.check(apps.bad_start_response_args, "wsgi.start_response.args", (("200 OK",), {}), "start_response(status, headers[, exc_info])",
                           "start_response() takes 2 or 3 positional arguments, got 1 and keywords []")
        self.assertEqual(error.args[0].splitlines()[0], "start_response() takes 2 or 3 positional arguments, got 1 and keywords [] [wsgi.start_response.args]")

    def test_start_response_args_rule_when_keywords_used(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            start_response("200 OK", response_headers=[])
            return []  # pragma: no cover

        with self.assertRaisesRegex(ProtocolError, r"got 1 and keywords \['response_headers'\] \[wsgi\.start_response\.args\]"):
            run(app)

    def test_status_type_rule(self):
        self.check(apps.bad_status_type, "wsgi.status.type", 200, "str", "start_response() status must be a str like '200 OK', not int: 200 [wsgi.status.type]")

    def test_status_form_rule(self):
        self.check(apps.bad_status_form, "wsgi.status.form", "200OK", "a str like '200 OK': the code, a space, the reason phrase", "start_response() status '200OK' is not '<3 digits> <reason>'")

    def test_status_without_reason_phrase_and_space_is_the_status_form_rule(self):
        # PEP 3333: "a status code and a reason phrase, in that order and separated by a single space".
        self.check(apps.bad_status_without_space, "wsgi.status.form", "200", "a str like '200 OK': the code, a space, the reason phrase", "start_response() status '200' is not '<3 digits> <reason>'")

    def test_status_form_rule_when_not_latin1(self):
        self.check(apps.bad_status_latin1, "wsgi.status.form", "200 \u2713", "latin-1 characters only", "status '200 \u2713' is not latin-1")

    def test_headers_type_rule(self):
        self.check(apps.bad_headers_type, "wsgi.headers.type", (apps.TEXT,), "list", "start_response() headers must be a list, not tuple: (('Content-Type',")

    def test_headers_item_rule(self):
        self.check(apps.bad_headers_item, "wsgi.headers.item", ["Content-Type", "text/plain"], "a (str, str) tuple",
                   "start_response() header ['Content-Type', 'text/plain'] is not a (str, str) tuple")

    def test_header_name_rule(self):
        self.check(apps.bad_header_name, "wsgi.header.name", "Content-Type:", "a token such as 'Content-Type' (no colon, space or control character)",
                   "header name 'Content-Type:' is not an HTTP token")

    def test_header_value_rule_for_crlf(self):
        self.check(apps.bad_header_value, "wsgi.header.value", ("X-Injected", "a\r\nSet-Cookie: evil=1"), "no control characters",
                   "header 'X-Injected' value 'a\\r\\nSet-Cookie: evil=1' contains a CR, LF or control character")

    def test_header_value_rule_for_non_latin1(self):
        self.check(apps.bad_header_value_latin1, "wsgi.header.value", ("X-Name", "caf\u00e9 \u2713"), "latin-1 characters only (PEP 3333 'Unicode Issues')",
                   "header 'X-Name' value 'caf\u00e9 \u2713' is not latin-1")

    def test_header_status_rule(self):
        self.check(apps.bad_header_status, "wsgi.header.status", ("Status", "404 Not Found"), "the status as start_response()'s first argument",
                   "start_response() got a 'Status' header '404 Not Found'")

    def test_header_hop_by_hop_rule(self):
        self.check(apps.bad_header_hop_by_hop, "wsgi.header.hop-by-hop", ("Connection", "close"), "no hop-by-hop headers: the server owns the connection",
                   "got hop-by-hop header 'Connection': 'close'")

    def test_start_response_once_rule(self):
        self.check(apps.bad_start_response_once, "wsgi.start_response.once", "404 Not Found", "one start_response() call, or a later one with exc_info",
                   "start_response() called a second time without exc_info (now '404 Not Found')")

    def test_exc_info_type_rule(self):
        self.check(apps.bad_exc_info_type, "wsgi.exc_info.type", "oops", "None or a (type, value, traceback) tuple",
                   "exc_info must be None or sys.exc_info(), not 'oops'")

    def test_exc_info_swallowed_rule(self):
        self.check(apps.bad_exc_info_swallowed, "wsgi.exc_info.swallowed", None, "let the re-raised exception propagate",
                   "the app caught the exception start_response(..., exc_info) re-raised and returned normally")

    def test_exc_info_swallowed_rule_in_generator(self):
        def app(environ: dict, start_response: Callable) -> Iterator[bytes]:
            start_response("200 OK", [])
            yield b"sent"
            try:
                raise apps.AppError("late")
            except apps.AppError:
                try:
                    start_response("500 Internal Server Error", [], sys.exc_info())
                except apps.AppError:
                    pass
            yield b" and more"

        self.check(app, "wsgi.exc_info.swallowed", None, "let the re-raised exception propagate",
                   "the app's iterable caught the exception start_response(..., exc_info) re-raised and went on")

    def test_start_response_missing_rule_when_body_yielded(self):
        self.check(apps.bad_start_response_missing, "wsgi.start_response.missing", b"body without a status", "start_response() before the first body bytes",
                   "the app's iterable yielded b'body without a status' before start_response() was called")

    def test_start_response_missing_rule_when_iterable_ends(self):
        with self.assertRaises(ProtocolError) as caught:
            run(apps.bad_start_response_missing_empty)
        self.assertEqual((caught.exception.rule, caught.exception.value), ("wsgi.start_response.missing", None))
        self.assertEqual(str(caught.exception), "the app returned its iterable without calling start_response() [wsgi.start_response.missing]\n"
                                                "  expected: start_response(status, headers) before the body")

    def test_iterable_type_rule(self):
        self.check(apps.bad_iterable_type, "wsgi.iterable.type", "a str, not an iterable of bytes", "an iterable of bytes",
                   "the app returned str 'a str, not an iterable of bytes', expected an iterable of bytes such as [b'...']")

    def test_iterable_type_rule_for_none(self):
        self.check(apps.bad_iterable_none, "wsgi.iterable.type", None, "an iterable of bytes", "the app returned NoneType None")

    def test_body_type_rule_for_list(self):
        self.check(apps.bad_body_type, "wsgi.body.type", "not bytes", "bytes", "the app's iterable got str 'not bytes', expected bytes")

    def test_body_type_rule_for_generator(self):
        self.check(apps.bad_body_type_generator, "wsgi.body.type", 42, "bytes", "the app's iterable got int 42, expected bytes")

    def test_body_type_rule_for_write(self):
        self.check(apps.bad_write_type, "wsgi.body.type", "text, not bytes", "bytes", "write() got str 'text, not bytes', expected bytes")

    def test_iterable_len_rule(self):
        self.check(apps.bad_iterable_len, "wsgi.iterable.len", 1, "3 items, as len() said", "len() of the app's iterable is 3 but it yielded 1 item [")

    def test_write_in_iterable_rule(self):
        self.check(apps.bad_write_in_iterable, "wsgi.write.in-iterable", b"from inside the iterable", "yield the bytes instead",
                   "write() called from inside the app's iterable")

    def test_input_close_rule(self):
        self.check(apps.bad_input_close, "wsgi.input.close", None, "leave wsgi.input open: the server owns it", "the app called wsgi.input.close()")

    def test_errors_type_rule(self):
        self.check(apps.bad_errors_type, "wsgi.errors.type", b"bytes, not str", "str", "wsgi.errors.write() got bytes b'bytes, not str', expected str")

    def test_errors_close_rule(self):
        self.check(apps.bad_errors_close, "wsgi.errors.close", None, "leave wsgi.errors open: the server owns it", "the app called wsgi.errors.close()")


def length_app(declared: str, items: list[bytes], *, written: bytes = b"", status: str = "200 OK", generator: bool = False) -> Callable:
    """An app that declares Content-Length `declared` and sends `written` through write(), then `items`."""

    def app(environ: dict, start_response: Callable) -> Any:
        write = start_response(status, [("Content-Type", "text/plain"), ("Content-Length", declared)])
        if written:
            write(written)
        return iter(items) if generator else list(items)

    return app


class ContentLengthTests(unittest.TestCase):
    """Rule wsgi.content-length: the body has exactly the declared bytes (waitress and gunicorn cut a longer one)."""

    def assertLengthError(self, app: Callable, headline: str, method: str = "GET") -> None:
        with self.assertRaises(ProtocolError) as caught:
            WSGITestClient(app).request(method, "/")
        self.assertEqual(caught.exception.rule, "wsgi.content-length")
        self.assertEqual(str(caught.exception).splitlines()[0], f"{headline} [wsgi.content-length]")

    def test_a_longer_body_names_the_declared_and_the_actual_length(self):
        for generator in (False, True):
            with self.subTest(generator=generator):
                self.assertLengthError(length_app("3", [b"hello"], generator=generator),
                                       "the app declared Content-Length: 3 but " + ("sent more: 5 bytes so far" if generator else "its body has 5 bytes"))

    def test_a_shorter_body_names_the_declared_and_the_actual_length(self):
        for generator in (False, True):
            with self.subTest(generator=generator):
                self.assertLengthError(length_app("9", [b"hel", b"lo"], generator=generator), "the app declared Content-Length: 9 but its body has 5 bytes")

    def test_write_data_counts(self):
        self.assertLengthError(length_app("4", [b"lo"], written=b"hel", generator=True), "the app declared Content-Length: 4 but sent more: 5 bytes so far")
        self.assertEqual(WSGITestClient(length_app("5", [b"lo"], written=b"hel")).get("/").body, b"hello")

    def test_an_exact_body_passes(self):
        for generator in (False, True):
            with self.subTest(generator=generator):
                self.assertEqual(WSGITestClient(length_app("5", [b"hel", b"", b"lo"], generator=generator)).get("/").body, b"hello")

    def test_head_304_and_204_are_not_held_to_it(self):
        # HEAD and 304 declare the length of another body (RFC 9110 9.3.2, 15.4.5).
        self.assertEqual(WSGITestClient(length_app("5", [b""])).head("/").status_code, 200)
        self.assertEqual(WSGITestClient(length_app("5", [b"hello"])).head("/").body, b"")
        self.assertEqual(WSGITestClient(length_app("5", [], status="304 Not Modified")).get("/").status_code, 304)
        self.assertEqual(WSGITestClient(length_app("0", [], status="204 No Content")).get("/").status_code, 204)

    def test_a_value_that_is_no_number_or_two_that_disagree(self):
        self.assertLengthError(length_app("five", [b"hello"]), "start_response() got Content-Length 'five' is not a decimal number of bytes")
        self.assertLengthError(length_app("-1", [b""]), "start_response() got Content-Length '-1' is not a decimal number of bytes")

        def twice(environ: dict, start_response: Callable) -> list[bytes]:
            start_response("200 OK", [("Content-Length", "5"), ("content-length", "6")])
            return [b"hello"]

        self.assertLengthError(twice, "start_response() got two Content-Length headers that disagree: 5 and 6")

    def test_without_validation_a_longer_body_is_cut_as_servers_do(self):
        for generator in (False, True):
            with self.subTest(generator=generator):
                app = length_app("3", [b"he", b"llo"], generator=generator)
                self.assertEqual(WSGITestClient(app, validate=False).get("/").body, b"hel")
                self.assertEqual(call_wsgi(app, make_environ("GET")).body, b"hel")
                with WSGITestClient(app, validate=False).stream("GET", "/") as response:
                    self.assertEqual(list(response.iter_bytes()), [b"he", b"l"])

    def test_without_validation_a_shorter_body_is_what_was_sent(self):
        self.assertEqual(WSGITestClient(length_app("9", [b"hello"]), validate=False).get("/").body, b"hello")

    def test_a_stream_raises_at_the_chunk_that_goes_past_it(self):
        with WSGITestClient(length_app("3", [b"he", b"llo", b"never"], generator=True)).stream("GET", "/") as response:
            chunks = response.iter_bytes()
            self.assertEqual(next(chunks), b"he")
            with self.assertRaisesRegex(ProtocolError, r"declared Content-Length: 3 but sent more: 5 bytes so far"):
                next(chunks)


class CatalogueTests(unittest.TestCase):
    def test_rules_parsed_from_the_docstring(self):
        self.assertEqual(len(RULES), 21)
        self.assertEqual(len(set(RULES)), len(RULES))
        self.assertIn("wsgi.header.hop-by-hop", RULES)

    def test_misbehaving_apps_trigger_exactly_the_catalogue(self):
        triggered = set()
        for rule, app in apps.MISBEHAVING.items():
            with self.subTest(rule=rule), self.assertRaises(ProtocolError) as caught:
                run(app)
            triggered.add(caught.exception.rule)
            self.assertEqual(caught.exception.rule, rule)
        self.assertEqual(triggered, set(RULES))


class LegitimateAppTests(unittest.TestCase):
    """The validator must never trip on what real servers accept."""

    def test_status_with_an_empty_reason_phrase_accepted(self):
        response = run(apps.no_reason_app)
        self.assertEqual((response.status_code, response.reason), (299, ""))

    def test_status_without_reason_phrase_accepted_without_validation(self):
        response = WSGITestClient(apps.bad_status_without_space, validate=False).get("/")
        self.assertEqual((response.status_code, response.reason, response.body), (200, "", b"no space"))

    def test_missing_content_type_accepted(self):
        self.assertEqual(run(apps.no_content_type_app).body, b"untyped")

    def test_204_with_empty_body_accepted(self):
        response = run(apps.no_content_app)
        self.assertEqual((response.status_code, response.body), (204, b""))

    def test_leading_whitespace_in_header_value_accepted(self):
        # Accepted, and the surrounding whitespace is stripped as an HTTP client would (RFC 9110 5.5).
        self.assertEqual(run(apps.leading_space_header_app).headers["x-padded"], "padded\tvalue")

    def test_write_callable_accepted(self):
        self.assertEqual(run(apps.write_app).body, b"written;returned")

    def test_generator_app_accepted(self):
        self.assertEqual(run(apps.generator_app).body, b"one two")

    def test_lazy_start_response_accepted(self):
        self.assertEqual(run(apps.lazy_start_app).body, b"late start")

    def test_file_wrapper_accepted(self):
        self.assertEqual(run(apps.file_wrapper_app).body, b"x" * 1000)

    def test_exc_info_replacing_headers_accepted(self):
        self.assertEqual(run(apps.exc_info_app).status, "500 Internal Server Error")

    def test_accurate_len_accepted(self):
        class Sized:
            closed = False

            def __len__(self) -> int:
                return 2

            def __iter__(self) -> Iterator[bytes]:
                return iter([b"a", b"b"])

            def close(self) -> None:
                self.closed = True

        body = Sized()
        self.assertEqual(run(apps.text_app_for(b"")).body, b"")
        self.assertEqual(run(lambda environ, start_response: start_response("200 OK", []) and body).body, b"ab")
        self.assertTrue(body.closed)

    def test_input_and_errors_streams_usable(self):
        response = run(apps.input_app)
        self.assertEqual(response.json(), ["li", "ne 1\n", ["line 2\n"], [], ""])
        self.assertEqual(run(apps.errors_app).errors, "first line\nsecond line\n")

    def test_stream_attributes_reach_the_wrapped_object(self):
        seen = {}

        def app(environ: dict, start_response: Callable) -> list[bytes]:
            seen["input"] = environ["wsgi.input"].getvalue()
            environ["wsgi.errors"].write("note")
            seen["errors"] = environ["wsgi.errors"].getvalue()
            seen["lines"] = list(environ["wsgi.input"])
            start_response("200 OK", [])
            return []

        run(app)
        self.assertEqual(seen, {"input": b"line 1\nline 2\n", "errors": "note", "lines": [b"line 1\n", b"line 2\n"]})

    def test_exc_info_after_headers_propagates_app_exception(self):
        with self.assertRaisesRegex(KeyError, r"late failure"):
            run(apps.exc_info_after_headers_app)


class ValidatorBehaviourTests(unittest.TestCase):
    def test_hidden_violation_raised_when_iterable_closed(self):
        with self.assertRaises(ProtocolError) as caught:
            run(apps.hides_violation_app)
        self.assertEqual(caught.exception.rule, "wsgi.input.close")

    def test_hidden_violation_raised_even_when_app_answers_after_bad_status(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            try:
                start_response(200, [])
            except ProtocolError:
                pass
            start_response("200 OK", [])
            return [b"ok"]

        with self.assertRaises(ProtocolError) as caught:
            run(app)
        self.assertEqual(caught.exception.rule, "wsgi.status.type")

    def test_first_of_several_hidden_violations_raised(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            for attempt in (lambda: start_response(200, []), environ["wsgi.errors"].close):
                try:
                    attempt()
                except ProtocolError:
                    pass
            start_response("200 OK", [])
            return [b"ok"]

        with self.assertRaises(ProtocolError) as caught:
            run(app)
        self.assertEqual(caught.exception.rule, "wsgi.status.type")

    def test_long_status_and_headers_accepted(self):
        long_value = "v" * 300
        response = run(apps.text_app_for(b"ok", "200 " + "O" * 300, [("X-Long", long_value)]))
        self.assertEqual((response.reason, response.headers["x-long"]), ("O" * 300, long_value))

    def test_many_distinct_headers_accepted(self):
        headers = [("X-H%d" % number, str(number)) for number in range(1100)]
        for _ in range(2):
            response = run(apps.text_app_for(b"ok", "200 OK", headers))
        self.assertEqual((len(response.headers), response.headers["x-h1099"]), (1100, "1099"))

    def test_validate_twice_returns_same_wrapper(self):
        once = validate_wsgi(apps.hello_app)
        self.assertIs(validate_wsgi(once), once)
        self.assertIs(once.__wrapped__, apps.hello_app)

    def test_non_callable_app_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^validate_wsgi\(\) needs a WSGI callable app\(environ, start_response\), not str: 'app'$"):
            validate_wsgi("app")

    def test_server_protocol_error_from_start_response_recorded(self):
        def strict_start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            raise ProtocolError("server refused", rule="server.rule")

        environ = make_environ()
        with self.assertRaisesRegex(ProtocolError, r"^server refused$"):
            validate_wsgi(apps.hello_app)(environ, strict_start_response)

    def test_iterable_without_close_closed_quietly(self):
        def app(environ: dict, start_response: Callable) -> Iterator[bytes]:
            start_response("200 OK", [])
            return iter([b"x"])

        result = validate_wsgi(app)(make_environ(), lambda *args: (lambda data: None))
        self.assertEqual(list(result), [b"x"])
        self.assertIsNone(result.close())

    def test_validator_wraps_input_and_errors_in_environ(self):
        environ = make_environ()
        original = environ["wsgi.errors"]
        validate_wsgi(apps.errors_app)(environ, lambda *args: (lambda data: None))
        self.assertIsNot(environ["wsgi.errors"], original)
        self.assertEqual(original.getvalue(), "first line\nsecond line\n")
        self.assertIsInstance(original, io.StringIO)


if __name__ == "__main__":
    unittest.main()
