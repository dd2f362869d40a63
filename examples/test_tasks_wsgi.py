"""Tests for the hand-written WSGI tasks app in examples/tasks_wsgi.py."""

from __future__ import annotations

from asgiwsgi_testkit import WSGITestCase, WSGITestClient
from examples.tasks_wsgi import create_app


class TasksTests(WSGITestCase):
    def get_app(self):
        return create_app()  # called once per test: every test starts with no tasks

    def create(self, title="write docs", **kwargs):
        response = self.client.post("/tasks", json={"title": title, **kwargs})
        self.assertStatus(response, 201)
        return response.json()

    # -- listing -----------------------------------------------------------------

    def test_list_is_empty_for_a_new_app(self):
        self.assertJSON(self.client.get("/tasks"), [])

    def test_list_shows_created_tasks_in_order(self):
        first = self.create("one")
        second = self.create("two")
        self.assertJSON(self.client.get("/tasks"), [first, second])

    def test_list_filters_by_done_query(self):
        self.create("open")
        closed = self.create("closed", done=True)
        self.assertJSON(self.client.get("/tasks", query={"done": "true"}), [closed])
        self.assertJSON(self.client.get("/tasks?done=false"), [{"id": 1, "title": "open", "done": False, "owner": None}])

    def test_head_on_tasks_returns_headers_without_body(self):
        self.create()
        response = self.client.head("/tasks")
        self.assertStatus(response, 200)
        self.assertContentType(response, "application/json")
        self.assertNotEqual(response.headers["content-length"], "0")
        self.assertEqual(response.body, b"")

    # -- creating ----------------------------------------------------------------

    def test_create_returns_201_with_task_and_location(self):
        response = self.client.post("/tasks", json={"title": "write docs"})
        self.assertStatus(response, 201)
        self.assertJSON(response, {"id": 1, "title": "write docs", "done": False, "owner": None})
        self.assertHeader(response, "Location", "/tasks/1")

    def test_create_accepts_a_form(self):
        response = self.client.post("/tasks", form={"title": "from a form"})
        self.assertStatus(response, 201)
        self.assertEqual(response.json()["title"], "from a form")

    def test_create_accepts_a_streamed_body(self):
        chunks = (part for part in [b'{"title": ', b'"streamed"}'])
        response = self.client.post("/tasks", body=chunks, headers={"Content-Type": "application/json"})
        self.assertStatus(response, 201)
        self.assertEqual(response.json()["title"], "streamed")
        self.assertIsNone(response.request.body)

    def test_create_without_title_returns_400_json_error(self):
        response = self.client.post("/tasks", json={"done": True})
        self.assertStatus(response, 400)
        self.assertJSON(response, {"error": "a task needs a non-empty 'title'"})
        self.assertEqual(response.errors, "rejected a task without a title\n")

    def test_create_with_invalid_json_returns_400(self):
        response = self.client.post("/tasks", body=b"{not json", headers={"Content-Type": "application/json"})
        self.assertStatus(response, 400)
        self.assertRegex(self.assertJSON(response)["error"], r"^body is not JSON: ")

    def test_create_with_plain_text_returns_415(self):
        response = self.client.post("/tasks", body="title=x", headers={"Content-Type": "text/plain"})
        self.assertStatus(response, 415)
        self.assertJSON(response, {"error": "send JSON or a form, not 'text/plain'"})

    def test_created_task_location_includes_script_name_under_base_url(self):
        client = WSGITestClient(create_app(), base_url="http://testserver/api")
        response = client.post("/tasks", json={"title": "mounted"})
        self.assertHeader(response, "Location", "/api/tasks/1")
        self.assertEqual(response.request.url, "http://testserver/api/tasks")
        self.assertJSON(client.get("http://testserver" + response.headers["location"]), response.json())

    # -- one task ----------------------------------------------------------------

    def test_get_returns_the_task(self):
        task = self.create()
        self.assertJSON(self.client.get(f"/tasks/{task['id']}"), task)

    def test_get_missing_task_returns_404_json(self):
        response = self.client.get("/tasks/7")
        self.assertStatus(response, 404)
        self.assertJSON(response, {"error": "task 7 not found"})

    def test_delete_returns_204_and_removes_the_task(self):
        task = self.create()
        response = self.client.delete(f"/tasks/{task['id']}")
        self.assertStatus(response, 204)
        self.assertEqual(response.body, b"")
        self.assertNoHeader(response, "Content-Type")
        self.assertStatus(self.client.get(f"/tasks/{task['id']}"), 404)

    def test_delete_missing_task_returns_404(self):
        self.assertStatus(self.client.delete("/tasks/3"), 404)

    # -- method and path errors --------------------------------------------------

    def test_patch_on_tasks_returns_405_with_allow(self):
        response = self.client.patch("/tasks", json={"title": "x"})
        self.assertStatus(response, 405)
        self.assertHeader(response, "Allow", "GET, HEAD, POST")
        self.assertJSON(response, {"error": "PATCH is not allowed on /tasks"})

    def test_put_on_one_task_returns_405_with_allow(self):
        task = self.create()
        response = self.client.put(f"/tasks/{task['id']}", json={"title": "y"})
        self.assertStatus(response, 405)
        self.assertHeader(response, "Allow", "GET, HEAD, DELETE")

    def test_unknown_path_returns_404(self):
        response = self.client.get("/nothing/here")
        self.assertStatus(response, 404)
        self.assertJSON(response, {"error": "no route for /nothing/here"})

    # -- redirects and cookies ---------------------------------------------------

    def test_root_redirects_to_tasks(self):
        self.assertRedirects(self.client.get("/"), "/tasks", status_code=302)

    def test_root_redirect_is_followed_when_asked(self):
        response = self.client.get("/", follow_redirects=True)
        self.assertStatus(response, 200)
        self.assertEqual([r.status_code for r in response.history], [302])
        self.assertEqual(response.request.url, "http://testserver/tasks")

    def test_session_sets_user_cookie_and_redirects_with_303(self):
        response = self.client.post("/session", form={"user": "ada"})
        self.assertRedirects(response, "/tasks", status_code=303)
        self.assertCookie(response, "user", "ada")
        self.assertEqual(self.client.cookies["user"], "ada")

    def test_session_rejects_user_with_punctuation(self):
        response = self.client.post("/session", form={"user": "ada; admin=1"})
        self.assertStatus(response, 400)
        self.assertEqual(response.cookies, {})

    def test_task_created_after_login_records_owner(self):
        self.client.post("/session", form={"user": "ada"})
        self.assertEqual(self.create()["owner"], "ada")

    def test_cookie_given_per_request_is_sent_once(self):
        with_cookie = self.client.post("/tasks", json={"title": "a"}, cookies={"user": "bob"})
        without = self.client.post("/tasks", json={"title": "b"})
        self.assertEqual(with_cookie.json()["owner"], "bob")
        self.assertIsNone(without.json()["owner"])

    # -- streaming ----------------------------------------------------------------

    def test_export_streams_one_json_line_per_task(self):
        self.create("one")
        self.create("two")
        with self.client.stream("GET", "/tasks/export") as response:
            self.assertStatus(response, 200)
            self.assertContentType(response, "application/x-ndjson")
            lines = list(response.iter_lines())
        self.assertEqual(len(lines), 2)
        self.assertIn('"title": "two"', lines[1])


class FreshStateTests(WSGITestCase):
    def get_app(self):
        return create_app()

    def test_create_app_returns_apps_that_share_nothing(self):
        other = WSGITestClient(create_app())
        other.post("/tasks", json={"title": "only in the other app"})
        self.assertJSON(self.client.get("/tasks"), [])
        self.assertEqual(len(other.get("/tasks").json()), 1)
