"""FastAPI tested the way its tutorials test it, through the drop-in `TestClient` (SPEC 12).

With TESTKIT_DROPIN_AGAINST=starlette the same tests run against
`starlette.testclient.TestClient`, which checks that they encode what
Starlette's client really does. Hand-written apps are in tests/test_testclient.py.
"""

from __future__ import annotations

import contextlib
import os
import unittest
import warnings
from typing import List, Optional

from tests.compat._support import requires

try:
    if os.environ.get("TESTKIT_DROPIN_AGAINST") == "starlette":
        from starlette.testclient import TestClient  # to check the tests themselves
    else:
        from asgiwsgi_testkit.testclient import TestClient
except ImportError as exc:  # setUpClass reports it, unless the class is skipped for a missing framework
    TestClient = None
    CLIENT_MISSING: Optional[ImportError] = exc
else:
    CLIENT_MISSING = None

try:
    import fastapi
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    fastapi = None
else:
    # FastAPI resolves the views' string annotations in this module's globals, so every annotation type lives here.
    from fastapi import BackgroundTasks, Cookie, Depends, FastAPI, File, Form, Header, HTTPException, Query, Request
    from fastapi import Response, UploadFile, WebSocket
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.middleware.gzip import GZipMiddleware
    from fastapi.responses import RedirectResponse, StreamingResponse
    from fastapi.security import HTTPBasic, HTTPBasicCredentials
    from pydantic import BaseModel

    class Item(BaseModel):
        name: str
        price: float
        tags: List[str] = []


class StartupFailed(Exception):
    """The lifespan of `create_failing_app` raises this before the app is ready."""


class ViewFailed(Exception):
    """The /boom view raises this."""


def get_settings() -> dict:
    """A dependency the tests override through `app.dependency_overrides`."""
    return {"env": "production"}


def create_app(log: list[str]):
    """A fresh FastAPI app; `log` records the lifespan steps and the background tasks that ran."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        log.append("startup")
        yield {"greeting": "hello from lifespan"}
        log.append("shutdown")

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(GZipMiddleware, minimum_size=100)
    app.add_middleware(CORSMiddleware, allow_origins=["https://example.org"], allow_methods=["GET", "POST"])
    security = HTTPBasic()

    @app.get("/items/{item_id}")
    async def read_item(item_id: int, q: Optional[str] = None):
        return {"item_id": item_id, "q": q}

    @app.get("/tags")
    async def read_tags(tag: List[str] = Query(default=[]), limit: int = 10):
        return {"tags": tag, "limit": limit}

    @app.post("/items/", status_code=201)
    async def create_item(item: Item):
        return {"name": item.name, "price": item.price, "tags": item.tags}

    @app.put("/items/{item_id}")
    async def replace_item(item_id: int, item: Item):
        return {"item_id": item_id, "name": item.name}

    @app.patch("/items/{item_id}")
    async def update_item(item_id: int, changes: dict):
        return {"item_id": item_id, "changed": sorted(changes)}

    @app.delete("/items/{item_id}", status_code=204)
    async def delete_item(item_id: int):
        return Response(status_code=204)

    @app.post("/optional")
    async def optional_body(item: Optional[Item] = None):
        return {"item": None if item is None else item.name}

    @app.post("/login/")
    async def login(username: str = Form(), password: str = Form()):
        return {"username": username, "password_length": len(password)}

    @app.post("/uploadfile/")
    async def upload_file(file: UploadFile, note: str = Form()):
        content = await file.read()
        return {"filename": file.filename, "content_type": file.content_type, "content": content.decode(), "note": note}

    @app.post("/files/")
    async def upload_files(files: List[UploadFile] = File()):
        return {"names": [file.filename for file in files], "sizes": [len(await file.read()) for file in files]}

    @app.get("/headers/")
    async def read_headers(x_token: Optional[str] = Header(default=None), x_tag: Optional[str] = Header(default=None)):
        return {"x_token": x_token, "x_tag": x_tag}

    @app.get("/cookies/")
    async def read_cookies(ads_id: Optional[str] = Cookie(default=None), theme: Optional[str] = Cookie(default=None)):
        return {"ads_id": ads_id, "theme": theme}

    @app.post("/cookies/set")
    async def set_cookies(response: Response):
        response.set_cookie("ads_id", "abc123")
        response.set_cookie("theme", "dark")
        return {"set": 2}

    @app.get("/old")
    async def old():
        return RedirectResponse("/items/1?q=moved")

    @app.get("/users/me")
    async def read_current_user(credentials: HTTPBasicCredentials = Depends(security)):
        return {"username": credentials.username, "password": credentials.password}

    @app.get("/settings")
    async def read_settings(settings: dict = Depends(get_settings)):
        return settings

    @app.get("/state")
    async def read_state(request: Request):
        return {"greeting": request.state.greeting}

    def write_notification(email: str, message: str) -> None:
        log.append(f"notified {email}: {message}")

    @app.post("/send-notification/{email}")
    async def send_notification(email: str, background_tasks: BackgroundTasks):
        background_tasks.add_task(write_notification, email, message="some notification")
        return {"message": "Notification sent in the background"}

    @app.get("/stream")
    async def stream():
        async def lines():
            for number in range(1, 4):
                yield f"line {number}\n"

        return StreamingResponse(lines(), media_type="text/plain")

    @app.get("/large")
    async def large():
        return Response("squeeze me " * 50, media_type="text/plain")

    @app.get("/boom")
    async def boom():
        raise ViewFailed("boom from the view")

    @app.get("/missing")
    async def missing():
        raise HTTPException(status_code=404, detail="Item not found")

    @app.websocket("/ws")
    async def websocket_endpoint(websocket: WebSocket):
        await websocket.accept()
        data = await websocket.receive_text()
        await websocket.send_text(f"Message text was: {data}")
        payload = await websocket.receive_json()
        await websocket.send_json({"echo": payload})
        await websocket.close()

    return app


def create_failing_app():
    """A FastAPI app whose lifespan raises `StartupFailed` during startup."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        raise StartupFailed("database unreachable")
        yield  # pragma: no cover

    app = FastAPI(lifespan=lifespan)

    @app.get("/")
    async def root():
        return {"ok": True}

    return app


@requires("fastapi")
class FastAPITestClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if TestClient is None:
            raise ImportError(f"the TestClient under test does not import: {CLIENT_MISSING}") from CLIENT_MISSING

    def setUp(self):
        self.log: list[str] = []
        self.app = create_app(self.log)
        self.client = TestClient(self.app)
        self.addCleanup(self.client.close)

    # path, query and bodies

    def test_path_param_and_query_param_reach_view(self):
        response = self.client.get("/items/42", params={"q": "shoes"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"item_id": 42, "q": "shoes"})

    def test_params_list_value_repeats_the_name(self):
        response = self.client.get("/tags", params={"tag": ["a", "b"], "limit": 3})
        self.assertEqual(response.json(), {"tags": ["a", "b"], "limit": 3})

    def test_params_value_is_percent_encoded(self):
        response = self.client.get("/items/7", params={"q": "a b&c=d/é"})
        self.assertEqual(response.json(), {"item_id": 7, "q": "a b&c=d/é"})

    def test_post_json_body_gives_201(self):
        response = self.client.post("/items/", json={"name": "Foo", "price": 35.4, "tags": ["x"]})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json(), {"name": "Foo", "price": 35.4, "tags": ["x"]})

    def test_put_patch_and_delete_verbs(self):
        self.assertEqual(self.client.put("/items/3", json={"name": "Bar", "price": 1}).json(), {"item_id": 3, "name": "Bar"})
        self.assertEqual(self.client.patch("/items/3", json={"price": 2, "name": "B"}).json(), {"item_id": 3, "changed": ["name", "price"]})
        deleted = self.client.delete("/items/3")
        self.assertEqual(deleted.status_code, 204)
        self.assertTrue(deleted.is_success)
        self.assertEqual(deleted.content, b"")

    def test_json_none_sends_no_body(self):
        self.assertEqual(self.client.post("/optional", json=None).json(), {"item": None})
        self.assertEqual(self.client.post("/optional", json={"name": "Baz", "price": 1}).json(), {"item": "Baz"})

    def test_data_mapping_is_sent_as_form(self):
        response = self.client.post("/login/", data={"username": "johndoe", "password": "secret"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"username": "johndoe", "password_length": 6})
        self.assertEqual(response.request.headers["content-type"], "application/x-www-form-urlencoded")

    def test_upload_file_with_form_field_in_data(self):
        response = self.client.post(
            "/uploadfile/", files={"file": ("notes.txt", b"hello file", "text/plain")}, data={"note": "from data"}
        )
        self.assertEqual(
            response.json(),
            {"filename": "notes.txt", "content_type": "text/plain", "content": "hello file", "note": "from data"},
        )

    def test_text_field_as_none_tuple_in_files_reaches_form(self):
        response = self.client.post(
            "/uploadfile/", files={"file": ("a.csv", b"x,y\n1,2\n", "text/csv"), "note": (None, "text field")}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["note"], "text field")
        self.assertEqual(response.json()["content_type"], "text/csv")

    def test_several_files_under_one_name(self):
        files = [("files", ("a.txt", b"a")), ("files", ("b.txt", b"bbb"))]
        response = self.client.post("/files/", files=files)
        self.assertEqual(response.json(), {"names": ["a.txt", "b.txt"], "sizes": [1, 3]})

    # headers and cookies

    def test_headers_per_request_reach_view(self):
        response = self.client.get("/headers/", headers={"X-Token": "coneofsilence"})
        self.assertEqual(response.json(), {"x_token": "coneofsilence", "x_tag": None})

    def test_client_headers_from_constructor_and_mutation_apply_to_later_requests(self):
        client = TestClient(self.app, headers={"X-Token": "from-constructor"})
        self.addCleanup(client.close)
        self.assertEqual(client.get("/headers/").json()["x_token"], "from-constructor")
        client.headers["X-Token"] = "changed"
        client.headers["X-Tag"] = "added"
        self.assertEqual(client.get("/headers/").json(), {"x_token": "changed", "x_tag": "added"})
        self.assertEqual(client.get("/headers/", headers={"X-Tag": "per-request"}).json()["x_tag"], "per-request")

    def test_cookies_per_request_reach_view(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # httpx deprecates per-request cookies=
            response = self.client.get("/cookies/", cookies={"ads_id": "per-request"})
        self.assertEqual(response.json(), {"ads_id": "per-request", "theme": None})

    def test_client_cookies_set_then_sent_and_read(self):
        self.client.cookies["ads_id"] = "from-jar"
        self.assertEqual(self.client.cookies.get("ads_id"), "from-jar")
        self.assertEqual(self.client.get("/cookies/").json(), {"ads_id": "from-jar", "theme": None})

    def test_cookies_at_construction_are_sent(self):
        client = TestClient(self.app, cookies={"theme": "light"})
        self.addCleanup(client.close)
        self.assertEqual(client.get("/cookies/").json(), {"ads_id": None, "theme": "light"})

    def test_response_cookies_are_kept_by_client(self):
        response = self.client.post("/cookies/set")
        self.assertEqual(response.cookies["ads_id"], "abc123")
        self.assertEqual(response.cookies.get("theme"), "dark")
        self.assertEqual(self.client.cookies.get("theme"), "dark")
        self.assertEqual(self.client.get("/cookies/").json(), {"ads_id": "abc123", "theme": "dark"})

    def test_two_set_cookie_headers_read_joined(self):
        response = self.client.post("/cookies/set")
        self.assertEqual(
            response.headers["set-cookie"],
            "ads_id=abc123; Path=/; SameSite=lax, theme=dark; Path=/; SameSite=lax",
        )

    # redirects

    def test_redirect_followed_by_default(self):
        response = self.client.get("/old")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"item_id": 1, "q": "moved"})
        self.assertFalse(response.is_redirect)
        self.assertEqual(response.url.path, "/items/1")
        self.assertEqual(str(response.url), "http://testserver/items/1?q=moved")
        self.assertEqual([hop.status_code for hop in response.history], [307])
        self.assertEqual(response.history[0].url.path, "/old")

    def test_follow_redirects_false_returns_the_redirect(self):
        response = self.client.get("/old", follow_redirects=False)
        self.assertEqual(response.status_code, 307)
        self.assertTrue(response.is_redirect)
        self.assertEqual(response.headers["location"], "/items/1?q=moved")
        self.assertEqual(response.history, [])

    # security, dependencies

    def test_basic_auth_reaches_http_basic(self):
        response = self.client.get("/users/me", auth=("stanleyjobson", "swordfish"))
        self.assertEqual(response.json(), {"username": "stanleyjobson", "password": "swordfish"})
        self.assertEqual(response.request.headers["authorization"], "Basic c3RhbmxleWpvYnNvbjpzd29yZGZpc2g=")

    def test_missing_basic_auth_gives_401_with_challenge(self):
        response = self.client.get("/users/me")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.headers["www-authenticate"], "Basic")

    def test_dependency_override_replaces_dependency(self):
        self.assertEqual(self.client.get("/settings").json(), {"env": "production"})
        self.app.dependency_overrides[get_settings] = lambda: {"env": "testing"}
        self.addCleanup(self.app.dependency_overrides.clear)
        self.assertEqual(self.client.get("/settings").json(), {"env": "testing"})

    # lifespan, background tasks

    def test_lifespan_runs_only_inside_with(self):
        self.client.get("/items/1")
        self.assertEqual(self.log, [])
        with TestClient(self.app) as client:
            self.assertEqual(self.log, ["startup"])
            self.assertEqual(client.get("/items/1").status_code, 200)
        self.assertEqual(self.log, ["startup", "shutdown"])

    def test_lifespan_state_visible_in_requests(self):
        with TestClient(self.app) as client:
            response = client.get("/state")
        self.assertEqual(response.json(), {"greeting": "hello from lifespan"})

    def test_startup_exception_propagates_out_of_with(self):
        entered = []
        with self.assertRaises(StartupFailed) as caught:
            with TestClient(create_failing_app()):
                entered.append(True)
        self.assertEqual(str(caught.exception), "database unreachable")
        self.assertEqual(entered, [])

    def test_background_task_has_run_when_call_returns(self):
        response = self.client.post("/send-notification/foo@example.com")
        self.assertEqual(response.json(), {"message": "Notification sent in the background"})
        self.assertEqual(self.log, ["notified foo@example.com: some notification"])

    # streams and encodings

    def test_stream_iter_lines(self):
        with self.client.stream("GET", "/stream") as response:
            self.assertEqual(response.status_code, 200)
            lines = list(response.iter_lines())
        self.assertEqual(lines, ["line 1", "line 2", "line 3"])

    def test_gzip_middleware_response_is_decoded(self):
        response = self.client.get("/large", headers={"accept-encoding": "gzip"})
        self.assertEqual(response.headers["content-encoding"], "gzip")
        self.assertEqual(response.text, "squeeze me " * 50)
        self.assertEqual(response.content, b"squeeze me " * 50)

    def test_cors_preflight_options(self):
        response = self.client.options(
            "/items/1", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["access-control-allow-origin"], "https://example.org")
        self.assertIn("GET", response.headers["access-control-allow-methods"])

    # WebSockets

    def test_websocket_text_and_json(self):
        with self.client.websocket_connect("/ws") as websocket:
            websocket.send_text("hello")
            self.assertEqual(websocket.receive_text(), "Message text was: hello")
            websocket.send_json({"n": 1})
            self.assertEqual(websocket.receive_json(), {"echo": {"n": 1}})

    # errors and the response

    def test_view_exception_propagates_by_default(self):
        with self.assertRaises(ViewFailed):
            self.client.get("/boom")

    def test_view_exception_gives_500_without_raise_server_exceptions(self):
        client = TestClient(self.app, raise_server_exceptions=False)
        self.addCleanup(client.close)
        response = client.get("/boom")
        self.assertEqual(response.status_code, 500)
        self.assertFalse(response.is_success)
        self.assertEqual(response.text, "Internal Server Error")

    def test_http_exception_404_and_raise_for_status(self):
        response = self.client.get("/missing")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.reason_phrase, "Not Found")
        self.assertEqual(response.json(), {"detail": "Item not found"})
        self.assertFalse(response.is_success)
        with self.assertRaises(Exception):
            response.raise_for_status()


if __name__ == "__main__":
    unittest.main()
