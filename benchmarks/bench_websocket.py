"""Cost of the kit's WebSocket sessions beside a hand-written exchange over two asyncio.Queues, in a normal and a debug-mode loop.

    cd /work/main && python3 benchmarks/bench_websocket.py [--rounds 15] [--quick] [--profile]

Two measurements on one hand-written echo app:

1. a text round trip (`send_text()` then `receive_text()`) through a session
   accepted once before timing, against the same exchange by hand: the app in
   a task whose receive/send are `inbox.get` / `outbox.put` of two
   asyncio.Queues;
2. a whole session: connect, accept, `close()` and the app's return, against
   the same by hand (a task, two queues, connect, accept, disconnect, await);
   a WebSocketSession on a prebuilt scope shows what the session itself costs
   apart from building the request and the scope.

Both loops (normal, and `set_debug(True)` as IsolatedAsyncioTestCase runs
tests) are measured in the same interleaved rounds. Starlette's TestClient is
an optional anchor (sync, outside the loops, with its own portal thread).
Every contender's answer is checked once before timing. `--profile` prints
where the kit's time goes (cProfile, normal loop) for both measurements.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import warnings
from typing import Any, Callable, Dict, List, Optional

from _async_timing import MODES, Call, Loops, _awaited_calls, check_answers, measure
from _timing import environment_line, markdown_table, use_checkout

use_checkout()

from asgiwsgi_testkit import ASGITestClient, WebSocketSession, make_websocket_scope, validate_asgi  # noqa: E402

PING = "ping"
ROUND_TRIP_TARGET = 1.5
SESSION_TARGET = 2.0


async def echo_app(scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """Accepts, echoes every message, returns on websocket.disconnect. No lifespan: it raises on other scopes."""
    if scope["type"] != "websocket":
        raise RuntimeError(f"this app handles only websocket scopes, not {scope['type']!r}")
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        await send({"type": "websocket.send", "text": text} if text is not None else {"type": "websocket.send", "bytes": message["bytes"]})


# -- by hand: the floor any harness pays ---------------------------------------------------------

SCOPE = make_websocket_scope("/ws")


class HandSession:
    """The app in a task, talking to two asyncio.Queues."""

    async def open(self) -> str:
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(echo_app(dict(SCOPE), self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "websocket.connect"})
        return (await self.outbox.get())["type"]

    async def round_trip(self) -> str:
        await self.inbox.put({"type": "websocket.receive", "text": PING})
        return (await self.outbox.get())["text"]

    async def close(self) -> None:
        await self.inbox.put({"type": "websocket.disconnect", "code": 1000})
        await self.task


async def hand_session_cycle() -> str:
    session = HandSession()
    accepted = await session.open()
    await session.close()
    return accepted


async def session_only_cycle(app: Any) -> str:
    """The session alone on a prebuilt scope: what websocket_connect() costs beyond building the request and scope."""
    session = WebSocketSession(app, SCOPE, 5.0, "WebSocket /ws")
    await session.connect()
    state = session.state.value
    await session.close()
    await session.leave()
    return state


async def kit_session_cycle(client: ASGITestClient) -> str:
    async with client.websocket_connect("/ws") as ws:
        state = ws.state.value
        await ws.close()
    return state


# -- running contenders in two loops ---------------------------------------------------------------





def _starlette_client() -> Any:
    """Starlette's TestClient class, or None (with a note) when it is not installed."""
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*deprecated")
    try:
        from starlette.testclient import TestClient
    except ImportError as exc:
        print(f"- Starlette skipped: not installed ({exc}); `pip install starlette httpx` to compare\n")
        return None
    return TestClient


HAND_ROUND_TRIP = "by hand: a task and two asyncio.Queues"
KIT_ROUND_TRIP = "kit send_text() + receive_text() (validate on)"
HAND_SESSION = "by hand: a task, two asyncio.Queues, connect/accept/disconnect"
KIT_SESSION = "kit `async with websocket_connect()` + close() (validate on)"


def round_trip_contenders(loops: Loops, TestClient: Any) -> Dict[str, Dict[str, Call]]:
    """Sessions opened once per contender and mode; each call is one text round trip."""
    contenders: Dict[str, Dict[str, Call]] = {}
    for mode in MODES:
        loop = loops.of(mode)
        hand = HandSession()
        loop.run_until_complete(hand.open())
        loops.at_close(loop, hand.close)
        contenders.setdefault(HAND_ROUND_TRIP, {})[mode] = Call(hand.round_trip, loop)
        for label, validate in ((KIT_ROUND_TRIP, True), ("kit send_text() + receive_text() (validate=False)", False)):
            connection = ASGITestClient(echo_app, validate=validate, lifespan="off").websocket_connect("/ws")
            ws = loop.run_until_complete(connection.__aenter__())
            loops.at_close(loop, lambda connection=connection: connection.__aexit__(None, None, None))

            async def kit_round_trip(ws: Any = ws) -> str:
                await ws.send_text(PING)
                return await ws.receive_text()

            contenders.setdefault(label, {})[mode] = Call(kit_round_trip, loop)
        if TestClient is not None:
            client = TestClient(echo_app, backend_options={"debug": True} if mode == "debug" else {})
            connection = client.websocket_connect("/ws")
            session = connection.__enter__()
            loops.at_close(None, lambda connection=connection: connection.__exit__(None, None, None))

            def starlette_round_trip(session: Any = session) -> str:
                session.send_text(PING)
                return session.receive_text()

            contenders.setdefault("Starlette TestClient websocket_connect (sync, portal thread)", {})[mode] = Call(starlette_round_trip, None, 0.25)
    return contenders


def session_contenders(loops: Loops, TestClient: Any) -> Dict[str, Dict[str, Call]]:
    """Each call is a whole session: connect, accept, close, the app's return."""
    contenders: Dict[str, Dict[str, Call]] = {}
    for mode in MODES:
        loop = loops.of(mode)
        contenders.setdefault(HAND_SESSION, {})[mode] = Call(hand_session_cycle, loop)
        for label, validate in ((KIT_SESSION, True), ("kit `async with websocket_connect()` + close() (validate=False)", False)):
            client = ASGITestClient(echo_app, validate=validate, lifespan="off")
            contenders.setdefault(label, {})[mode] = Call(lambda client=client: kit_session_cycle(client), loop)
        validated = validate_asgi(echo_app)
        contenders.setdefault("kit WebSocketSession on a prebuilt scope, validated app (no client, no request building)", {})[mode] = Call(lambda: session_only_cycle(validated), loop)
        if TestClient is not None:
            client = TestClient(echo_app, backend_options={"debug": True} if mode == "debug" else {})

            def starlette_cycle(client: Any = client) -> str:
                with client.websocket_connect("/ws") as session:
                    session.close()
                return "open"

            contenders.setdefault("Starlette TestClient websocket_connect + close (sync, a portal thread each)", {})[mode] = Call(starlette_cycle, None, 0.05)
    return contenders




def report(title: str, results: Dict[str, Dict[str, Any]], base: str, unit: str) -> str:
    headers = ["contender"]
    for mode in MODES:
        headers += [f"{unit} {mode}", "±", "× by hand"]
    rows = []
    for name, modes in results.items():
        row = [name]
        for mode in MODES:
            result = modes[mode]
            row += [f"{result.median_us:.1f}", f"{result.spread_us:.1f}", f"{result.median_us / results[base][mode].median_us:.2f}"]
        rows.append(row)
    return f"### {title}\n\n" + markdown_table(headers, rows)


def profile(call: Call, n: int, title: str, limit: int = 14) -> str:
    """cProfile of `n` calls of a kit contender in its loop: the functions with the most own time."""
    profiler = cProfile.Profile()
    assert call.loop is not None
    profiler.enable()
    call.loop.run_until_complete(_awaited_calls(call.run, n))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(limit)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return f"#### profile: {title} ({n} calls, normal loop, by own time)\n\n```\n" + "\n".join(lines[start:]) + "\n```"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("-n", "--round-trips", type=int, default=1000, help="round trips per contender per round (default 1000)")
    parser.add_argument("--sessions", type=int, default=200, help="whole sessions per contender per round (default 200)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls: a smoke run, not a measurement")
    parser.add_argument("--profile", action="store_true", help="print where the kit's time goes, for both measurements")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.round_trips, args.sessions = 3, 100, 20

    print(f"# WebSocket benchmarks\n\n{environment_line()}; {args.rounds} interleaved rounds; normal and debug-mode loops measured in the same rounds\n")
    TestClient = _starlette_client()
    loops = Loops()
    targets: List[str] = []
    try:
        trips = round_trip_contenders(loops, TestClient)
        check_answers(trips, PING)
        results = measure(trips, args.round_trips, args.rounds)
        print(report(f"1. text round trip in an open session; {args.round_trips} round trips per round", results, HAND_ROUND_TRIP, "µs/trip"))
        print()
        for mode in MODES:
            ratio = results[KIT_ROUND_TRIP][mode].median_us / results[HAND_ROUND_TRIP][mode].median_us
            targets.append(f"round trip, {mode} loop: kit (validate on) {ratio:.2f}× by hand ≤ {ROUND_TRIP_TARGET}×: {verdict(ratio <= ROUND_TRIP_TARGET)}")

        sessions = session_contenders(loops, TestClient)
        check_answers(sessions, "open", lambda answer: "open" if answer == "websocket.accept" else answer)
        results = measure(sessions, args.sessions, args.rounds)
        print(report(f"2. whole session: connect, accept, close, app returns; {args.sessions} sessions per round", results, HAND_SESSION, "µs/session"))
        print()
        for mode in MODES:
            ratio = results[KIT_SESSION][mode].median_us / results[HAND_SESSION][mode].median_us
            targets.append(f"connect + close, {mode} loop: kit (validate on) {ratio:.2f}× by hand ≤ {SESSION_TARGET}×: {verdict(ratio <= SESSION_TARGET)}")

        if args.profile:
            print(profile(trips[KIT_ROUND_TRIP]["normal"], args.round_trips * 5, "kit round trip"))
            print()
            print(profile(sessions[KIT_SESSION]["normal"], args.sessions * 5, "kit whole session"))
            print()
    finally:
        loops.close()

    print("### Targets\n")
    for line in targets:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
