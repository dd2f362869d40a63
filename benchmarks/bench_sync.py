"""The synchronous ASGI clients per request: SyncASGITestClient and the drop-in TestClient, beside Starlette's TestClient.

    cd /work/main && /tmp/anchors/bin/python benchmarks/bench_sync.py [--rounds 15] [-n 200] [--quick]

One GET of a small JSON body from a hand-written ASGI app (bench_asgi's), and
from a FastAPI app when FastAPI is installed. Contenders: ASGITestClient
awaited in one event loop (the engine both sync clients drive), the kit's
SyncASGITestClient, asgiwsgi_testkit.testclient.TestClient, and Starlette's
TestClient used plainly (`client = TestClient(app)`: a portal thread per
request) and inside `with` (one portal thread). Targets (issue 11): the
drop-in at most 1/20 of Starlette's TestClient, SyncASGITestClient within
1.5x of ASGITestClient. Every answer is checked once before timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, Callable, Dict, List

from _timing import environment_line, interleaved, interleaved_batches, markdown_table, use_checkout

use_checkout()

from asgiwsgi_testkit import ASGITestClient, SyncASGITestClient  # noqa: E402
from asgiwsgi_testkit.testclient import TestClient as DropIn  # noqa: E402
from bench_asgi import ITEMS_BODY, app as plain_app  # noqa: E402


def fastapi_app() -> Any:
    try:
        from fastapi import FastAPI
    except ImportError:
        return None
    api = FastAPI()

    @api.get("/items")
    async def items() -> Any:
        return json.loads(ITEMS_BODY)

    return api


def contenders(app: Any, closers: List[Callable[[], None]]) -> Dict[str, Callable[[int], float]]:
    """name -> batch(n) returning seconds per request (each client made once, closed at the end)."""
    import time

    def timed(get: Callable[[], Any]) -> Callable[[int], float]:
        def batch(n: int) -> float:
            start = time.perf_counter()
            for _ in range(n):
                get()
            return (time.perf_counter() - start) / n

        return batch

    loop = asyncio.new_event_loop()
    closers.append(loop.close)
    async_client = ASGITestClient(app, lifespan="off")

    async def many(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            await async_client.get("/items")
        return (time.perf_counter() - start) / n

    sync_client = SyncASGITestClient(app, lifespan="off")
    closers.append(sync_client.close)
    drop_in = DropIn(app)
    closers.append(drop_in.close)
    batches: Dict[str, Callable[[int], float]] = {
        "kit ASGITestClient (awaited in one loop)": lambda n: loop.run_until_complete(many(n)),
        "kit SyncASGITestClient": timed(lambda: sync_client.get("/items")),
        "kit testclient.TestClient (drop-in)": timed(lambda: drop_in.get("/items")),
    }
    try:
        from starlette.testclient import TestClient as StarletteClient
    except ImportError as missing:
        print(f"(Starlette's TestClient skipped: {missing})", file=sys.stderr)
        return batches
    plain = StarletteClient(app)
    batches["Starlette TestClient (no with: a portal per request)"] = timed(lambda: plain.get("/items"))
    entered = StarletteClient(app)
    try:
        entered.__enter__()
    except RuntimeError as refused:  # an app without lifespan: Starlette's `with` raises what the app raised
        print(f"(Starlette TestClient inside with skipped: {refused})", file=sys.stderr)
        return batches
    closers.append(lambda: entered.__exit__(None, None, None))
    batches["Starlette TestClient (inside with)"] = timed(lambda: entered.get("/items"))
    return batches


def check(app: Any) -> None:
    """Each client's answer, once, before timing (one that did less would look faster)."""
    expected = json.loads(ITEMS_BODY)
    with SyncASGITestClient(app, lifespan="off") as client:
        assert client.get("/items").json() == expected
    client = DropIn(app)  # (no `with`: the hand-written app has no lifespan, and Starlette's `with` would raise)
    assert client.get("/items").json() == expected
    client.close()
    try:
        from starlette.testclient import TestClient as StarletteClient
    except ImportError:
        return
    assert StarletteClient(app).get("/items").json() == expected


def report(title: str, results: Dict[str, Any]) -> str:
    base = results["kit ASGITestClient (awaited in one loop)"].median_us
    starlette = results.get("Starlette TestClient (no with: a portal per request)")
    rows = []
    for name, result in results.items():
        row: List[object] = [name, f"{result.median_us:.1f}", f"{result.spread_us:.1f}", f"{result.median_us / base:.2f}"]
        row.append(f"{result.median_us / starlette.median_us:.3f}" if starlette else "-")
        rows.append(row)
    table = markdown_table(["contender", "µs/request (median)", "± (IQR/2)", "× ASGITestClient", "× Starlette TestClient"], rows)
    return f"### {title}\n\n{table}\n"


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 20: a smoke run")
    options = parser.parse_args(argv)
    rounds, n = (3, 20) if options.quick else (options.rounds, options.n)
    print(environment_line(f"{rounds} interleaved rounds"))
    print()
    met = True
    for title, app in (("GET /items, a hand-written ASGI app", plain_app), ("GET /items, a FastAPI app", fastapi_app())):
        if app is None:
            print(f"({title} skipped: FastAPI is not installed)\n")
            continue
        check(app)
        closers: List[Callable[[], None]] = []
        try:
            results = interleaved_batches(contenders(app, closers), n, rounds)
        finally:
            for close in reversed(closers):
                close()
        print(report(title, results))
        base = results["kit ASGITestClient (awaited in one loop)"].median_us
        sync = results["kit SyncASGITestClient"].median_us
        drop_in = results["kit testclient.TestClient (drop-in)"].median_us
        print(f"- SyncASGITestClient {sync:.1f} µs ≤ 1.5 × ASGITestClient ({1.5 * base:.1f} µs): {'met' if sync <= 1.5 * base else 'MISSED'}")
        met = met and sync <= 1.5 * base
        starlette = results.get("Starlette TestClient (no with: a portal per request)")
        if starlette is not None:
            ok = drop_in <= starlette.median_us / 20
            print(f"- drop-in TestClient {drop_in:.1f} µs ≤ Starlette TestClient / 20 ({starlette.median_us / 20:.1f} µs): {'met' if ok else 'MISSED'}")
            met = met and ok
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
