"""Per-request cost of WSGITestClient beside a raw call, WebTest and werkzeug, measured in one run.

    cd /work/main && /tmp/anchors/bin/python benchmarks/bench_wsgi.py [--rounds 15] [--quick]

Four measurements on one hand-written WSGI app:

1. GET of a small JSON response;
2. POST of a small JSON body echoed back;
3. stream() over 1000 x 1 KiB chunks, against iterating the app's iterable by hand;
4. a 50 MiB streamed body read with iter_bytes(), tracemalloc peak.

The anchors (WebTest, werkzeug) are optional: a missing one is skipped with
the reason printed. Every contender's answer is checked once before timing,
so a contender that does less work cannot look faster.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tracemalloc
from typing import Any, Callable, Dict, List, Tuple

from _timing import BIG_CHUNK, BIG_TOTAL, CHUNK, CHUNKS, ECHO_BODY, ECHO_VALUE, ITEMS_BODY, environment_line, interleaved, markdown_table, use_checkout

use_checkout()

from asgiwsgi_testkit import WSGITestClient  # noqa: E402


# -- the app under test ----------------------------------------------------------------------


def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """GET /items (small JSON), POST /echo (echo the body), GET /chunks?size=&count= (a generator)."""
    path = environ["PATH_INFO"]
    if path == "/items":
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(ITEMS_BODY)))])
        return [ITEMS_BODY]
    if path == "/echo":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        start_response("200 OK", [("Content-Type", environ.get("CONTENT_TYPE", "application/octet-stream")), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/chunks":
        size, count = (int(v.partition("=")[2]) for v in environ["QUERY_STRING"].split("&"))
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return _chunks(size, count)
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"not found"]


def _chunks(size: int, count: int) -> Any:
    for _ in range(count):
        yield b"x" * size  # a fresh object each time: a kit that kept chunks would show in tracemalloc


# -- the raw call: what any harness must do at least -----------------------------------------


def _raw_environ(method: str, path: str, query: str = "", body: bytes = b"", content_type: str = "") -> Dict[str, Any]:
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = content_type
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def raw_call(method: str, path: str, body: bytes = b"", content_type: str = "") -> Tuple[str, bytes]:
    seen: List[Any] = []

    def start_response(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        seen[:] = [status, headers]
        return lambda data: None

    result = app(_raw_environ(method, path, body=body, content_type=content_type), start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return seen[0], data


# -- contenders ------------------------------------------------------------------------------


def _anchors() -> Tuple[Any, Any, List[str]]:
    """(webtest.TestApp or None, werkzeug.test.Client or None, skip notes)."""
    notes = []
    try:
        from webtest import TestApp
    except ImportError as exc:
        TestApp = None
        notes.append(f"WebTest skipped: not installed ({exc}); `pip install webtest` to compare")
    try:
        from werkzeug.test import Client
    except ImportError as exc:
        Client = None
        notes.append(f"werkzeug skipped: not installed ({exc}); `pip install werkzeug` to compare")
    return TestApp, Client, notes


def get_contenders(TestApp: Any, Client: Any) -> Dict[str, Callable[[], bytes]]:
    kit = WSGITestClient(app)
    kit_off = WSGITestClient(app, validate=False)
    contenders: Dict[str, Callable[[], bytes]] = {
        "raw call (by hand)": lambda: raw_call("GET", "/items")[1],
        "kit WSGITestClient (validate on)": lambda: kit.get("/items").body,
        "kit WSGITestClient(validate=False)": lambda: kit_off.get("/items").body,
    }
    if TestApp is not None:
        webtest_plain, webtest_lint = TestApp(app, lint=False), TestApp(app)
        contenders["WebTest TestApp(lint=False)"] = lambda: webtest_plain.get("/items").body
        contenders["WebTest TestApp (lint on)"] = lambda: webtest_lint.get("/items").body
    if Client is not None:
        werkzeug_client = Client(app)

        def werkzeug_get() -> bytes:
            response = werkzeug_client.get("/items")
            try:
                return response.get_data()
            finally:
                response.close()

        contenders["werkzeug Client"] = werkzeug_get
    return contenders


def post_contenders(TestApp: Any, Client: Any) -> Dict[str, Callable[[], bytes]]:
    kit = WSGITestClient(app)
    kit_off = WSGITestClient(app, validate=False)
    contenders: Dict[str, Callable[[], bytes]] = {
        "raw call (by hand)": lambda: raw_call("POST", "/echo", json.dumps(ECHO_VALUE, separators=(",", ":")).encode(), "application/json")[1],
        "kit WSGITestClient (validate on)": lambda: kit.post("/echo", json=ECHO_VALUE).body,
        "kit WSGITestClient(validate=False)": lambda: kit_off.post("/echo", json=ECHO_VALUE).body,
    }
    if TestApp is not None:
        webtest_plain, webtest_lint = TestApp(app, lint=False), TestApp(app)
        contenders["WebTest TestApp(lint=False)"] = lambda: webtest_plain.post_json("/echo", ECHO_VALUE).body
        contenders["WebTest TestApp (lint on)"] = lambda: webtest_lint.post_json("/echo", ECHO_VALUE).body
    if Client is not None:
        werkzeug_client = Client(app)

        def werkzeug_post() -> bytes:
            response = werkzeug_client.post("/echo", json=ECHO_VALUE)
            try:
                return response.get_data()
            finally:
                response.close()

        contenders["werkzeug Client"] = werkzeug_post
    return contenders


def stream_contenders() -> Dict[str, Callable[[], int]]:
    kit = WSGITestClient(app)
    kit_off = WSGITestClient(app, validate=False)
    query = f"size={CHUNK}&count={CHUNKS}"

    def by_hand() -> int:
        total = 0
        result = app(_raw_environ("GET", "/chunks", query), lambda status, headers, exc_info=None: None)
        try:
            for chunk in result:
                total += len(chunk)
        finally:
            result.close()
        return total

    def with_kit(client: WSGITestClient) -> Callable[[], int]:
        def run() -> int:
            total = 0
            with client.stream("GET", "/chunks", query=query) as response:
                for chunk in response.iter_bytes():
                    total += len(chunk)
            return total

        return run

    return {
        "iterate the app's iterable by hand": by_hand,
        "kit stream() + iter_bytes() (validate on)": with_kit(kit),
        "kit stream() + iter_bytes() (validate=False)": with_kit(kit_off),
    }


# -- checks and reports ----------------------------------------------------------------------


def check_answers(contenders: Dict[str, Callable[[], Any]], expected: Any, parse: Callable[[Any], Any] = lambda x: x) -> None:
    """Run each contender once; its answer, parsed, must equal `expected`."""
    for name, call in contenders.items():
        got = parse(call())
        if got != expected:
            raise SystemExit(f"{name} answered {got!r:.120}, expected {expected!r:.120}: not timing a contender that does something else")


def report(title: str, results: Dict[str, Any], baseline: str, versus: str = "") -> str:
    base = results[baseline].median_us
    other = results[versus].median_us if versus in results else None
    headers = ["contender", "µs/request (median)", "± (IQR/2)", "× raw"]
    if other is not None:
        headers.append(f"× {versus.split(' (')[0]}")
    rows = []
    for name, result in results.items():
        row = [name, f"{result.median_us:.1f}", f"{result.spread_us:.1f}", f"{result.median_us / base:.2f}"]
        if other is not None:
            row.append(f"{result.median_us / other:.2f}")
        rows.append(row)
    return f"### {title}\n\n" + markdown_table(headers, rows)


def memory_peak(validate: bool) -> Tuple[int, int]:
    """(bytes read, tracemalloc peak in bytes) for a 50 MiB body streamed through stream()/iter_bytes()."""
    client = WSGITestClient(app, validate=validate)
    query = f"size={BIG_CHUNK}&count={BIG_TOTAL // BIG_CHUNK}"
    total = 0
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with client.stream("GET", "/chunks", query=query) as response:
            for chunk in response.iter_bytes():
                total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return total, peak


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("-n", "--requests", type=int, default=400, help="requests per contender per round (default 400)")
    parser.add_argument("--streams", type=int, default=20, help="1000-chunk streams per contender per round (default 20)")
    parser.add_argument("--quick", action="store_true", help="5 rounds of fewer requests: a smoke run, not a measurement")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.requests, args.streams = 5, 50, 3

    TestApp, Client, notes = _anchors()
    print(f"# WSGI benchmarks\n\n{environment_line()}; {args.rounds} interleaved rounds\n")
    for note in notes:
        print(f"- {note}")
    if notes:
        print()

    gets = get_contenders(TestApp, Client)
    check_answers(gets, ITEMS_BODY)
    posts = post_contenders(TestApp, Client)
    check_answers(posts, ECHO_VALUE, json.loads)  # WebTest's post_json does not send compact JSON
    streams = stream_contenders()
    check_answers(streams, CHUNK * CHUNKS)

    webtest = "WebTest TestApp(lint=False)"
    get_results = interleaved(gets, args.requests, args.rounds)
    print(report(f"1. GET /items, small JSON ({len(ITEMS_BODY)} bytes); {args.requests} requests per round", get_results, "raw call (by hand)", webtest))
    print()
    post_results = interleaved(posts, args.requests, args.rounds)
    print(report(f"2. POST /echo, small JSON body echoed ({len(ECHO_BODY)} bytes); {args.requests} requests per round", post_results, "raw call (by hand)", webtest))
    print()
    stream_results = interleaved(streams, args.streams, args.rounds)
    print(report(f"3. stream() over {CHUNKS} x {CHUNK} B chunks; {args.streams} streams per round (µs per whole stream)", stream_results, "iterate the app's iterable by hand"))
    print()

    rows = []
    peaks = {}
    for validate in (True, False):
        total, peak = memory_peak(validate)
        peaks[validate] = peak
        if total != BIG_TOTAL:
            raise SystemExit(f"the 50 MiB stream delivered {total} bytes")
        rows.append([f"kit stream() + iter_bytes() (validate={validate})", f"{total / 2**20:.0f}", f"{BIG_CHUNK // 1024}", f"{peak / 1024:.1f}"])
    print("### 4. 50 MiB streamed body, tracemalloc peak\n")
    print(markdown_table(["contender", "MiB read", "chunk KiB", "peak KiB"], rows))
    print()

    print("### Targets\n")
    kit_get = get_results["kit WSGITestClient (validate on)"].median_us
    kit_post = post_results["kit WSGITestClient (validate on)"].median_us
    if webtest in get_results:
        plain_get, plain_post = get_results[webtest].median_us, post_results[webtest].median_us
        print(f"- GET: kit (validate on) {kit_get:.1f} µs ≤ WebTest lint=False {plain_get:.1f} µs: {verdict(kit_get <= plain_get)}")
        print(f"- POST: kit (validate on) {kit_post:.1f} µs ≤ WebTest lint=False {plain_post:.1f} µs: {verdict(kit_post <= plain_post)}")
    else:
        print("- GET/POST against WebTest: not checked (WebTest not installed)")
    ratio = stream_results["kit stream() + iter_bytes() (validate on)"].median_us / stream_results["iterate the app's iterable by hand"].median_us
    print(f"- stream(): kit (validate on) {ratio:.2f}× by hand ≤ 1.5×: {verdict(ratio <= 1.5)}")
    print(f"- 50 MiB stream: peak {peaks[True] / 1024:.1f} KiB ≤ 256 KiB: {verdict(peaks[True] <= 256 * 1024)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
