"""Tests for the hand-written ASGI tasks app in examples/tasks_asgi.py, as an ASGITestCase."""

from __future__ import annotations

import asyncio
import unittest

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, call_asgi, make_scope
from examples.tasks_asgi import TaskStore, create_app


class TasksTests(ASGITestCase):
    def get_app(self):
        return create_app()  # called once per test; lifespan startup then opens a fresh store

    async def asyncSetUp(self):
        self.addAsyncCleanup(self.assert_no_task_pending)  # registered first, so it runs after the lifespan shutdown
        await super().asyncSetUp()

    async def assert_no_task_pending(self):
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def create(self, title="write docs", **fields):
        response = await self.client.post("/tasks", json={"title": title, **fields})
        self.assertStatus(response, 201)
        return response.json()

    # -- listing -----------------------------------------------------------------

    async def test_list_is_empty_after_startup(self):
        self.assertJSON(await self.client.get("/tasks"), [])

    async def test_list_shows_created_tasks_in_order(self):
        first = await self.create("one")
        second = await self.create("two")
        self.assertJSON(await self.client.get("/tasks"), [first, second])

    async def test_list_filters_by_done_query(self):
        await self.create("open")
        closed = await self.create("closed", done=True)
        self.assertJSON(await self.client.get("/tasks", query={"done": "true"}), [closed])
        self.assertJSON(await self.client.get("/tasks?done=false"), [{"id": 1, "title": "open", "done": False}])

    async def test_head_on_tasks_returns_headers_without_body(self):
        await self.create()
        response = await self.client.head("/tasks")
        self.assertStatus(response, 200)
        self.assertContentType(response, "application/json")
        self.assertNotEqual(response.headers["content-length"], "0")
        self.assertEqual(response.body, b"")

    # -- creating ----------------------------------------------------------------

    async def test_create_returns_201_with_task_and_location(self):
        response = await self.client.post("/tasks", json={"title": "write docs"})
        self.assertStatus(response, 201)
        self.assertJSON(response, {"id": 1, "title": "write docs", "done": False})
        self.assertHeader(response, "Location", "/tasks/1")
        self.assertJSON(await self.client.get("/tasks/1"), response.json())

    async def test_create_accepts_a_streamed_body(self):
        async def chunks():
            yield b'{"title": '
            yield b'"streamed"}'

        response = await self.client.post("/tasks", body=chunks(), headers={"Content-Type": "application/json"})
        self.assertStatus(response, 201)
        self.assertEqual(response.json()["title"], "streamed")
        self.assertIsNone(response.request.body)

    async def test_create_without_json_content_type_returns_415(self):
        response = await self.client.post("/tasks", form={"title": "from a form"})
        self.assertStatus(response, 415)
        self.assertJSON(response, {"error": "send JSON (content-type: application/json), not 'application/x-www-form-urlencoded'"})
        self.assertJSON(await self.client.get("/tasks"), [])

    async def test_create_without_any_content_type_returns_415(self):
        response = await self.client.post("/tasks", body=b'{"title": "x"}')
        self.assertStatus(response, 415)
        self.assertJSON(response, {"error": "send JSON (content-type: application/json), not 'no content type'"})

    async def test_create_with_invalid_json_returns_400(self):
        response = await self.client.post("/tasks", body=b"{not json", headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertStatus(response, 400)
        self.assertRegex(self.assertJSON(response)["error"], r"^body is not JSON: ")

    async def test_create_without_title_returns_400(self):
        response = await self.client.post("/tasks", json={"done": True})
        self.assertStatus(response, 400)
        self.assertJSON(response, {"error": "a task needs a non-empty 'title'"})

    async def test_location_includes_root_path_under_base_url(self):
        client = ASGITestClient(create_app(), base_url="http://testserver/api")
        async with client:
            response = await client.post("/tasks", json={"title": "mounted"})
            self.assertHeader(response, "Location", "/api/tasks/1")
            self.assertEqual(response.request.url, "http://testserver/api/tasks")
            self.assertJSON(await client.get("http://testserver" + response.headers["location"]), response.json())

    # -- one task ----------------------------------------------------------------

    async def test_get_missing_task_returns_404_json(self):
        response = await self.client.get("/tasks/7")
        self.assertStatus(response, 404)
        self.assertJSON(response, {"error": "task 7 not found"})

    async def test_patch_updates_title_and_done(self):
        task = await self.create("draft")
        response = await self.client.patch(f"/tasks/{task['id']}", json={"title": "final", "done": True})
        self.assertStatus(response, 200)
        self.assertJSON(response, {"id": task["id"], "title": "final", "done": True})
        self.assertJSON(await self.client.get(f"/tasks/{task['id']}"), response.json())

    async def test_patch_with_only_done_keeps_title(self):
        task = await self.create("keep me")
        response = await self.client.patch(f"/tasks/{task['id']}", json={"done": True})
        self.assertJSON(response, {"id": task["id"], "title": "keep me", "done": True})

    async def test_patch_without_json_content_type_returns_415(self):
        task = await self.create()
        response = await self.client.patch(f"/tasks/{task['id']}", body="done=true", headers={"Content-Type": "text/plain"})
        self.assertStatus(response, 415)
        self.assertJSON(await self.client.get(f"/tasks/{task['id']}"), task)

    async def test_patch_with_non_bool_done_returns_400(self):
        task = await self.create()
        response = await self.client.patch(f"/tasks/{task['id']}", json={"done": "yes"})
        self.assertStatus(response, 400)
        self.assertJSON(response, {"error": "'done' must be true or false"})

    async def test_patch_missing_task_returns_404(self):
        response = await self.client.patch("/tasks/5", json={"done": True})
        self.assertStatus(response, 404)
        self.assertJSON(response, {"error": "task 5 not found"})

    async def test_delete_returns_204_and_removes_the_task(self):
        task = await self.create()
        response = await self.client.delete(f"/tasks/{task['id']}")
        self.assertStatus(response, 204)
        self.assertEqual(response.body, b"")
        self.assertNoHeader(response, "Content-Type")
        self.assertStatus(await self.client.get(f"/tasks/{task['id']}"), 404)

    async def test_delete_missing_task_returns_404(self):
        self.assertStatus(await self.client.delete("/tasks/3"), 404)

    # -- method and path errors --------------------------------------------------

    async def test_put_on_tasks_returns_405_with_allow(self):
        response = await self.client.put("/tasks", json={"title": "x"})
        self.assertStatus(response, 405)
        self.assertHeader(response, "Allow", "GET, HEAD, POST")
        self.assertJSON(response, {"error": "PUT is not allowed on /tasks"})

    async def test_post_on_one_task_returns_405_with_allow(self):
        task = await self.create()
        response = await self.client.post(f"/tasks/{task['id']}", json={"title": "y"})
        self.assertStatus(response, 405)
        self.assertHeader(response, "Allow", "GET, HEAD, PATCH, DELETE")

    async def test_unknown_path_returns_404(self):
        response = await self.client.get("/nothing/here")
        self.assertStatus(response, 404)
        self.assertJSON(response, {"error": "no route for /nothing/here"})

    # -- lifespan ----------------------------------------------------------------

    async def test_startup_puts_an_open_store_in_the_state(self):
        store = self.client.state["store"]
        self.assertIsInstance(store, TaskStore)
        self.assertFalse(store.closed)
        await self.create()
        self.assertEqual(list(store.tasks), [1])

    async def test_shutdown_closes_the_store(self):
        store = self.client.state["store"]
        await self.client.shutdown()
        self.assertTrue(store.closed)

    async def test_concurrent_requests_share_the_store(self):
        created = await asyncio.gather(*(self.client.post("/tasks", json={"title": f"t{n}"}) for n in range(3)))
        self.assertEqual(sorted(response.json()["id"] for response in created), [1, 2, 3])
        self.assertEqual(len(self.assertJSON(await self.client.get("/tasks"))), 3)


class StoreLifecycleTests(ASGITestCase):
    app = create_app()  # a plain function: never bound as a method
    client_options = {"lifespan": "off"}

    async def test_request_without_startup_returns_503(self):
        response = await self.client.get("/tasks")
        self.assertStatus(response, 503)
        self.assertJSON(response, {"error": "no task store: lifespan startup did not run"})
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_request_with_a_closed_store_returns_503(self):
        store = TaskStore()
        store.closed = True
        response = await call_asgi(create_app(), make_scope("GET", "/tasks", state={"store": store}))
        self.assertStatus(response, 503)
        self.assertJSON(response, {"error": "the task store is closed: lifespan shutdown ran"})
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

    async def test_request_after_shutdown_runs_startup_again_with_a_new_store(self):
        client = ASGITestClient(create_app())
        async with client:
            await client.post("/tasks", json={"title": "before"})
            first_store = client.state["store"]
        self.assertTrue(first_store.closed)
        self.assertJSON(await client.get("/tasks"), [])  # startup ran again: a new, empty store
        second_store = client.state["store"]
        await client.shutdown()
        self.assertIsNot(second_store, first_store)
        self.assertTrue(second_store.closed)
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())

if __name__ == "__main__":
    unittest.main()
