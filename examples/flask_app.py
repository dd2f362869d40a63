"""A small Flask notes app, to show that WSGITestCase tests a framework app like any WSGI callable.

Importing this module works without Flask; `create_app()` then raises a
RuntimeError that says how to install it. Routes:

    GET  /notes            the notes as a JSON list
    POST /notes            JSON {"text": ...}: 201, the note, Location; 400 without text
    GET  /notes/<id>       one note, or a JSON 404
    POST /notes/<id>/file  multipart upload: the file's name and size
    POST /login            form user=<name>: stores it in Flask's signed session, 302 to /whoami
    GET  /whoami           {"user": <name or null>}
"""

from __future__ import annotations

from typing import Any

try:
    from flask import Flask, abort, jsonify, redirect, request, session, url_for
except ImportError:  # the examples run with a bare interpreter too
    Flask = None  # type: ignore[assignment,misc]

__all__ = ["create_app"]


def create_app() -> Any:
    """Return a new Flask app with no notes."""
    if Flask is None:
        raise RuntimeError("examples.flask_app needs Flask: python -m pip install flask")
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "only-for-tests"
    notes: dict[int, dict[str, Any]] = {}

    @app.errorhandler(404)
    def not_found(error: Any) -> Any:
        return jsonify(error=error.description), 404

    @app.get("/notes")
    def list_notes() -> Any:
        return jsonify(list(notes.values()))

    @app.post("/notes")
    def create_note() -> Any:
        data = request.get_json(silent=True) or {}
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text:
            return jsonify(error="a note needs a non-empty 'text'"), 400
        note = {"id": len(notes) + 1, "text": text}
        notes[note["id"]] = note
        return jsonify(note), 201, {"Location": url_for("get_note", note_id=note["id"])}

    @app.get("/notes/<int:note_id>")
    def get_note(note_id: int) -> Any:
        if note_id not in notes:
            abort(404, description=f"note {note_id} not found")
        return jsonify(notes[note_id])

    @app.post("/notes/<int:note_id>/file")
    def attach_file(note_id: int) -> Any:
        if note_id not in notes:
            abort(404, description=f"note {note_id} not found")
        upload = request.files["file"]
        return jsonify(name=upload.filename, size=len(upload.read()), type=upload.mimetype)

    @app.post("/login")
    def login() -> Any:
        session["user"] = request.form["user"]
        return redirect(url_for("whoami"))

    @app.get("/whoami")
    def whoami() -> Any:
        return jsonify(user=session.get("user"))

    return app
