"""Per-request cost of ASGITestClient beside a raw call, asgiref, httpx and Starlette, in a normal and a debug-mode loop.

    cd /work/main && /tmp/anchors/bin/python benchmarks/bench_asgi.py [--rounds 15] [--quick]

Seven measurements on one hand-written ASGI app, all in one run:

1. GET of a small JSON response;
2. POST of a small JSON body echoed back;
3. stream() over 1000 x 1 KiB chunks, against a hand-written send() that only counts bytes;
4. a 50 MiB streamed body read with aiter_bytes(), tracemalloc peak;
5. a lifespan startup + shutdown cycle, against two asyncio.Queues by hand and asgi-lifespan;
6. ASGITestCase's cost per test, against a bare IsolatedAsyncioTestCase (suites run by TextTestRunner);
7. `import asgiwsgi_testkit` does not import asyncio until an ASGI name is used.

Sections 1-5 run every async contender twice, in a normal event loop and in
one with `loop.set_debug(True)` (what IsolatedAsyncioTestCase runs tests in),
and all of those in the same interleaved rounds. Starlette's TestClient is
synchronous: it is called from plain sync code, outside both loops, and runs
the app in its own portal thread and loop (in debug mode for the debug
column, through `backend_options={"debug": True}`). The anchors (asgiref,
httpx, Starlette, asgi-lifespan) are optional: a missing one is skipped with
the reason printed. Every contender's answer is checked once before timing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import statistics
import sys
import time
import tracemalloc
import unittest
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple

from _async_timing import MODES, Call, Loops, check_answers, measure
from _timing import BIG_CHUNK, BIG_TOTAL, CHUNK, CHUNKS, ECHO_BODY, ECHO_VALUE, ITEMS_BODY, environment_line, markdown_table, use_checkout

use_checkout()

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, ASGITestResponse  # noqa: E402


# -- the apps under test -------------------------------------------------------------------------


async def app(scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """GET /items (small JSON), POST /echo (echo the body), GET /chunks?size=&count= (a streamed body).

    It has no lifespan: it raises on any other scope type, as uvicorn's "auto" mode expects.
    """
    if scope["type"] != "http":
        raise RuntimeError(f"this app handles only http scopes, not {scope['type']!r}")
    path = scope["path"]
    if path == "/items":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(ITEMS_BODY)).encode())]})
        await send({"type": "http.response.body", "body": ITEMS_BODY})
    elif path == "/echo":
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"application/octet-stream")
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    elif path == "/chunks":
        size, count = (int(v.partition(b"=")[2]) for v in scope["query_string"].split(b"&"))
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/octet-stream")]})
        for _ in range(count):
            # a fresh object each time: a kit that kept chunks would show in tracemalloc
            await send({"type": "http.response.body", "body": b"x" * size, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    else:
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"not found"})


async def lifespan_app(scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """`app` with a lifespan that does nothing but answer (sections 5, and Starlette's `with TestClient`)."""
    if scope["type"] != "lifespan":
        return await app(scope, receive, send)
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


# -- the raw call: what any harness must do at least -------------------------------------------


def _raw_scope(method: str, path: str, query: bytes = b"", content_type: bytes = b"", length: int = -1) -> Dict[str, Any]:
    headers = [(b"host", b"testserver")]
    if content_type:
        headers.append((b"content-type", content_type))
    if length >= 0:
        headers.append((b"content-length", str(length).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def raw_call(method: str, path: str, body: bytes = b"", content_type: bytes = b"") -> Tuple[int, bytes]:
    """`await app(scope, receive, send)` with a scope built by hand, one request event, sends collected."""
    scope = _raw_scope(method, path, content_type=content_type, length=len(body) if body else -1)
    sent: List[Dict[str, Any]] = []
    request_sent = False

    async def receive() -> Dict[str, Any]:
        nonlocal request_sent
        if request_sent:
            return {"type": "http.disconnect"}
        request_sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


# -- contenders ------------------------------------------------------------------------------------




class Anchors:
    """The optional comparison libraries; each is None when missing, with the reason in `notes`."""

    def __init__(self) -> None:
        self.notes: List[str] = []
        # Starlette 1.x warns on import that it wants httpx2; the comparison uses the httpx it runs on.
        warnings.filterwarnings("ignore", message=".*starlette.testclient.*deprecated")
        self.communicator = self._load("asgiref", "asgiref.testing", "ApplicationCommunicator")
        self.httpx = self._load("httpx", "httpx", None)
        self.starlette = self._load("Starlette", "starlette.testclient", "TestClient")
        self.lifespan_manager = self._load("asgi-lifespan", "asgi_lifespan", "LifespanManager")

    def _load(self, label: str, module: str, name: Optional[str]) -> Any:
        import importlib

        try:
            loaded = importlib.import_module(module)
        except ImportError as exc:
            self.notes.append(f"{label} skipped: not installed ({exc}); `pip install {label.lower()}` to compare")
            return None
        return getattr(loaded, name) if name else loaded



def _starlette(anchors: Anchors, loops: Loops, mode: str, use_with: bool) -> Any:
    """A Starlette TestClient whose portal loop runs in `mode`; inside `with` it keeps one portal (and runs lifespan)."""
    options = {"debug": True} if mode == "debug" else {}
    if not use_with:
        return anchors.starlette(app, backend_options=options)
    client = anchors.starlette(lifespan_app, backend_options=options)
    client.__enter__()
    loops.at_close(None, lambda: client.__exit__(None, None, None))
    return client


def _httpx(anchors: Anchors, loops: Loops, mode: str) -> Any:
    client = anchors.httpx.AsyncClient(transport=anchors.httpx.ASGITransport(app=app), base_url="http://testserver")
    loops.at_close(mode, client.aclose)
    return client


def request_contenders(anchors: Anchors, loops: Loops, post: bool) -> Dict[str, Dict[str, Call]]:
    """{contender: {mode: Call}} for GET /items, or for POST /echo when `post`."""
    contenders: Dict[str, Dict[str, Call]] = {}

    def add(name: str, mode: str, call: Call) -> None:
        contenders.setdefault(name, {})[mode] = call

    for mode in MODES:
        loop = loops.of(mode)
        kit, kit_off = ASGITestClient(app), ASGITestClient(app, validate=False)
        if post:
            add("raw `await app(scope, receive, send)`", mode, Call(lambda: _body_of(raw_call("POST", "/echo", json.dumps(ECHO_VALUE, separators=(",", ":")).encode(), b"application/json")), loop))
            add("kit ASGITestClient (validate on)", mode, Call(lambda kit=kit: _body_of(kit.post("/echo", json=ECHO_VALUE)), loop))
            add("kit ASGITestClient(validate=False)", mode, Call(lambda kit=kit_off: _body_of(kit.post("/echo", json=ECHO_VALUE)), loop))
        else:
            add("raw `await app(scope, receive, send)`", mode, Call(lambda: _body_of(raw_call("GET", "/items")), loop))
            add("kit ASGITestClient (validate on)", mode, Call(lambda kit=kit: _body_of(kit.get("/items")), loop))
            add("kit ASGITestClient(validate=False)", mode, Call(lambda kit=kit_off: _body_of(kit.get("/items")), loop))
        if anchors.communicator is not None:
            add("asgiref ApplicationCommunicator", mode, Call(lambda: communicate(anchors.communicator, post), loop))
        if anchors.httpx is not None:
            client = _httpx(anchors, loops, mode)
            if post:
                add("httpx AsyncClient(ASGITransport)", mode, Call(lambda client=client: _body_of(client.post("/echo", json=ECHO_VALUE)), loop))
            else:
                add("httpx AsyncClient(ASGITransport)", mode, Call(lambda client=client: _body_of(client.get("/items")), loop))
        if anchors.starlette is not None:
            for use_with, label, share in ((True, "Starlette TestClient in `with` (sync, outside the loop)", 0.25), (False, "Starlette TestClient, no `with` (a portal thread per request)", 0.05)):
                client = _starlette(anchors, loops, mode, use_with)
                if post:
                    add(label, mode, Call(lambda client=client: client.post("/echo", json=ECHO_VALUE).content, None, share))
                else:
                    add(label, mode, Call(lambda client=client: client.get("/items").content, None, share))
    return contenders


async def _body_of(awaitable: Any) -> bytes:
    """The body bytes of what a contender's request returned: (status, body), an ASGITestResponse or an httpx.Response."""
    response = await awaitable
    if isinstance(response, tuple):
        return response[1]
    if isinstance(response, ASGITestResponse):
        return response.body
    return response.content


async def communicate(ApplicationCommunicator: Any, post: bool) -> bytes:
    """asgiref at the message level: send http.request, receive start and body, wait for the app."""
    if post:
        body = json.dumps(ECHO_VALUE, separators=(",", ":")).encode()
        communicator = ApplicationCommunicator(app, _raw_scope("POST", "/echo", content_type=b"application/json", length=len(body)))
    else:
        body = b""
        communicator = ApplicationCommunicator(app, _raw_scope("GET", "/items"))
    await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await communicator.receive_output(1)
    message = await communicator.receive_output(1)
    await communicator.wait()
    assert start["status"] == 200
    return message["body"]


def stream_contenders(loops: Loops) -> Dict[str, Dict[str, Call]]:
    query = f"size={CHUNK}&count={CHUNKS}"
    contenders: Dict[str, Dict[str, Call]] = {}
    for mode in MODES:
        loop = loops.of(mode)

        async def by_hand() -> int:
            total = 0
            request_sent = False

            async def receive() -> Dict[str, Any]:
                nonlocal request_sent
                if request_sent:
                    return {"type": "http.disconnect"}
                request_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: Dict[str, Any]) -> None:
                nonlocal total
                if message["type"] == "http.response.body":
                    total += len(message.get("body", b""))

            await app(_raw_scope("GET", "/chunks", query.encode()), receive, send)
            return total

        def with_kit(client: ASGITestClient) -> Callable[[], Any]:
            async def run() -> int:
                total = 0
                async with client.stream("GET", "/chunks", query=query) as response:
                    async for chunk in response.aiter_bytes():
                        total += len(chunk)
                return total

            return run

        contenders.setdefault("hand-written send() that counts bytes", {})[mode] = Call(by_hand, loop)
        contenders.setdefault("kit stream() + aiter_bytes() (validate on)", {})[mode] = Call(with_kit(ASGITestClient(app)), loop)
        contenders.setdefault("kit stream() + aiter_bytes() (validate=False)", {})[mode] = Call(with_kit(ASGITestClient(app, validate=False)), loop)
    return contenders


def lifespan_contenders(anchors: Anchors, loops: Loops) -> Dict[str, Dict[str, Call]]:
    contenders: Dict[str, Dict[str, Call]] = {}

    def add(name: str, mode: str, call: Call) -> None:
        contenders.setdefault(name, {})[mode] = call

    for mode in MODES:
        loop = loops.of(mode)
        add("by hand: a task and two asyncio.Queues", mode, Call(lifespan_by_hand, loop))
        for label, kit in (("kit startup() + shutdown() (validate on)", ASGITestClient(lifespan_app, lifespan="on")), ("kit startup() + shutdown() (validate=False)", ASGITestClient(lifespan_app, lifespan="on", validate=False))):
            add(label, mode, Call(lambda kit=kit: kit_cycle(kit), loop))
        add("kit `async with ASGITestClient(app)` (a new client each time)", mode, Call(kit_with_cycle, loop))
        if anchors.lifespan_manager is not None:
            add("asgi-lifespan `async with LifespanManager(app)`", mode, Call(lambda: manager_cycle(anchors.lifespan_manager), loop))
        if anchors.starlette is not None:
            options = {"debug": True} if mode == "debug" else {}
            add("Starlette `with TestClient(app)` (sync; starts a portal thread)", mode, Call(lambda options=options: starlette_cycle(anchors.starlette, options), None, 0.1))
    return contenders


async def lifespan_by_hand() -> Tuple[str, str]:
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    task = asyncio.get_running_loop().create_task(lifespan_app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    await inbox.put({"type": "lifespan.shutdown"})
    stopped = await outbox.get()
    await task
    return started["type"], stopped["type"]


async def kit_cycle(client: ASGITestClient) -> Tuple[str, str]:
    await client.startup()
    started = client._lifespan._phase
    await client.shutdown()
    return started, client._lifespan._phase


async def kit_with_cycle() -> Tuple[str, str]:
    async with ASGITestClient(lifespan_app, lifespan="on") as client:
        started = client._lifespan._phase
    return started, client._lifespan._phase


async def manager_cycle(LifespanManager: Any) -> Tuple[str, str]:
    async with LifespanManager(lifespan_app):
        pass
    return "running", "stopped"  # LifespanManager raises unless both answers were *.complete


def starlette_cycle(TestClient: Any, options: Dict[str, Any]) -> Tuple[str, str]:
    with TestClient(lifespan_app, backend_options=options):
        pass
    return "running", "stopped"  # TestClient asserts both answers (complete or failed; this app sends complete)


# -- checks and reports ----------------------------------------------------------------------------




def report(title: str, results: Dict[str, Dict[str, Any]], baseline: Tuple[str, str], versus: Tuple[str, str] = ("", ""), unit: str = "µs/request") -> str:
    """One table: each contender's median and ratios, normal loop beside debug loop. `baseline`/`versus` are (contender, label)."""
    (base, base_label), (other, other_label) = baseline, versus
    headers = ["contender"]
    for mode in MODES:
        headers += [f"{unit} {mode}", "±", f"× {base_label}"]
        if other in results:
            headers.append(f"× {other_label}")
    rows = []
    for name, modes in results.items():
        row = [name]
        for mode in MODES:
            result = modes[mode]
            row += [f"{result.median_us:.1f}", f"{result.spread_us:.1f}", f"{result.median_us / results[base][mode].median_us:.2f}"]
            if other in results:
                row.append(f"{result.median_us / results[other][mode].median_us:.2f}")
        rows.append(row)
    return f"### {title}\n\n" + markdown_table(headers, rows)


def memory_peak(loop: asyncio.AbstractEventLoop, validate: bool) -> Tuple[int, int]:
    """(bytes read, tracemalloc peak in bytes) for a 50 MiB body streamed through stream()/aiter_bytes()."""
    client = ASGITestClient(app, validate=validate)
    query = f"size={BIG_CHUNK}&count={BIG_TOTAL // BIG_CHUNK}"

    async def read() -> Tuple[int, int]:
        total = 0
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            async with client.stream("GET", "/chunks", query=query) as response:
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return total, peak

    return loop.run_until_complete(read())


# -- 6. per-test cost of ASGITestCase --------------------------------------------------------------


class _NullStream(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def _suite(base: type, count: int, name: str, body: Callable[..., Any], attributes: Dict[str, Any]) -> unittest.TestSuite:
    namespace = dict(attributes)
    for index in range(count):
        namespace[f"test_{index:03d}"] = body
    klass = type(name, (base,), namespace)
    return unittest.defaultTestLoader.loadTestsFromTestCase(klass)


async def _kit_trivial(self: Any) -> None:
    self.assertIsNotNone(self.client)


async def _bare_trivial(self: Any) -> None:
    self.assertIsNotNone(self.app)


async def _kit_get(self: Any) -> None:
    response = await self.client.get("/items")
    self.assertEqual(response.body, ITEMS_BODY)


async def _httpx_setup(self: Any) -> None:
    import httpx

    self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    self.addAsyncCleanup(self.http.aclose)


async def _httpx_get(self: Any) -> None:
    response = await self.http.get("/items")
    self.assertEqual(response.content, ITEMS_BODY)


def testcase_suites(anchors: Anchors, count: int) -> Dict[str, Callable[[], unittest.TestSuite]]:
    bare = unittest.IsolatedAsyncioTestCase
    suites = {
        "bare IsolatedAsyncioTestCase, trivial test": lambda: _suite(bare, count, "Bare", _bare_trivial, {"app": staticmethod(app)}),
        "ASGITestCase, trivial test": lambda: _suite(ASGITestCase, count, "Kit", _kit_trivial, {"app": app}),
        "ASGITestCase(lifespan='off'), trivial test": lambda: _suite(ASGITestCase, count, "KitOff", _kit_trivial, {"app": app, "client_options": {"lifespan": "off"}}),
        "ASGITestCase, one GET per test": lambda: _suite(ASGITestCase, count, "KitGet", _kit_get, {"app": app}),
    }
    if anchors.httpx is not None:
        suites["IsolatedAsyncioTestCase + httpx AsyncClient, one GET per test"] = lambda: _suite(bare, count, "HttpxGet", _httpx_get, {"asyncSetUp": _httpx_setup})
    return suites


def run_suite(make: Callable[[], unittest.TestSuite], count: int) -> float:
    """Seconds per test of one TextTestRunner run of a fresh suite; SystemExit if any test failed."""
    suite = make()
    runner = unittest.TextTestRunner(stream=_NullStream(), verbosity=0)
    gc.collect()
    start = time.perf_counter()
    result = runner.run(suite)
    elapsed = time.perf_counter() - start
    if not result.wasSuccessful() or result.testsRun != count:
        problems = result.failures + result.errors
        raise SystemExit(f"a benchmark suite failed: {problems[0][1] if problems else result}")
    return elapsed / count


# -- 7. import -------------------------------------------------------------------------------------


def import_check(runs: int) -> Dict[str, Any]:
    import bench_import

    return bench_import.asgi_on_demand(runs)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("-n", "--requests", type=int, default=200, help="requests per contender per round (default 200)")
    parser.add_argument("--streams", type=int, default=4, help="1000-chunk streams per contender per round (default 4)")
    parser.add_argument("--cycles", type=int, default=100, help="lifespan cycles per contender per round (default 100)")
    parser.add_argument("--tests", type=int, default=40, help="tests per suite in section 6 (default 40)")
    parser.add_argument("--suite-rounds", type=int, default=9, help="rounds of section 6 (default 9)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls: a smoke run, not a measurement")
    parser.add_argument("--skip", default="", help="comma-separated section numbers to skip (e.g. 6,7)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.requests, args.streams, args.cycles, args.tests, args.suite_rounds = 3, 20, 2, 10, 10, 3
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    anchors = Anchors()
    print(f"# ASGI benchmarks\n\n{environment_line()}; {args.rounds} interleaved rounds; normal and debug-mode loops measured in the same rounds\n")
    for note in anchors.notes:
        print(f"- {note}")
    if anchors.notes:
        print()

    loops = Loops()
    targets: List[str] = []
    try:
        raw = "raw `await app(scope, receive, send)`"
        kit = "kit ASGITestClient (validate on)"
        httpx_name = "httpx AsyncClient(ASGITransport)"
        comm = "asgiref ApplicationCommunicator"
        for number, post in (("1", False), ("2", True)):
            if number in skip:
                continue
            contenders = request_contenders(anchors, loops, post)
            if post:
                check_answers(contenders, ECHO_VALUE, json.loads)
                title = f"2. POST /echo, small JSON body echoed ({len(ECHO_BODY)} bytes); {args.requests} requests per round"
            else:
                check_answers(contenders, ITEMS_BODY)
                title = f"1. GET /items, small JSON ({len(ITEMS_BODY)} bytes); {args.requests} requests per round"
            results = measure(contenders, args.requests, args.rounds)
            print(report(title, results, (raw, "raw"), (httpx_name, "httpx")))
            print()
            verb = "POST" if post else "GET"
            normal, debug = results[kit]["normal"].median_us, results[kit]["debug"].median_us
            if comm in results:
                other = results[comm]["normal"].median_us
                targets.append(f"{verb}, normal loop: kit {normal:.1f} µs ≤ asgiref communicator {other:.1f} µs: {verdict(normal <= other)}")
            if httpx_name in results:
                other, other_debug = results[httpx_name]["normal"].median_us, results[httpx_name]["debug"].median_us
                targets.append(f"{verb}, normal loop: kit {normal:.1f} µs ≤ ¼ httpx ({other / 4:.1f} µs): {verdict(normal <= other / 4)}")
                targets.append(f"{verb}, debug loop: kit {debug:.1f} µs ≤ httpx {other_debug:.1f} µs: {verdict(debug <= other_debug)}")

        if "3" not in skip:
            streams = stream_contenders(loops)
            check_answers(streams, CHUNK * CHUNKS)
            results = measure(streams, args.streams, args.rounds)
            base = "hand-written send() that counts bytes"
            print(report(f"3. stream() over {CHUNKS} x {CHUNK} B chunks; {args.streams} streams per round (µs per whole stream)", results, (base, "by hand"), unit="µs/stream"))
            print()
            for mode in MODES:
                ratio = results["kit stream() + aiter_bytes() (validate on)"][mode].median_us / results[base][mode].median_us
                targets.append(f"stream(), {mode} loop: kit (validate on) {ratio:.2f}× the hand-written send ≤ 3×: {verdict(ratio <= 3)}")

        if "4" not in skip:
            rows = []
            for mode in MODES:
                for validate in (True, False):
                    total, peak = memory_peak(loops.of(mode), validate)
                    if total != BIG_TOTAL:
                        raise SystemExit(f"the 50 MiB stream delivered {total} bytes")
                    rows.append([f"kit stream() + aiter_bytes() (validate={validate})", mode, f"{total / 2**20:.0f}", f"{BIG_CHUNK // 1024}", f"{peak / 1024:.1f}"])
                    if validate:
                        targets.append(f"50 MiB stream, {mode} loop: peak {peak / 1024:.1f} KiB ≤ 256 KiB: {verdict(peak <= 256 * 1024)}")
            print("### 4. 50 MiB streamed body, tracemalloc peak\n")
            print(markdown_table(["contender", "loop", "MiB read", "chunk KiB", "peak KiB"], rows))
            print()

        if "5" not in skip:
            cycles = lifespan_contenders(anchors, loops)
            check_answers(cycles, ("running", "stopped"), lambda answer: ("running", "stopped") if answer == ("lifespan.startup.complete", "lifespan.shutdown.complete") else answer)
            results = measure(cycles, args.cycles, args.rounds)
            base = "by hand: a task and two asyncio.Queues"
            manager = "asgi-lifespan `async with LifespanManager(app)`"
            print(report(f"5. lifespan startup + shutdown; {args.cycles} cycles per round (µs per cycle)", results, (base, "by hand"), (manager, "asgi-lifespan"), unit="µs/cycle"))
            print()
            for mode in MODES:
                ratio = results["kit startup() + shutdown() (validate on)"][mode].median_us / results[base][mode].median_us
                targets.append(f"lifespan cycle, {mode} loop: kit (validate on) {ratio:.2f}× by hand ≤ 1.8×: {verdict(ratio <= 1.8)}")
    finally:
        loops.close()

    if "6" not in skip:
        suites = testcase_suites(anchors, args.tests)
        for make in suites.values():
            run_suite(make, args.tests)  # warm up, and check every test passes
        per_test: Dict[str, List[float]] = {name: [] for name in suites}
        names = list(suites)
        for round_number in range(args.suite_rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                per_test[name].append(run_suite(suites[name], args.tests))
        bare = statistics.median(per_test["bare IsolatedAsyncioTestCase, trivial test"]) * 1e6
        rows = []
        for name, seconds in per_test.items():
            median = statistics.median(seconds) * 1e6
            rows.append([name, f"{median:.0f}", f"{median - bare:+.0f}", f"{(median / bare - 1) * 100:+.1f}%"])
        print(f"### 6. per-test cost: suites of {args.tests} tests through TextTestRunner; {args.suite_rounds} rounds\n")
        print(markdown_table(["suite (app without lifespan)", "µs/test (median)", "µs over bare", "over bare"], rows))
        print()
        kit_over = statistics.median(per_test["ASGITestCase, trivial test"]) * 1e6 / bare - 1
        targets.append(f"ASGITestCase per test: {kit_over * 100:+.1f}% over a bare IsolatedAsyncioTestCase ≤ +15%: {verdict(kit_over <= 0.15)}")

    if "7" not in skip:
        found = import_check(5 if args.quick else 11)
        print("### 7. asyncio is imported only when an ASGI name is used\n")
        print(f"- after `import asgiwsgi_testkit`: asyncio imported: {found['after_import']}")
        print(f"- after `asgiwsgi_testkit.ASGITestClient`: asyncio imported: {found['after_asgi_name']}")
        print(f"- first use of `ASGITestClient` costs {found['asgi_name_ms']:.1f} ms (median of {found['runs']} fresh interpreters); split: `import asyncio` {found['asyncio_ms']:.1f} ms, then the kit's ASGI modules {found['kit_asgi_ms']:.1f} ms")
        print()
        targets.append(f"`import asgiwsgi_testkit` does not import asyncio until an ASGI name is used: {verdict(not found['after_import'] and found['after_asgi_name'])}")

    print("### Targets\n")
    for line in targets:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
