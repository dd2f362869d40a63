"""Tests for _content: request body encoding (bytes, str, json=, form=, files= multipart, streams)."""

from __future__ import annotations

import email.parser
import email.policy
import io
import os
import tempfile
import unittest

from asgiwsgi_testkit._content import UNSET, check_chunk, encode_body, encode_json


def parse_multipart(body: bytes, content_type: str) -> list:
    """The parts of a multipart/form-data body, read back with the stdlib email parser."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    assert message.is_multipart()
    return list(message.iter_parts())


class BodyArgumentTests(unittest.TestCase):
    def test_nothing_gives_empty_body_without_content_type(self) -> None:
        self.assertEqual(encode_body(), (b"", None))

    def test_bytes_kept(self) -> None:
        self.assertEqual(encode_body(b"\x00\xff"), (b"\x00\xff", None))

    def test_str_encoded_utf8(self) -> None:
        self.assertEqual(encode_body("café"), ("café".encode(), None))

    def test_bytearray_and_memoryview_become_bytes(self) -> None:
        self.assertEqual(encode_body(bytearray(b"ab")), (b"ab", None))
        content, _ = encode_body(memoryview(b"cd"))
        self.assertEqual(type(content), bytes)
        self.assertEqual(content, b"cd")

    def test_iterable_body_returned_as_is(self) -> None:
        for body in ([b"a", b"b"], (b"a",), iter([b"x"]), (c for c in [b"y"])):
            with self.subTest(body=type(body).__name__):
                content, content_type = encode_body(body)
                self.assertIs(content, body)
                self.assertIsNone(content_type)

    def test_async_iterable_body_returned_as_is(self) -> None:
        async def chunks():
            yield b"a"

        body = chunks()
        self.assertIs(encode_body(body)[0], body)

    def test_refuses_mapping_and_other_types(self) -> None:
        for body, name in (({"a": 1}, "dict"), (5, "int"), (1.5, "float")):
            with self.subTest(body=body):
                with self.assertRaisesRegex(TypeError, rf"body= must be bytes, str, or an iterable or async iterable of bytes, not {name}"):
                    encode_body(body)

    def test_two_body_arguments_named_in_typeerror(self) -> None:
        cases = [
            (dict(body=b"x", json={}), "body= and json="),
            (dict(json=None, form={"a": "1"}), "json= and form="),
            (dict(body="x", form={}), "body= and form="),
            (dict(body=b"", json=1, form={}), "body= and json="),
        ]
        for kwargs, names in cases:
            with self.subTest(kwargs=kwargs):
                with self.assertRaisesRegex(TypeError, rf"^request\(\) got both {names}; pass only one of body=, json=, form=$"):
                    encode_body(**kwargs)

    def test_files_with_json_or_body_is_typeerror(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^request\(\) got both json= and files=; files= combines only with form=$"):
            encode_body(json={"a": 1}, files={"f": b"x"})
        with self.assertRaisesRegex(TypeError, r"^request\(\) got both body= and files="):
            encode_body(body=b"x", files={"f": b"x"})


class JSONTests(unittest.TestCase):
    def test_json_is_compact_utf8_with_content_type(self) -> None:
        self.assertEqual(encode_body(json={"a": [1, 2], "é": "ü"}), ('{"a":[1,2],"é":"ü"}'.encode(), "application/json"))

    def test_json_none_is_sent_as_null(self) -> None:
        self.assertEqual(encode_body(json=None), (b"null", "application/json"))

    def test_unset_sentinel_is_falsy_with_readable_repr(self) -> None:
        self.assertFalse(UNSET)
        self.assertEqual(repr(UNSET), "<unset>")

    def test_unserialisable_json_is_typeerror_naming_json(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^json= value is not JSON serialisable: Object of type set is not JSON serializable"):
            encode_body(json={"a": {1}})

    def test_nan_refused(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^json= value is not JSON serialisable: Out of range float"):
            encode_body(json=float("nan"))

    def test_encode_json_names_the_argument(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^send_json= value"):
            encode_json(object(), "send_json")


class FormTests(unittest.TestCase):
    def test_form_urlencoded_with_content_type(self) -> None:
        self.assertEqual(encode_body(form={"a": "x y", "b": "é&="}), (b"a=x+y&b=%C3%A9%26%3D", "application/x-www-form-urlencoded"))

    def test_form_list_values_repeat_keys(self) -> None:
        self.assertEqual(encode_body(form={"tag": ["a", "b"], "n": ("1",)})[0], b"tag=a&tag=b&n=1")

    def test_form_pairs_keep_order(self) -> None:
        self.assertEqual(encode_body(form=[("b", "1"), ["a", "2"], ("b", "3")])[0], b"b=1&a=2&b=3")

    def test_form_scalar_values(self) -> None:
        self.assertEqual(encode_body(form={"t": True, "f": False, "i": 2, "x": 0.5, "b": "é".encode()})[0], b"t=true&f=false&i=2&x=0.5&b=%C3%A9")

    def test_form_bytes_values_sent_as_given(self) -> None:
        self.assertEqual(encode_body(form={"raw": b"caf\xe9 \xff"})[0], b"raw=caf%E9+%FF")

    def test_empty_form(self) -> None:
        self.assertEqual(encode_body(form={}), (b"", "application/x-www-form-urlencoded"))

    def test_form_refuses_bad_value_naming_field(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^form= value for 'a' must be str, bytes, int or float, not NoneType$"):
            encode_body(form={"a": None})

    def test_form_refuses_non_pairs(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^form= items must be \(name, value\) pairs, not 'ab'$"):
            encode_body(form=["ab"])

    def test_form_refuses_str_and_non_iterables(self) -> None:
        for form, name in (("a=1", "str"), (b"a=1", "bytes"), (5, "int")):
            with self.subTest(form=form):
                with self.assertRaisesRegex(TypeError, rf"^form= must be a mapping or a sequence of \(name, value\) pairs, not {name}$"):
                    encode_body(form=form)


class MultipartTests(unittest.TestCase):
    def test_every_file_form_round_trips_through_email_parser(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "photo.png")
            with open(path, "wb") as f:
                f.write(b"\x89PNG\r\n--\x00")
            with open(path, "rb") as f:
                body, content_type = encode_body(
                    form={"title": "Hello é", "tags": ["a", "b"]},
                    files={
                        "raw": b"raw\r\nbytes",
                        "image": f,
                        "doc": ("report.txt", b"text\n"),
                        "data": ("blob.bin", b"\x00\x01", "application/x-custom"),
                    },
                )
        self.assertRegex(content_type, r"^multipart/form-data; boundary=[0-9a-f]{32}$")
        parts = parse_multipart(body, content_type)
        found = [(p.get_param("name", header="content-disposition"), p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in parts]
        self.assertEqual(
            found,
            [
                ("title", None, "text/plain", "Hello é".encode()),
                ("tags", None, "text/plain", b"a"),
                ("tags", None, "text/plain", b"b"),
                ("raw", "raw", "application/octet-stream", b"raw\r\nbytes"),
                ("image", "photo.png", "image/png", b"\x89PNG\r\n--\x00"),
                ("doc", "report.txt", "text/plain", b"text\n"),
                ("data", "blob.bin", "application/x-custom", b"\x00\x01"),
            ],
        )
        # Form fields carry no Content-Type of their own (the email parser defaults them to text/plain).
        self.assertNotIn("Content-Type", parts[0])
        self.assertEqual(parts[3]["Content-Type"], "application/octet-stream")

    def test_form_field_bytes_kept_exactly(self) -> None:
        body, content_type = encode_body(form={"raw": b"\xff\x00", "n": 3}, files={"f": b""})
        parts = parse_multipart(body, content_type)
        self.assertEqual([p.get_payload(decode=True) for p in parts], [b"\xff\x00", b"3", b""])

    def test_body_ends_with_closing_delimiter(self) -> None:
        body, content_type = encode_body(files={"f": b"x"})
        boundary = content_type.partition("boundary=")[2]
        self.assertTrue(body.startswith(f"--{boundary}\r\n".encode()))
        self.assertTrue(body.endswith(f"\r\n--{boundary}--\r\n".encode()))

    def test_file_object_without_name_uses_field_name(self) -> None:
        body, content_type = encode_body(files={"upload": io.BytesIO(b"abc")})
        (part,) = parse_multipart(body, content_type)
        self.assertEqual((part.get_filename(), part.get_payload(decode=True)), ("upload", b"abc"))

    def test_filename_from_tuple_beats_file_name(self) -> None:
        data = io.BytesIO(b"abc")
        data.name = "/tmp/ignored.bin"
        body, content_type = encode_body(files={"f": ("chosen.json", data)})
        (part,) = parse_multipart(body, content_type)
        self.assertEqual((part.get_filename(), part.get_content_type(), part.get_payload(decode=True)), ("chosen.json", "application/json", b"abc"))

    def test_text_file_and_str_data_encoded_utf8(self) -> None:
        body, content_type = encode_body(files=[("a", io.StringIO("é")), ("b", ("b.txt", "ü"))])
        parts = parse_multipart(body, content_type)
        self.assertEqual([p.get_payload(decode=True) for p in parts], ["é".encode(), "ü".encode()])

    def test_files_as_pairs_allow_repeated_names(self) -> None:
        body, content_type = encode_body(files=[("f", ("1.txt", b"1")), ["f", ("2.txt", b"2")]])
        self.assertEqual([p.get_filename() for p in parse_multipart(body, content_type)], ["1.txt", "2.txt"])

    def test_names_with_quotes_and_newlines_escaped(self) -> None:
        body, _ = encode_body(form={'a"b': "v"}, files={"f": ('x"\r\n.txt', b"")})
        self.assertIn(b'name="a%22b"', body)
        self.assertIn(b'filename="x%22%0D%0A.txt"', body)

    def test_none_filename_is_a_plain_text_field_as_httpx_and_requests_send_it(self) -> None:
        body, content_type = encode_body(files={"note": (None, "text é"), "raw": (None, b"\xff"), "doc": ("a.txt", b"file")})
        parts = parse_multipart(body, content_type)
        self.assertEqual(
            [(p.get_param("name", header="content-disposition"), p.get_filename(), p.get("Content-Type"), p.get_payload(decode=True)) for p in parts],
            [("note", None, None, "text é".encode()), ("raw", None, None, b"\xff"), ("doc", "a.txt", "text/plain", b"file")],
        )
        self.assertIn(b'Content-Disposition: form-data; name="note"\r\n\r\ntext \xc3\xa9\r\n', body)  # no filename=, no Content-Type

    def test_none_filename_with_content_type_or_file_object_stays_a_field(self) -> None:
        data = io.BytesIO(b'{"a":1}')
        data.name = "/tmp/ignored.json"
        body, content_type = encode_body(files=[("meta", (None, data, "application/json")), ("plain", (None, io.BytesIO(b"x")))])
        meta, plain = parse_multipart(body, content_type)
        self.assertEqual((meta.get_filename(), meta["Content-Type"], meta.get_payload(decode=True)), (None, "application/json", b'{"a":1}'))
        self.assertEqual((plain.get_filename(), plain.get("Content-Type"), plain.get_payload(decode=True)), (None, None, b"x"))

    def test_text_fields_only_multipart_from_none_filenames_or_empty_files(self) -> None:
        for arguments in ({"files": {"name": (None, "ann"), "tag": (None, "x")}}, {"form": {"name": "ann", "tag": "x"}, "files": {}}):
            with self.subTest(arguments=arguments):
                body, content_type = encode_body(**arguments)
                self.assertRegex(content_type, r"^multipart/form-data; boundary=[0-9a-f]{32}$")
                parts = parse_multipart(body, content_type)
                self.assertEqual([(p.get_param("name", header="content-disposition"), p.get_filename(), p.get_payload(decode=True)) for p in parts], [("name", None, b"ann"), ("tag", None, b"x")])
                self.assertNotIn(b"filename=", body)
                self.assertNotIn(b"Content-Type", body)

    def test_refuses_bad_data_in_a_text_field_naming_entry(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^files= entry 'n' data must be bytes, str or a binary file object, not int$"):
            encode_body(files={"n": (None, 3)})

    def test_refuses_tuple_of_wrong_length(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^files= entry 'f' must be bytes, a binary file, \(filename, data\) or \(filename, data, content_type\), not a 4-tuple$"):
            encode_body(files={"f": ("a", b"", "t", "x")})

    def test_refuses_bad_data_naming_entry(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^files= entry 'f' data must be bytes, str or a binary file object, not int$"):
            encode_body(files={"f": 3})

    def test_refuses_non_pair_items(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^files= items must be \(name, file\) pairs, not 'f'$"):
            encode_body(files=["f"])

    def test_refuses_str_or_non_iterable_files(self) -> None:
        for files, name in (("f", "str"), (7, "int")):
            with self.subTest(files=files):
                with self.assertRaisesRegex(TypeError, rf"^files= must be a mapping or a sequence of \(name, file\) pairs, not {name}$"):
                    encode_body(files=files)


class CheckChunkTests(unittest.TestCase):
    def test_bytes_returned_unchanged(self) -> None:
        chunk = b"abc"
        self.assertIs(check_chunk(chunk), chunk)

    def test_bytearray_and_memoryview_copied_to_bytes(self) -> None:
        self.assertEqual(check_chunk(bytearray(b"a")), b"a")
        self.assertEqual(type(check_chunk(memoryview(b"b"))), bytes)

    def test_other_types_are_typeerror_naming_item(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^body= iterable yielded str 'text'; every item must be bytes$"):
            check_chunk("text")
        with self.assertRaisesRegex(TypeError, r"^content= iterable yielded int 5;"):
            check_chunk(5, "content")

    def test_long_item_repr_is_cut(self) -> None:
        with self.assertRaises(TypeError) as caught:
            check_chunk("x" * 500)
        self.assertLess(len(str(caught.exception)), 140)


if __name__ == "__main__":
    unittest.main()
