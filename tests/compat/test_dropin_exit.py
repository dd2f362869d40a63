"""A module-level drop-in TestClient that nobody closes (FastAPI's documented habit) lets the interpreter exit.

FastAPI runs a sync endpoint in an anyio worker thread, which anyio stops only
when the task that started it ends; the kit ends its clients' driver tasks at
exit, before threads are joined, so the script exits at once and quietly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unittest

from tests.compat._support import requires

SCRIPT = """
from fastapi import FastAPI
from asgiwsgi_testkit.testclient import TestClient

app = FastAPI()

@app.get("/")
def read_root():  # a sync endpoint: anyio runs it in a worker thread
    return {"Hello": "World"}

client = TestClient(app)
assert client.get("/").json() == {"Hello": "World"}
print("done")
"""


@requires("fastapi")
class UnclosedClientExitTests(unittest.TestCase):
    def test_the_script_exits_promptly_without_leftovers(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        done = subprocess.run([sys.executable, "-X", "dev", "-c", SCRIPT], capture_output=True, text=True, timeout=20, cwd=root)
        self.assertEqual((done.returncode, done.stdout.strip()), (0, "done"), done.stderr)
        for leftover in ("Task was destroyed", "never retrieved", "ResourceWarning", "Traceback"):
            self.assertNotIn(leftover, done.stderr)


if __name__ == "__main__":
    unittest.main()
