"""What compose() costs per request: compose(app) against the app itself, compose(app, m) against m(app).

    cd /work/main && python3 benchmarks/bench_middleware.py [--rounds 15] [-n 400] [--quick]

compose() returns the app itself when given no middleware, and otherwise what
the outermost middleware returned, so it should add nothing per request: each
pair below calls the same kind of object, built once, through call_wsgi
(WSGI) or call_asgi (ASGI, awaited in one event loop). The middleware `m` is
a minimal pass-through that adds one response header. Every contender's answer
is checked once before timing. Stdlib only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from typing import Any, Callable, Dict, List

from _timing import environment_line, interleaved, interleaved_batches, markdown_table, use_checkout

use_checkout()

from asgiwsgi_testkit import call_asgi, call_wsgi, make_environ, make_scope  # noqa: E402
from asgiwsgi_testkit._middleware import compose, fixed_response_app  # noqa: E402

BODY = b'{"items":[1,2,3]}'


class WSGIHeader:
    """A pass-through WSGI middleware that adds X-Via to the response."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def add_header(status: str, headers: List[Any], *exc_info: Any) -> Any:
            headers.append(("X-Via", "m"))
            return start_response(status, headers, *exc_info)

        return self.app(environ, add_header)


class ASGIHeader:
    """A pass-through ASGI middleware that adds x-via to the response."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        async def add_header(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"].append((b"x-via", b"m"))
            await send(message)

        await self.app(scope, receive, add_header)


def wsgi_contenders() -> Dict[str, Callable[[], Any]]:
    """Each contender is one call_wsgi of its app, on a copy of one environ."""
    app = fixed_response_app(200, BODY, {"Content-Type": "application/json"}, interface="wsgi")
    base = make_environ("GET", "/items")
    apps = {
        "app directly": app,
        "compose(app)": compose(app),
        "m(app)": WSGIHeader(app),
        "compose(app, m)": compose(app, WSGIHeader),
    }
    return {name: (lambda a=a: call_wsgi(a, dict(base))) for name, a in apps.items()}


def asgi_contenders(loop: asyncio.AbstractEventLoop) -> Dict[str, Callable[[int], float]]:
    """Each contender awaits call_asgi `n` times in `loop` and returns seconds per call."""
    app = fixed_response_app(200, BODY, {"Content-Type": "application/json"})
    base = make_scope("GET", "/items")
    apps = {
        "app directly": app,
        "compose(app)": compose(app),
        "m(app)": ASGIHeader(app),
        "compose(app, m)": compose(app, ASGIHeader),
    }

    def batch_for(asgi_app: Any) -> Callable[[int], float]:
        async def timed(n: int) -> float:
            gc.collect()
            enabled = gc.isenabled()
            gc.disable()
            try:
                start = time.perf_counter()
                for _ in range(n):
                    await call_asgi(asgi_app, dict(base))
                return (time.perf_counter() - start) / n
            finally:
                if enabled:
                    gc.enable()

        return lambda n: loop.run_until_complete(timed(n))

    return {name: batch_for(a) for name, a in apps.items()}


WITH_MIDDLEWARE = ("m(app)", "compose(app, m)")


def check(name: str, response: Any) -> None:
    """Stop unless the contender answered in full, with the middleware's header exactly when it has one."""
    if response.status_code != 200 or response.body != BODY or ("x-via" in response.headers) != (name in WITH_MIDDLEWARE):
        raise SystemExit(f"{name}: wrong answer {response!r} {response.headers!r}")


def check_wsgi(contenders: Dict[str, Callable[[], Any]]) -> None:
    for name, call in contenders.items():
        check(name, call())


def check_asgi(loop: asyncio.AbstractEventLoop) -> None:
    app = fixed_response_app(200, BODY, {"Content-Type": "application/json"})
    for name, asgi_app in (("compose(app)", compose(app)), ("compose(app, m)", compose(app, ASGIHeader))):
        check(name, loop.run_until_complete(call_asgi(asgi_app, make_scope("GET", "/items"))))


def report(title: str, results: Dict[str, Any], pairs: List[tuple]) -> str:
    rows = []
    for plain, composed in pairs:
        base = results[plain].median_us
        for name in (plain, composed):
            result = results[name]
            rows.append([name, f"{result.median_us:.2f}", f"± {result.spread_us:.2f}", f"{result.median_us / base:.3f}x"])
    return f"## {title}\n\n" + markdown_table(["contender", "µs/request", "± (IQR/2)", "vs its pair's first line"], rows)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("-n", "--requests", type=int, default=400, help="requests per contender per round (default 400)")
    parser.add_argument("--quick", action="store_true", help="5 rounds of 50 requests: a smoke run, not a measurement")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.requests = 5, 50

    print(f"# compose() per request\n\n{environment_line()}; {args.rounds} interleaved rounds of {args.requests} requests\n")
    pairs = [("app directly", "compose(app)"), ("m(app)", "compose(app, m)")]

    wsgi = wsgi_contenders()
    check_wsgi(wsgi)
    print(report("WSGI, through call_wsgi", interleaved(wsgi, args.requests, args.rounds), pairs))
    print()

    loop = asyncio.new_event_loop()
    try:
        check_asgi(loop)
        asgi = asgi_contenders(loop)
        print(report("ASGI, through call_asgi (one event loop)", interleaved_batches(asgi, args.requests, args.rounds), pairs))
    finally:
        loop.close()
    print()
    print("compose(app) returns the app itself and compose(app, m) returns m(app): each pair should agree within the noise.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
