"""What `import asgiwsgi_testkit` costs, and whether a WSGI-only test program pulls in asyncio.

    cd /work/main && /tmp/anchors/bin/python benchmarks/bench_import.py [--runs 21]

Three measurements, each in fresh interpreters of the running Python:

1. wall time of `python -c "import asgiwsgi_testkit"` minus `python -c "pass"`,
   the two run alternately, median of each (target: at most 15 ms);
2. `python -X importtime -c "import asgiwsgi_testkit"`: the cumulative time the
   interpreter reports for the package, median, and the modules that cost most;
3. a program that uses only the WSGI side (WSGITestClient, WSGITestCase, a
   test run by unittest) and reports whether `asyncio` got imported (it must not);
4. `import asgiwsgi_testkit` leaves `asyncio` out until an ASGI name is used
   (`asgiwsgi_testkit.ASGITestClient`), and what that first use costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Tuple

from _timing import ROOT, environment_line, markdown_table, use_checkout

use_checkout()

TARGET_MS = 15.0

WSGI_ONLY_PROGRAM = r'''
import io, json, sys, unittest
from asgiwsgi_testkit import WSGITestCase, WSGITestClient

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"ok":true}']

client = WSGITestClient(app)
assert client.get("/").json() == {"ok": True}
with client.stream("GET", "/") as response:
    assert b"".join(response.iter_bytes()) == b'{"ok":true}'

class Tests(WSGITestCase):
    app = app
    def test_ok(self):
        self.assertJSON(self.client.get("/"), {"ok": True})

result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(unittest.defaultTestLoader.loadTestsFromTestCase(Tests))
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"asyncio", "concurrent", "threading", "email", "http", "unittest", "json", "dataclasses"})
print(json.dumps({"tests_ok": result.wasSuccessful(), "ran": result.testsRun, "asyncio": "asyncio" in sys.modules, "loaded": loaded}))
'''


ASGI_ON_DEMAND_PROGRAM = r'''
import json, sys, time
import asgiwsgi_testkit
after_import = "asyncio" in sys.modules
start = time.perf_counter()
asgiwsgi_testkit.ASGITestClient
elapsed = time.perf_counter() - start
print(json.dumps({"after_import": after_import, "after_asgi_name": "asyncio" in sys.modules, "seconds": elapsed}))
'''

# The same first use, split: asyncio imported first, then the kit's own ASGI modules.
ASGI_SPLIT_PROGRAM = r'''
import json, time
import asgiwsgi_testkit
start = time.perf_counter()
import asyncio
middle = time.perf_counter()
asgiwsgi_testkit.ASGITestClient
end = time.perf_counter()
print(json.dumps({"asyncio": middle - start, "kit": end - middle}))
'''


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure imports from .pyc caches, as users get them
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def _run(args: List[str]) -> Tuple[float, str]:
    """(wall seconds, stderr) of one fresh interpreter run in the checkout."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{sys.executable} {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stderr


def wall_times(runs: int) -> Tuple[List[float], List[float]]:
    """Alternating runs of the bare interpreter and the import: (bare seconds, import seconds)."""
    _run(["-c", "import asgiwsgi_testkit"])  # write the .pyc files once
    bare: List[float] = []
    kit: List[float] = []
    for index in range(runs):
        order = [("pass", bare), ("import asgiwsgi_testkit", kit)]
        if index % 2:
            order.reverse()
        for code, into in order:
            into.append(_run(["-c", code])[0])
    return bare, kit


def parse_importtime(stderr: str) -> List[Tuple[str, int, int]]:
    """(module as printed, self µs, cumulative µs) for each `import time:` line."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
        rows.append((name.rstrip(), int(self_us), int(cumulative_us)))
    return rows


def _kit_block(rows: List[Tuple[str, int, int]]) -> List[Tuple[str, int, int]]:
    """The rows the package's own import produced (a child is printed before its parent)."""
    end = max(i for i, (name, _, _) in enumerate(rows) if name == " asgiwsgi_testkit")
    start = end
    while start > 0 and rows[start - 1][0].startswith("  "):  # deeper than top level: still inside
        start -= 1
    return rows[start : end + 1]


def importtime(runs: int) -> Tuple[List[int], List[Tuple[str, int, int]]]:
    """Cumulative µs of the package in each run, and the rows of the median run."""
    totals = []
    all_rows = []
    for _ in range(runs):
        rows = parse_importtime(_run(["-X", "importtime", "-c", "import asgiwsgi_testkit"])[1])
        top = [cumulative for name, _, cumulative in rows if name == " asgiwsgi_testkit"]
        if not top:
            raise SystemExit("-X importtime printed no line for asgiwsgi_testkit")
        totals.append(top[-1])
        all_rows.append(_kit_block(rows))
    median_run = sorted(range(runs), key=lambda i: totals[i])[runs // 2]
    return totals, all_rows[median_run]


def wsgi_only() -> Dict[str, object]:
    done = subprocess.run([sys.executable, "-c", WSGI_ONLY_PROGRAM], cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the WSGI-only program failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def asgi_on_demand(runs: int) -> Dict[str, object]:
    """Fresh interpreters: is asyncio imported after `import asgiwsgi_testkit`, after the first ASGI name, and that name's cost."""
    found: Dict[str, object] = {"after_import": False, "after_asgi_name": True, "runs": runs}
    seconds, asyncio_seconds, kit_seconds = [], [], []
    for _ in range(runs):
        report = _json_of(ASGI_ON_DEMAND_PROGRAM)
        found["after_import"] = found["after_import"] or report["after_import"]
        found["after_asgi_name"] = found["after_asgi_name"] and report["after_asgi_name"]
        seconds.append(report["seconds"])
        split = _json_of(ASGI_SPLIT_PROGRAM)
        asyncio_seconds.append(split["asyncio"])
        kit_seconds.append(split["kit"])
    found["asgi_name_ms"] = statistics.median(seconds) * 1e3
    found["asyncio_ms"] = statistics.median(asyncio_seconds) * 1e3
    found["kit_asgi_ms"] = statistics.median(kit_seconds) * 1e3
    return found


def _json_of(program: str) -> Dict[str, object]:
    """Run `program` in a fresh interpreter in the checkout; the JSON object its last line printed."""
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"a measuring program failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="fresh interpreters per measurement (default 21)")
    parser.add_argument("--top", type=int, default=12, help="modules to list from -X importtime (default 12)")
    args = parser.parse_args(argv)

    print(f"# Import cost\n\n{environment_line()}; {args.runs} fresh interpreters each\n")
    bare, kit = wall_times(args.runs)
    bare_ms, kit_ms = statistics.median(bare) * 1e3, statistics.median(kit) * 1e3
    totals, rows = importtime(args.runs)
    importtime_ms = statistics.median(totals) / 1e3
    print("### 1. wall time of a fresh interpreter\n")
    print(
        markdown_table(
            ["command", "median ms", "min ms"],
            [
                ['python -c "pass"', f"{bare_ms:.1f}", f"{min(bare) * 1e3:.1f}"],
                ['python -c "import asgiwsgi_testkit"', f"{kit_ms:.1f}", f"{min(kit) * 1e3:.1f}"],
                ["difference (the import)", f"{kit_ms - bare_ms:.1f}", f"{(min(kit) - min(bare)) * 1e3:.1f}"],
            ],
        )
    )
    print(f"\n### 2. `-X importtime`: asgiwsgi_testkit cumulative {importtime_ms:.1f} ms (median; min {min(totals) / 1e3:.1f} ms)\n")
    costly = sorted(rows, key=lambda r: -r[1])[: args.top]
    print(markdown_table(["module imported by `import asgiwsgi_testkit` (indent = depth)", "self µs", "cumulative µs"], [[f"`{name}`", str(s), str(c)] for name, s, c in costly]))
    print()
    report = wsgi_only()
    print("### 3. a WSGI-only program (WSGITestClient + WSGITestCase, one test run by unittest)\n")
    print(f"- tests passed: {report['tests_ok']} ({report['ran']} run)")
    print(f"- `asyncio` imported: {report['asyncio']}")
    print(f"- of asyncio, concurrent, threading, email, http, unittest, json, dataclasses it loaded: {', '.join(report['loaded']) or 'none'}")  # type: ignore[arg-type]
    on_demand = asgi_on_demand(args.runs)
    print("\n### 4. ASGI names load asyncio on first use\n")
    print(f"- after `import asgiwsgi_testkit`: `asyncio` imported: {on_demand['after_import']}")
    print(f"- after `asgiwsgi_testkit.ASGITestClient`: `asyncio` imported: {on_demand['after_asgi_name']}; that first use took {on_demand['asgi_name_ms']:.1f} ms (median)")
    print(f"- split: `import asyncio` {on_demand['asyncio_ms']:.1f} ms, then the kit's ASGI modules {on_demand['kit_asgi_ms']:.1f} ms")
    print("\n### Targets\n")
    cost = kit_ms - bare_ms
    print(f"- import cost {cost:.1f} ms (wall difference of the medians; -X importtime says {importtime_ms:.1f} ms) ≤ {TARGET_MS:.0f} ms: {'met' if cost <= TARGET_MS else 'MISSED'}")
    print(f"- a WSGI-only program does not import asyncio: {'met' if not report['asyncio'] and report['tests_ok'] else 'MISSED'}")
    print(f"- `import asgiwsgi_testkit` does not import asyncio until an ASGI name is used: {'met' if not on_demand['after_import'] and on_demand['after_asgi_name'] else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
