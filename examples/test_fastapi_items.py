"""FastAPI tutorial-style tests on the kit: the only change from FastAPI's docs is the TestClient import line.

    from fastapi.testclient import TestClient          # before
    from asgiwsgi_testkit.testclient import TestClient # after

Skipped when FastAPI is not installed (the `frameworks` tox environment has it).
"""

from __future__ import annotations

import unittest

from examples.fastapi_items import create_app

try:
    import fastapi
    import multipart  # noqa: F401  (python-multipart, for Form and File)
except ImportError:
    fastapi = None

from asgiwsgi_testkit.testclient import TestClient


@unittest.skipUnless(fastapi is not None, "FastAPI is not installed (python -m pip install fastapi python-multipart)")
class FastAPITutorialTests(unittest.TestCase):
    def setUp(self):
        self.app = create_app()

    def test_read_item(self):
        with TestClient(self.app) as client:
            response = client.get("/items/foo", headers={"X-Token": "coneofsilence"})
            assert response.status_code == 200
            assert response.json() == {"name": "Foo", "price": 50.2}

    def test_read_item_bad_token(self):
        with TestClient(self.app) as client:
            response = client.get("/items/foo", headers={"X-Token": "hailhydra"})
            assert response.status_code == 400
            assert response.json() == {"detail": "X-Token header invalid"}

    def test_create_existing_item(self):
        with TestClient(self.app) as client:
            response = client.post("/items/", headers={"X-Token": "coneofsilence"}, json={"id": "foo", "name": "Foo"})
            assert response.status_code == 409

    def test_form_and_file(self):
        client = TestClient(self.app)
        response = client.post("/files/", data={"token": "abc"}, files={"note": (None, "text only"), "file": ("a.txt", b"12345")})
        assert response.json() == {"token": "abc", "note": "text only", "filename": "a.txt", "size": 5}

    def test_streamed_csv(self):
        with TestClient(self.app) as client:
            with client.stream("GET", "/report.csv") as response:
                assert list(response.iter_lines()) == ["name,price", "Foo,50.2"]

    def test_background_task_ran_when_the_call_returned(self):
        client = TestClient(self.app)
        assert client.post("/notify/ada@example.com").status_code == 200
        assert self.app.state.sent == ["ada@example.com"]

    def test_websocket(self):
        client = TestClient(self.app)
        with client.websocket_connect("/ws") as websocket:
            websocket.send_json({"msg": "Hello WebSocket"})
            assert websocket.receive_json() == {"echo": {"msg": "Hello WebSocket"}}


if __name__ == "__main__":
    unittest.main()
