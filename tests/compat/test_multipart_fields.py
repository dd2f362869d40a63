"""Multipart as httpx and requests send it: `(None, value)` is a text field, text-only multipart bodies (issue 10, item 3).

FastAPI's Form() + File() through ASGITestClient, Flask's request.form and
request.files through WSGITestClient: each framework's own multipart parser
decides what is a field and what is a file.
"""

from __future__ import annotations

import hashlib
import unittest
from typing import List, Optional

from asgiwsgi_testkit import ASGITestCase, WSGITestClient
from tests.compat._support import NoPendingTasks, requires

try:
    import fastapi
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    fastapi = None
else:
    from fastapi import FastAPI, File, Form, UploadFile

try:
    import flask
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    flask = None


def create_fastapi_app():
    app = FastAPI()

    @app.post("/upload")
    async def upload(note: str = Form(), upload: UploadFile = File(), extra: Optional[UploadFile] = File(default=None)):
        data = await upload.read()
        return {
            "note": note,
            "filename": upload.filename,
            "content_type": upload.content_type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "extra": None if extra is None else extra.filename,
        }

    @app.post("/fields")
    async def fields(name: str = Form(), tag: List[str] = Form()):
        return {"name": name, "tags": tag}

    return app


def create_flask_app():
    app = flask.Flask(__name__)

    @app.post("/parts")
    def parts():
        request = flask.request
        return {
            "content_type": request.mimetype,
            "form": {name: request.form.getlist(name) for name in request.form},
            "files": {name: [(f.filename, f.mimetype, f.read().decode()) for f in request.files.getlist(name)] for name in request.files},
        }

    return app


@requires("fastapi")
class FastAPIMultipartTests(NoPendingTasks, ASGITestCase):
    def get_app(self):
        return create_fastapi_app()

    async def test_none_filename_fills_form_and_a_file_fills_file(self):
        files = {"note": (None, "hello é"), "upload": ("report.csv", b"a,b\n1,2\n", "text/csv")}
        response = await self.client.post("/upload", files=files)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.json(),
            {"note": "hello é", "filename": "report.csv", "content_type": "text/csv", "sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest(), "extra": None},
        )

    async def test_form_and_files_together(self):
        response = await self.client.post("/upload", form={"note": "from form="}, files={"upload": ("x.bin", b"\x00\x01")})
        self.assertEqual(response.json()["note"], "from form=")
        self.assertEqual(response.json()["content_type"], "application/octet-stream")

    async def test_a_none_filename_part_is_not_a_file(self):
        # FastAPI answers 422 when a File() parameter receives a plain field: the kit must not upgrade it to a file
        response = await self.client.post("/upload", files={"note": (None, "n"), "upload": (None, "not a file")})
        self.assertEqual(response.status_code, 422, response.text)

    async def test_text_fields_only_as_multipart_both_ways(self):
        for arguments in (
            {"files": [("name", (None, "ann")), ("tag", (None, "a")), ("tag", (None, "b"))]},
            {"form": {"name": "ann", "tag": ["a", "b"]}, "files": {}},
        ):
            with self.subTest(arguments=arguments):
                response = await self.client.post("/fields", **arguments)
                self.assertTrue(response.request.headers["content-type"].startswith("multipart/form-data; boundary="))
                self.assertEqual((response.status_code, response.json()), (200, {"name": "ann", "tags": ["a", "b"]}))


@requires("flask")
class FlaskMultipartTests(unittest.TestCase):
    def setUp(self):
        self.client = WSGITestClient(create_flask_app())

    def test_none_filename_lands_in_request_form_and_a_filename_in_request_files(self):
        files = [("note", (None, "hello")), ("note", (None, "again", "text/plain")), ("doc", ("a.txt", b"file body")), ("doc", ("b.json", b"{}"))]
        body = self.client.post("/parts", form={"title": "t"}, files=files).json()
        self.assertEqual(body["content_type"], "multipart/form-data")
        self.assertEqual(body["form"], {"title": ["t"], "note": ["hello", "again"]})
        self.assertEqual(body["files"], {"doc": [["a.txt", "text/plain", "file body"], ["b.json", "application/json", "{}"]]})

    def test_text_fields_only_as_multipart_both_ways(self):
        for arguments in ({"files": {"a": (None, "1"), "b": (None, "2")}}, {"form": {"a": "1", "b": "2"}, "files": {}}):
            with self.subTest(arguments=arguments):
                body = self.client.post("/parts", **arguments).json()
                self.assertEqual(body, {"content_type": "multipart/form-data", "form": {"a": ["1"], "b": ["2"]}, "files": {}})


if __name__ == "__main__":
    unittest.main()
