"""Tests for _wsgi_environ: make_environ, the streamed wsgi.input and wsgi.file_wrapper."""

from __future__ import annotations

import io
import unittest
import warnings
import wsgiref.validate

from asgiwsgi_testkit import make_environ
from asgiwsgi_testkit._wsgi_environ import FileWrapper, StreamedInput

from tests.apps import hello_app


class RecordingChunks:
    """An iterable body that records how many chunks were pulled from it."""

    def __init__(self, *chunks: object) -> None:
        self.chunks = chunks
        self.pulled = 0

    def __iter__(self):
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk


class RequiredKeysTests(unittest.TestCase):
    def test_every_required_key_present_with_its_type(self):
        environ = make_environ("POST", "/items", body=b"x=1", content_type="application/x-www-form-urlencoded")
        self.assertIs(type(environ), dict)
        for key in ("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
                    "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "wsgi.url_scheme", "HTTP_HOST"):
            self.assertIs(type(environ[key]), str, key)
        self.assertEqual(environ["wsgi.version"], (1, 0))
        self.assertIs(type(environ["wsgi.version"]), tuple)
        for key in ("wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once", "wsgi.input_terminated"):
            self.assertIs(type(environ[key]), bool, key)
        self.assertFalse(environ["wsgi.multithread"])
        self.assertTrue(environ["wsgi.input_terminated"])
        for method in ("read", "readline", "readlines", "__iter__"):
            self.assertTrue(callable(getattr(environ["wsgi.input"], method)), method)
        for method in ("write", "writelines", "flush"):
            self.assertTrue(callable(getattr(environ["wsgi.errors"], method)), method)
        self.assertIs(environ["wsgi.file_wrapper"], FileWrapper)

    def test_defaults_describe_a_get_to_testserver(self):
        environ = make_environ()
        expected = {
            "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/", "QUERY_STRING": "",
            "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000",
            "REQUEST_URI": "/", "RAW_URI": "/", "SERVER_SOFTWARE": "asgiwsgi_testkit", "wsgi.url_scheme": "http",
        }
        self.assertEqual({k: environ[k] for k in expected}, expected)
        self.assertNotIn("CONTENT_TYPE", environ)
        self.assertNotIn("CONTENT_LENGTH", environ)
        self.assertEqual(environ["wsgi.input"].read(), b"")

    def test_stdlib_validator_accepts_the_environ_without_warnings(self):
        environ = make_environ("PUT", "/a/b", "q=1", b"data", "text/plain", {"X-Token": "t"})
        statuses = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = wsgiref.validate.validator(hello_app)(environ, lambda status, headers, exc_info=None: statuses.append(status))
            try:
                body = b"".join(result)
            finally:
                result.close()
        self.assertEqual((statuses, body), (["200 OK"], b"Hello, world!"))


class PositionalParameterTests(unittest.TestCase):
    def test_seven_positional_parameters_keep_their_meaning(self):
        environ = make_environ("POST", "/x", "a=1", b"body", "text/plain", {"X-A": "1"}, {"wsgi.run_once": True})
        self.assertEqual(environ["REQUEST_METHOD"], "POST")
        self.assertEqual(environ["PATH_INFO"], "/x")
        self.assertEqual(environ["QUERY_STRING"], "a=1")
        self.assertEqual(environ["wsgi.input"].read(), b"body")
        self.assertEqual(environ["CONTENT_LENGTH"], "4")
        self.assertEqual(environ["CONTENT_TYPE"], "text/plain")
        self.assertEqual(environ["HTTP_X_A"], "1")
        self.assertIs(environ["wsgi.run_once"], True)

    def test_method_upper_cased_when_given_lower(self):
        self.assertEqual(make_environ("patch")["REQUEST_METHOD"], "PATCH")

    def test_str_body_encoded_utf8_when_given(self):
        environ = make_environ("POST", "/", "", "h\u00e9")
        self.assertEqual((environ["wsgi.input"].read(), environ["CONTENT_LENGTH"]), ("h\u00e9".encode(), "3"))

    def test_none_body_means_no_body(self):
        environ = make_environ("GET", "/", "", None)
        self.assertNotIn("CONTENT_LENGTH", environ)

    def test_empty_post_sends_content_length_zero(self):
        environ = make_environ("POST")
        self.assertEqual(environ["CONTENT_LENGTH"], "0")
        self.assertNotIn("CONTENT_TYPE", environ)

    def test_query_string_merged_with_query_in_path_and_query_option(self):
        environ = make_environ("GET", "/p?a=1", "b=2", query={"c": "3"})
        self.assertEqual(environ["QUERY_STRING"], "a=1&b=2&c=3")
        self.assertEqual(environ["REQUEST_URI"], "/p?a=1&b=2&c=3")

    def test_query_string_bytes_kept_as_latin1_with_a_leading_question_mark(self):
        # SPEC 13: a query is sent as given; a server given `GET /p??x` hands the app `?x`.
        self.assertEqual(make_environ(query_string=b"?x=%20&y=\xe9")["QUERY_STRING"], "?x=%20&y=\xe9")

    def test_query_string_of_wrong_type_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^query_string= must be a str, not int$"):
            make_environ(query_string=5)

    def test_environ_overrides_applied_last(self):
        environ = make_environ(headers={"Host": "a.example"}, environ_overrides={"HTTP_HOST": "b.example", "X": 1})
        self.assertEqual((environ["HTTP_HOST"], environ["X"]), ("b.example", 1))


class MoreOptionsTests(unittest.TestCase):
    def test_base_url_path_becomes_script_name(self):
        environ = make_environ(path="/items/7", base_url="https://api.example:8443/v1/")
        self.assertEqual((environ["SCRIPT_NAME"], environ["PATH_INFO"]), ("/v1", "/items/7"))
        self.assertEqual((environ["wsgi.url_scheme"], environ["SERVER_NAME"], environ["SERVER_PORT"]), ("https", "api.example", "8443"))
        self.assertEqual((environ["HTTP_HOST"], environ["REQUEST_URI"]), ("api.example:8443", "/v1/items/7"))

    def test_scheme_https_moves_default_port_to_443(self):
        environ = make_environ(scheme="https")
        self.assertEqual((environ["wsgi.url_scheme"], environ["SERVER_PORT"], environ["HTTP_HOST"]), ("https", "443", "testserver"))

    def test_scheme_keeps_explicit_port(self):
        environ = make_environ(scheme="https", base_url="http://testserver:8000")
        self.assertEqual((environ["wsgi.url_scheme"], environ["SERVER_PORT"]), ("https", "8000"))

    def test_scheme_other_than_http_or_https_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"^scheme= must be 'http' or 'https', not 'ftp'$"):
            make_environ(scheme="ftp")

    def test_client_sets_remote_addr_and_port(self):
        environ = make_environ(client=("10.1.2.3", 4321))
        self.assertEqual((environ["REMOTE_ADDR"], environ["REMOTE_PORT"]), ("10.1.2.3", "4321"))

    def test_client_not_a_pair_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"client= must be a \(host, port\) pair like \('127\.0\.0\.1', 50000\), not '10\.0\.0\.1'"):
            make_environ(client="10.0.0.1")

    def test_server_protocol_sets_server_protocol(self):
        self.assertEqual(make_environ(server_protocol="HTTP/1.0")["SERVER_PROTOCOL"], "HTTP/1.0")

    def test_server_protocol_unknown_is_value_error(self):
        with self.assertRaisesRegex(ValueError, r"server_protocol= must be 'HTTP/1.0', 'HTTP/1.1' or 'HTTP/2', not 'HTTP/3'"):
            make_environ(server_protocol="HTTP/3")

    def test_query_option_alone_sets_query_string(self):
        self.assertEqual(make_environ(query=[("a", "1"), ("a", "2")])["QUERY_STRING"], "a=1&a=2")

    def test_json_option_sets_body_and_content_type(self):
        environ = make_environ("POST", json={"a": [1, "\u00e9"]})
        self.assertEqual(environ["CONTENT_TYPE"], "application/json")
        self.assertEqual(environ["wsgi.input"].read(), '{"a":[1,"\u00e9"]}'.encode())

    def test_form_option_urlencodes(self):
        environ = make_environ("POST", form={"name": "a b", "n": 1})
        self.assertEqual(environ["CONTENT_TYPE"], "application/x-www-form-urlencoded")
        self.assertEqual(environ["wsgi.input"].read(), b"name=a+b&n=1")

    def test_files_option_builds_multipart(self):
        environ = make_environ("POST", form={"title": "t"}, files={"upload": ("a.txt", b"hello")})
        self.assertRegex(environ["CONTENT_TYPE"], r"^multipart/form-data; boundary=[0-9a-f]{32}$")
        body = environ["wsgi.input"].read()
        self.assertIn(b'name="upload"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n', body)
        self.assertEqual(environ["CONTENT_LENGTH"], str(len(body)))

    def test_body_and_json_together_is_type_error(self):
        with self.assertRaisesRegex(TypeError, r"got both body= and json=; pass only one of body=, json=, form="):
            make_environ("POST", body=b"x", json={})

    def test_cookies_option_sets_cookie_header(self):
        environ = make_environ(cookies={"a": "1", "b": "2"}, headers=[("Cookie", "z=0")])
        self.assertEqual(environ["HTTP_COOKIE"], "z=0; a=1; b=2")

    def test_unknown_keyword_is_type_error_naming_it(self):
        with self.assertRaisesRegex(TypeError, r"^make_environ\(\) got an unexpected keyword argument 'follow_redirects' \(accepted: base_url, scheme,"):
            make_environ(follow_redirects=True)


class HeaderTests(unittest.TestCase):
    def test_repeated_headers_joined_with_comma(self):
        environ = make_environ(headers=[("Accept", "text/html"), ("accept", "application/json")])
        self.assertEqual(environ["HTTP_ACCEPT"], "text/html, application/json")

    def test_repeated_cookie_headers_joined_with_semicolon(self):
        environ = make_environ(headers=[("Cookie", "a=1"), ("Cookie", "b=2")])
        self.assertEqual(environ["HTTP_COOKIE"], "a=1; b=2")

    def test_content_headers_have_no_http_prefix(self):
        environ = make_environ("POST", body=b"{}", headers={"Content-Type": "application/json"})
        self.assertEqual((environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]), ("application/json", "2"))
        self.assertNotIn("HTTP_CONTENT_TYPE", environ)
        self.assertNotIn("HTTP_CONTENT_LENGTH", environ)

    def test_header_name_with_underscore_dropped(self):
        environ = make_environ(headers=[("X_Forwarded_For", "1.2.3.4"), ("X-Real", "yes")])
        self.assertNotIn("HTTP_X_FORWARDED_FOR", environ)
        self.assertEqual(environ["HTTP_X_REAL"], "yes")

    def test_header_with_newline_refused(self):
        with self.assertRaisesRegex(ValueError, r"value of header 'X-A' contains a CR, LF or control character"):
            make_environ(headers={"X-A": "a\r\nB: c"})

    def test_header_names_give_the_same_keys_every_time(self):
        # _environ_key() remembers names: the second environ must read like the first
        for _ in range(2):
            environ = make_environ("POST", body=b"{}", headers=[("Content-Type", "application/json"), ("X_Dropped", "1"), ("X-Kept", "a"), ("x-kept", "b")])
            self.assertEqual((environ["CONTENT_TYPE"], environ["HTTP_X_KEPT"]), ("application/json", "a, b"))
            self.assertNotIn("HTTP_X_DROPPED", environ)


class ServerEnvironTemplateTests(unittest.TestCase):
    """environ_for copies the keys that depend only on server and client from a remembered template."""

    def test_an_app_changing_its_environ_does_not_change_the_next_one(self):
        first = make_environ(path="/a?x=1")
        first["SERVER_NAME"] = "changed"
        first["wsgi.url_scheme"] = "ftp"
        second = make_environ(path="/b")
        self.assertEqual((second["SERVER_NAME"], second["wsgi.url_scheme"], second["PATH_INFO"], second["QUERY_STRING"]), ("testserver", "http", "/b", ""))

    def test_server_and_client_keys_follow_each_request(self):
        one = make_environ(base_url="https://one.example:8443/root", client=("10.0.0.1", 1234), server_protocol="HTTP/1.0")
        two = make_environ(base_url="http://two.example", client=("10.0.0.2", 5678))
        self.assertEqual((one["SERVER_NAME"], one["SERVER_PORT"], one["wsgi.url_scheme"], one["SCRIPT_NAME"], one["REMOTE_ADDR"], one["REMOTE_PORT"], one["SERVER_PROTOCOL"]),
                         ("one.example", "8443", "https", "/root", "10.0.0.1", "1234", "HTTP/1.0"))
        self.assertEqual((two["SERVER_NAME"], two["SERVER_PORT"], two["wsgi.url_scheme"], two["SCRIPT_NAME"], two["REMOTE_ADDR"], two["REMOTE_PORT"], two["SERVER_PROTOCOL"]),
                         ("two.example", "80", "http", "", "10.0.0.2", "5678", "HTTP/1.1"))

    def test_every_request_gets_its_own_input_and_errors_and_no_placeholder_is_left(self):
        one, two = make_environ("POST", body=b"1"), make_environ("POST", body=b"2")
        self.assertIsNot(one["wsgi.input"], two["wsgi.input"])
        self.assertIsNot(one["wsgi.errors"], two["wsgi.errors"])
        self.assertEqual((one["wsgi.input"].read(), two["wsgi.input"].read()), (b"1", b"2"))
        self.assertNotIn(None, one.values())

    def test_key_order_is_the_same_for_every_request(self):
        self.assertEqual(list(make_environ(path="/a")), list(make_environ(path="/b?q=1")))


class PathInfoTests(unittest.TestCase):
    def test_utf8_escape_decoded_as_latin1_bytes(self):
        environ = make_environ(path="/caf%C3%A9")
        self.assertEqual(environ["PATH_INFO"], "/caf\xc3\xa9")
        self.assertEqual(environ["PATH_INFO"].encode("latin-1").decode("utf-8"), "/caf\u00e9")

    def test_latin1_escape_decoded_to_one_character(self):
        self.assertEqual(make_environ(path="/caf%E9")["PATH_INFO"], "/caf\xe9")

    def test_non_ascii_path_encoded_as_utf8_first(self):
        environ = make_environ(path="/caf\u00e9")
        self.assertEqual((environ["PATH_INFO"], environ["REQUEST_URI"]), ("/caf\xc3\xa9", "/caf%C3%A9"))

    def test_encoded_slash_decoded_and_query_kept_encoded(self):
        environ = make_environ(path="/a%2Fb?q=%20+x")
        self.assertEqual((environ["PATH_INFO"], environ["QUERY_STRING"]), ("/a/b", "q=%20+x"))

    def test_fragment_dropped(self):
        environ = make_environ(path="/page#section")
        self.assertEqual((environ["PATH_INFO"], environ["REQUEST_URI"]), ("/page", "/page"))


class BytesInputTests(unittest.TestCase):
    def setUp(self):
        self.stream = make_environ("POST", body=b"one\ntwo\nthree")["wsgi.input"]

    def test_read_n_then_rest(self):
        self.assertEqual((self.stream.read(2), self.stream.read()), (b"on", b"e\ntwo\nthree"))

    def test_readline_and_readlines(self):
        self.assertEqual(self.stream.readline(), b"one\n")
        self.assertEqual(self.stream.readlines(), [b"two\n", b"three"])

    def test_iteration_yields_lines(self):
        self.assertEqual(list(self.stream), [b"one\n", b"two\n", b"three"])


class StreamedInputTests(unittest.TestCase):
    def environ_for_chunks(self, *chunks: object):
        source = RecordingChunks(*chunks)
        return make_environ("POST", body=source), source

    def test_streamed_body_has_no_content_length(self):
        environ, _ = self.environ_for_chunks(b"a", b"b")
        self.assertNotIn("CONTENT_LENGTH", environ)
        self.assertEqual(environ["HTTP_TRANSFER_ENCODING"], "chunked")
        self.assertTrue(environ["wsgi.input_terminated"])

    def test_chunks_pulled_only_when_read(self):
        environ, source = self.environ_for_chunks(b"abc", b"def", b"ghi")
        self.assertEqual(source.pulled, 0)
        stream = environ["wsgi.input"]
        self.assertEqual(stream.read(2), b"ab")
        self.assertEqual(source.pulled, 1)
        self.assertEqual(stream.read(4), b"cdef")
        self.assertEqual(source.pulled, 2)
        self.assertEqual(stream.read(), b"ghi")
        self.assertEqual(source.pulled, 3)
        self.assertEqual(stream.read(), b"")

    def test_readline_pulls_until_newline(self):
        environ, source = self.environ_for_chunks(b"he", b"llo\nwor", b"ld\n", b"tail")
        stream = environ["wsgi.input"]
        self.assertEqual(stream.readline(), b"hello\n")
        self.assertEqual(source.pulled, 2)
        self.assertEqual(stream.readline(), b"world\n")
        self.assertEqual(source.pulled, 3)
        self.assertEqual(stream.readline(), b"tail")
        self.assertEqual(stream.readline(), b"")

    def test_readline_with_size_stops_at_limit(self):
        environ, _ = self.environ_for_chunks(b"abcdef\n", b"gh\n")
        stream = environ["wsgi.input"]
        self.assertEqual(stream.readline(3), b"abc")
        self.assertEqual(stream.readline(10), b"def\n")
        self.assertEqual(stream.readline(None), b"gh\n")

    def test_readline_with_size_beyond_short_body(self):
        environ, _ = self.environ_for_chunks(b"ab")
        self.assertEqual(environ["wsgi.input"].readline(10), b"ab")

    def test_readlines_and_iteration(self):
        environ, _ = self.environ_for_chunks(b"a\nb", b"\nc\n")
        self.assertEqual(environ["wsgi.input"].readlines(), [b"a\n", b"b\n", b"c\n"])
        environ, source = self.environ_for_chunks(b"x\ny\n", b"z")
        lines = iter(environ["wsgi.input"])
        self.assertEqual((next(lines), source.pulled), (b"x\n", 1))
        self.assertEqual(list(lines), [b"y\n", b"z"])

    def test_read_none_and_negative_read_everything(self):
        environ, _ = self.environ_for_chunks(b"a", bytearray(b"b"), memoryview(b"c"))
        stream = environ["wsgi.input"]
        self.assertEqual(stream.read(None), b"abc")
        environ, _ = self.environ_for_chunks(b"a", b"b")
        self.assertEqual(environ["wsgi.input"].read(-1), b"ab")

    def test_readinto_fills_a_buffer(self):
        stream = StreamedInput(iter([b"abc", b"de"]))
        buffer = bytearray(4)
        self.assertTrue(stream.readable())
        self.assertEqual((stream.readinto(buffer), bytes(buffer)), (4, b"abcd"))
        self.assertEqual((stream.readinto(buffer), bytes(buffer[:1])), (1, b"e"))
        self.assertEqual(stream.readinto(buffer), 0)

    def test_non_bytes_chunk_is_type_error_naming_body(self):
        environ, _ = self.environ_for_chunks(b"ok", "text")
        stream = environ["wsgi.input"]
        self.assertEqual(stream.read(2), b"ok")
        with self.assertRaisesRegex(TypeError, r"^body= iterable yielded str 'text'; every item must be bytes$"):
            stream.read()

    def test_async_iterable_body_is_type_error(self):
        async def chunks():
            yield b"a"  # pragma: no cover - never iterated

        body = chunks()
        with self.assertRaisesRegex(TypeError, r"^body= is an async iterable; a WSGI app reads synchronously: pass bytes or a sync iterable of bytes$"):
            make_environ("POST", body=body)

    def test_generator_body_consumed_lazily(self):
        pulled = []

        def body():
            for index in range(3):
                pulled.append(index)
                yield b"%d," % index

        stream = make_environ("POST", body=body())["wsgi.input"]
        self.assertEqual(pulled, [])
        self.assertEqual(stream.read(1), b"0")
        self.assertEqual(pulled, [0])
        self.assertEqual(stream.read(), b",1,2,")
        self.assertEqual(pulled, [0, 1, 2])


class FileWrapperTests(unittest.TestCase):
    def test_iterates_in_blocks_and_close_closes_the_file(self):
        source = io.BytesIO(b"abcdefg")
        wrapper = FileWrapper(source, 3)
        self.assertEqual(list(wrapper), [b"abc", b"def", b"g"])
        wrapper.close()
        self.assertTrue(source.closed)

    def test_object_without_close_has_no_close(self):
        class Reader:
            def __init__(self):
                self.data = [b"xy", b""]

            def read(self, size):
                return self.data.pop(0)

        wrapper = FileWrapper(Reader())
        self.assertEqual((list(wrapper), wrapper.blksize), ([b"xy"], 8192))
        self.assertFalse(hasattr(wrapper, "close"))


if __name__ == "__main__":
    unittest.main()
