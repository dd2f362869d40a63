"""Tests for _wsgi_call: call_wsgi and start_wsgi fulfil the server side of PEP 3333."""

from __future__ import annotations

import sys
import traceback
import unittest
from typing import Any, Callable, Iterator

from asgiwsgi_testkit import ProtocolError, call_wsgi, make_environ
from asgiwsgi_testkit._wsgi_call import parse_status, response_headers, start_wsgi

from tests import apps


def _app_returning(value: Any, status: str = "200 OK", headers: list | None = None) -> Callable:
    def app(environ: dict, start_response: Callable) -> Any:
        start_response(status, headers if headers is not None else [apps.TEXT])
        return value

    return app


class RecordingList(list):
    """A list body whose close() call is recorded."""

    closed = 0

    def close(self) -> None:
        self.closed += 1


def _frames_of(call: Callable[[], Any], kind: type) -> tuple[BaseException, list[str]]:
    """Run `call`, expecting `kind`; return the exception and the function names in its traceback."""
    try:
        call()
    except kind as exc:
        return exc, [frame.name for frame in traceback.extract_tb(exc.__traceback__)]
    raise AssertionError(f"{kind.__name__} not raised")


class ResponseTests(unittest.TestCase):
    def test_hello_gives_status_headers_body(self):
        response = call_wsgi(apps.hello_app, make_environ())
        self.assertEqual((response.status_code, response.reason, response.status), (200, "OK", "200 OK"))
        self.assertEqual(response.headers["content-length"], "13")
        self.assertEqual((response.body, response.text), (b"Hello, world!", "Hello, world!"))

    def test_status_without_reason_phrase(self):
        response = call_wsgi(apps.no_reason_app, make_environ())
        self.assertEqual((response.status_code, response.reason, response.status), (299, "", "299"))

    def test_head_reads_the_body_and_returns_none(self):
        # gunicorn, waitress and wsgiref run the app's iterable for HEAD and send no body (RFC 9110 9.3.2).
        body = RecordingList([b"Hello, ", b"world!"])
        response = call_wsgi(_app_returning(body, headers=[apps.TEXT, ("Content-Length", "13")]), make_environ("HEAD"))
        self.assertEqual((response.status_code, response.body, response.headers["content-length"], body.closed), (200, b"", "13", 1))

    def test_body_longer_than_its_content_length_is_cut_as_servers_do(self):
        response = call_wsgi(_app_returning([b"hello"], headers=[("Content-Length", "3")]), make_environ())
        self.assertEqual(response.body, b"hel")

    def test_errors_holds_wsgi_errors_text(self):
        response = call_wsgi(apps.errors_app, make_environ())
        self.assertEqual(response.errors, "first line\nsecond line\n")

    def test_response_names_the_request_from_the_environ(self):
        response = call_wsgi(apps.hello_app, make_environ("POST", "/caf%C3%A9", "x=1", base_url="https://api.example/v1"))
        self.assertEqual(repr(response), "<WSGITestResponse [200 OK] POST /v1/caf%C3%A9?x=1>")
        self.assertEqual(response.request.url, "https://api.example/v1/caf%C3%A9?x=1")

    def test_hand_made_environ_without_usable_port_still_answers(self):
        environ = make_environ()
        environ["SERVER_PORT"] = "not a port"
        response = call_wsgi(apps.hello_app, environ)
        self.assertEqual((response.status_code, response.request), (200, None))
        self.assertEqual(repr(response), "<WSGITestResponse [200 OK] (request unknown)>")

    def test_errors_empty_when_environ_has_no_stream(self):
        environ = make_environ()
        del environ["wsgi.errors"]
        self.assertEqual(call_wsgi(apps.hello_app, environ).errors, "")

    def test_request_body_reaches_the_app(self):
        response = call_wsgi(apps.echo_app, make_environ("POST", "/e", "a=1", b"payload", "text/plain"))
        seen = response.json()
        self.assertEqual((seen["method"], seen["path"], seen["query"], seen["body"]), ("POST", "/e", "a=1", "payload"))
        self.assertEqual(seen["headers"]["CONTENT_TYPE"], "text/plain")

    def test_file_wrapper_body_read_in_blocks(self):
        response = call_wsgi(apps.file_wrapper_app, make_environ())
        self.assertEqual(response.body, b"x" * 1000)


class WriteAndLazyStartTests(unittest.TestCase):
    def test_write_data_comes_before_iterable_data(self):
        self.assertEqual(call_wsgi(apps.write_app, make_environ()).body, b"written;returned")

    def test_write_inside_generator_keeps_order(self):
        def app(environ: dict, start_response: Callable) -> Iterator[bytes]:
            write = start_response("200 OK", [])
            yield b"1"
            write(b"2")
            yield b"3"
            write(b"4")

        self.assertEqual(call_wsgi(app, make_environ()).body, b"1234")

    def test_write_before_first_chunk_of_generator(self):
        def app(environ: dict, start_response: Callable) -> Iterator[bytes]:
            write = start_response("200 OK", [])
            yield b""
            write(b"w")
            yield b""
            yield b"i"

        self.assertEqual(call_wsgi(app, make_environ()).body, b"wi")

    def test_write_after_last_yield_kept(self):
        def app(environ: dict, start_response: Callable) -> Iterator[bytes]:
            write = start_response("200 OK", [])
            yield b""
            write(b"tail")

        self.assertEqual(call_wsgi(app, make_environ()).body, b"tail")

    def test_lazy_start_response_in_generator(self):
        response = call_wsgi(apps.lazy_start_app, make_environ())
        self.assertEqual((response.status, response.headers["x-lazy"], response.body), ("201 Created", "yes", b"late start"))

    def test_empty_chunks_skipped_before_headers(self):
        started = start_wsgi(_app_returning([b"", b"", b"x", b"", b"y"]), make_environ())
        self.assertEqual(started.first, [b"x"])
        self.assertEqual(started.read_all(), b"xy")

    def test_empty_body_gives_empty_bytes(self):
        response = call_wsgi(apps.no_content_app, make_environ())
        self.assertEqual((response.status_code, response.body), (204, b""))

    def test_write_with_non_bytes_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^write\(\) got str 'text, not bytes', expected bytes \[wsgi\.body\.type\]\n  expected: ") as caught:
            call_wsgi(apps.bad_write_type, make_environ())
        self.assertEqual((caught.exception.rule, caught.exception.value), ("wsgi.body.type", "text, not bytes"))

    def test_write_before_start_response_is_protocol_error(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            state = start_response.__self__
            state.write(b"too early")
            return []  # pragma: no cover

        with self.assertRaisesRegex(ProtocolError, r"^write\(\) called before start_response\(\) \[wsgi\.write\.before-start\]\n  expected: ") as caught:
            call_wsgi(app, make_environ())
        self.assertEqual((caught.exception.rule, caught.exception.expected), ("wsgi.write.before-start", "start_response() first"))


class ExcInfoTests(unittest.TestCase):
    def test_exc_info_before_body_replaces_status_and_headers(self):
        response = call_wsgi(apps.exc_info_app, make_environ())
        self.assertEqual(response.status, "500 Internal Server Error")
        self.assertEqual(response.headers.get_all("content-type"), ["text/plain; charset=utf-8"])
        self.assertEqual(response.body, b"sorry")

    def test_exc_info_after_headers_sent_reraises_app_exception(self):
        exc, frames = _frames_of(lambda: call_wsgi(apps.exc_info_after_headers_app, make_environ()), KeyError)
        self.assertEqual(str(exc), "'late failure'")
        self.assertEqual(frames[-1], "exc_info_after_headers_app")

    def test_exc_info_after_write_reraises(self):
        def app(environ: dict, start_response: Callable) -> list[bytes]:
            write = start_response("200 OK", [])
            write(b"out")
            try:
                raise ValueError("after write")
            except ValueError:
                start_response("500 Internal Server Error", [], sys.exc_info())
            return []  # pragma: no cover

        with self.assertRaisesRegex(ValueError, r"^after write$"):
            call_wsgi(app, make_environ())

    def test_second_start_response_without_exc_info_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^start_response\(\) called a second time without exc_info \(first status '200 OK', now '404 Not Found'\) \[wsgi\.start_response\.once\]\n  expected: ") as caught:
            call_wsgi(apps.bad_start_response_once, make_environ())
        self.assertEqual((caught.exception.rule, caught.exception.value), ("wsgi.start_response.once", "404 Not Found"))


class CloseTests(unittest.TestCase):
    def test_close_called_after_normal_response(self):
        app = apps.ClosingApp()
        self.assertEqual(call_wsgi(app, make_environ()).body, b"abc")
        self.assertEqual(app.close_calls, 1)

    def test_close_called_when_iteration_fails(self):
        app = apps.RaiseAfterStartApp()
        with self.assertRaisesRegex(apps.AppError, r"^boom after start$"):
            call_wsgi(app, make_environ())
        self.assertTrue(app.closed)

    def test_close_called_when_error_before_first_chunk(self):
        body = RecordingList(["text"])
        with self.assertRaisesRegex(ProtocolError, r"wsgi\.body\.type"):
            call_wsgi(_app_returning(body), make_environ())
        self.assertEqual(body.closed, 1)

    def test_close_called_when_start_response_missing(self):
        body = RecordingList([b"x"])

        def app(environ: dict, start_response: Callable) -> list[bytes]:
            return body

        with self.assertRaisesRegex(ProtocolError, r"wsgi\.start_response\.missing"):
            call_wsgi(app, make_environ())
        self.assertEqual(body.closed, 1)

    def test_list_subclass_body_closed_on_fast_path(self):
        body = RecordingList([b"a", b"b"])
        self.assertEqual(call_wsgi(_app_returning(body), make_environ()).body, b"ab")
        self.assertEqual(body.closed, 1)

    def test_app_raising_before_start_propagates_unchanged(self):
        exc, frames = _frames_of(lambda: call_wsgi(apps.raise_before_start_app, make_environ()), apps.AppError)
        self.assertEqual((type(exc), str(exc)), (apps.AppError, "boom before start"))
        self.assertEqual(frames[-1], "raise_before_start_app")

    def test_app_exception_mid_iteration_keeps_its_traceback(self):
        exc, frames = _frames_of(lambda: call_wsgi(apps.RaiseAfterStartApp(), make_environ()), apps.AppError)
        self.assertEqual(str(exc), "boom after start")
        self.assertEqual(frames[-1], "_chunks")


class ProtocolErrorTests(unittest.TestCase):
    def test_app_returning_none_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^the app returned NoneType None, expected an iterable of bytes such as \[b'\.\.\.'\] \[wsgi\.iterable\.type\]\n  expected: ") as caught:
            call_wsgi(apps.bad_iterable_none, make_environ())
        self.assertEqual((caught.exception.rule, caught.exception.value), ("wsgi.iterable.type", None))

    def test_app_returning_str_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^the app returned str 'a str, not an iterable of bytes', expected .* \[wsgi\.iterable\.type\]\n  expected: ") as caught:
            call_wsgi(apps.bad_iterable_type, make_environ())
        self.assertEqual(caught.exception.expected, "an iterable of bytes")

    def test_app_returning_bytes_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"returned bytes b'x'.*\[wsgi\.iterable\.type\]"):
            call_wsgi(_app_returning(b"x"), make_environ())

    def test_no_start_response_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^the app returned its iterable without calling start_response\(\) \[wsgi\.start_response\.missing\]\n  expected: ") as caught:
            call_wsgi(apps.bad_start_response_missing, make_environ())
        self.assertEqual(caught.exception.rule, "wsgi.start_response.missing")

    def test_non_bytes_first_chunk_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^the app's iterable got str 'abc', expected bytes \[wsgi\.body\.type\]\n  expected: ") as caught:
            call_wsgi(_app_returning(iter(["abc"])), make_environ())
        self.assertEqual((caught.exception.rule, caught.exception.value, caught.exception.expected), ("wsgi.body.type", "abc", "bytes"))

    def test_non_bytes_later_chunk_in_list_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"the app's iterable got int 42, expected bytes \[wsgi\.body\.type\]"):
            call_wsgi(_app_returning([b"a", 42]), make_environ())

    def test_non_bytes_later_chunk_in_generator_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"the app's iterable got int 42, expected bytes \[wsgi\.body\.type\]"):
            call_wsgi(apps.bad_body_type_generator, make_environ())

    def test_bytearray_chunk_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"got bytearray bytearray\(b'x'\), expected bytes"):
            call_wsgi(_app_returning([bytearray(b"x")]), make_environ())

    def test_malformed_status_is_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^start_response\(\) status must be a str like '200 OK', not str: '20 OK' \[wsgi\.status\.form\]\n  expected: ") as caught:
            call_wsgi(_app_returning([b""], status="20 OK"), make_environ())
        self.assertEqual(caught.exception.value, "20 OK")

    def test_malformed_headers_are_protocol_error(self):
        with self.assertRaisesRegex(ProtocolError, r"^start_response\(\) headers must be a list of \(name, value\) str tuples, not \['oops'\] \[wsgi\.headers\.type\]\n  expected: "):
            call_wsgi(_app_returning([b""], headers=["oops"]), make_environ())


class ParseStatusTests(unittest.TestCase):
    def test_valid_statuses(self):
        self.assertEqual(parse_status("404 Not Found"), (404, "Not Found"))
        self.assertEqual(parse_status("200"), (200, ""))
        self.assertEqual(parse_status("599 "), (599, ""))

    def test_invalid_statuses(self):
        for status in (200, "OK", "099 Low", "2000 X", "20x"):
            for attempt in (1, 2):  # a bad status is never remembered as parsed
                with self.subTest(status=status, attempt=attempt), self.assertRaisesRegex(ProtocolError, r"\[wsgi\.status\.form\]\n  expected: "):
                    parse_status(status)

    def test_a_remembered_status_parses_the_same(self):
        self.assertEqual([parse_status("201 Created") for _ in range(2)], [(201, "Created")] * 2)

    def test_response_headers_keep_order_and_case(self):
        headers = response_headers([("X-A", "1"), ("x-a", "2")])
        self.assertEqual(headers.multi_items(), [("X-A", "1"), ("x-a", "2")])


class StartWsgiTests(unittest.TestCase):
    def test_chunks_pulled_on_demand(self):
        app = apps.StreamApp(4)
        started = start_wsgi(app, make_environ())
        self.assertEqual((started.status, app.pulled), ("200 OK", 1))
        chunks = started.chunks()
        self.assertEqual((next(chunks), app.pulled), (b"chunk 0\n", 1))
        self.assertEqual((next(chunks), app.pulled), (b"chunk 1\n", 2))
        started.close()
        self.assertTrue(app.closed)

    def test_chunks_with_non_bytes_later_is_protocol_error(self):
        started = start_wsgi(apps.bad_body_type_generator, make_environ())
        with self.assertRaisesRegex(ProtocolError, r"wsgi\.body\.type"):
            list(started.chunks())
        started.close()


if __name__ == "__main__":
    unittest.main()
