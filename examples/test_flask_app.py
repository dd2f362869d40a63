"""Tests for the Flask notes app in examples/flask_app.py (skipped when Flask is not installed)."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import WSGITestCase
from examples.flask_app import create_app

try:
    import flask
except ImportError:
    flask = None


class FlaskAppImportTests(unittest.TestCase):
    @unittest.skipIf(flask is not None, "Flask is installed: create_app() works")
    def test_create_app_without_flask_says_how_to_install_it(self):
        with self.assertRaisesRegex(RuntimeError, r"^examples\.flask_app needs Flask: python -m pip install flask$"):
            create_app()


@unittest.skipUnless(flask is not None, "Flask is not installed (python -m pip install flask)")
class FlaskNotesTests(WSGITestCase):
    def get_app(self):
        return create_app()  # a fresh app, so each test starts with no notes

    def test_list_is_empty_for_a_new_app(self):
        self.assertJSON(self.client.get("/notes"), [])

    def test_create_returns_201_with_note_and_location(self):
        response = self.client.post("/notes", json={"text": "buy milk"})
        self.assertStatus(response, 201)
        self.assertJSON(response, {"id": 1, "text": "buy milk"})
        self.assertHeader(response, "Location", "/notes/1")

    def test_create_without_text_returns_400(self):
        response = self.client.post("/notes", json={})
        self.assertStatus(response, 400)
        self.assertJSON(response, {"error": "a note needs a non-empty 'text'"})

    def test_get_missing_note_returns_404_json(self):
        response = self.client.get("/notes/9")
        self.assertStatus(response, 404)
        self.assertJSON(response, {"error": "note 9 not found"})

    def test_patch_on_notes_returns_405_with_allow(self):
        response = self.client.patch("/notes")
        self.assertStatus(response, 405)
        self.assertEqual(sorted(response.headers["allow"].split(", ")), ["GET", "HEAD", "OPTIONS", "POST"])

    def test_upload_reads_the_file_from_multipart(self):
        self.client.post("/notes", json={"text": "with a file"})
        response = self.client.post("/notes/1/file", files={"file": ("report.csv", b"a,b\n1,2\n", "text/csv")})
        self.assertJSON(response, {"name": "report.csv", "size": 8, "type": "text/csv"})

    def test_login_sets_session_cookie_and_redirects(self):
        response = self.client.post("/login", form={"user": "ada"})
        self.assertRedirects(response, "/whoami", status_code=302)
        self.assertCookie(response, "session")

    def test_session_cookie_is_sent_on_the_next_request(self):
        response = self.client.post("/login", form={"user": "ada"}, follow_redirects=True)
        self.assertJSON(response, {"user": "ada"})
        self.assertEqual([r.status_code for r in response.history], [302])


@unittest.skipUnless(flask is not None, "Flask is not installed (python -m pip install flask)")
class MountedFlaskTests(WSGITestCase):
    client_options = {"base_url": "http://testserver/app"}  # the path becomes SCRIPT_NAME

    def get_app(self):
        return create_app()

    def test_location_includes_script_name(self):
        response = self.client.post("/notes", json={"text": "mounted"})
        self.assertHeader(response, "Location", "/app/notes/1")
        self.assertEqual(response.request.url, "http://testserver/app/notes")
