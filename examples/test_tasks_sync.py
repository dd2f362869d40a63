"""The ASGI tasks app (examples/tasks_asgi.py) tested from synchronous code: SyncASGITestClient in a plain TestCase.

No `async def` anywhere: each verb returns the response, `with` runs the
app's lifespan, and the app runs on the client's own event loop, in this
thread, so the store it opened at startup is the same one every request uses.
"""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import ResponseAssertions, SyncASGITestClient, TestkitError
from examples.tasks_asgi import create_app


class SyncTasksTests(ResponseAssertions, unittest.TestCase):
    def setUp(self):
        self.client = SyncASGITestClient(create_app())
        self.client.startup()  # lifespan: opens the store
        self.addCleanup(self.client.close)  # lifespan shutdown, then the loop is closed

    def test_create_then_list(self):
        created = self.client.post("/tasks", json={"title": "write docs"})
        self.assertStatus(created, 201)
        self.assertHeader(created, "location", "/tasks/1")
        self.assertJSON(self.client.get("/tasks"), [created.json()])

    def test_patch_and_delete(self):
        self.client.post("/tasks", json={"title": "t"})
        self.assertJSON(self.client.patch("/tasks/1", json={"done": True}), {"id": 1, "title": "t", "done": True})
        self.assertStatus(self.client.delete("/tasks/1"), 204)
        self.assertStatus(self.client.get("/tasks/1"), 404)

    def test_with_block_runs_startup_and_shutdown(self):
        with SyncASGITestClient(create_app()) as client:
            self.assertStatus(client.get("/tasks"), 200)
        with self.assertRaisesRegex(TestkitError, "closed"):
            client.get("/tasks")


if __name__ == "__main__":
    unittest.main()
