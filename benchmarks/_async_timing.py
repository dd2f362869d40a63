"""Timing async contenders beside sync ones, in a normal and a debug-mode event loop (shared by bench_asgi and bench_websocket).

A `Call` is one contender in one mode; `batch_of()` turns it into the
`batch(n) -> seconds per call` that `_timing.interleaved_batches` runs, and
`measure()` puts both modes of every contender in the same interleaved rounds.
`Loops` keeps the two loops alive for the whole run and checks, when closing,
that no contender left a task pending.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple, Union

from _timing import interleaved_batches, time_calls

MODES = ("normal", "debug")


class Call(NamedTuple):
    """One contender in one mode: an async callable awaited in `loop`, or a sync one when `loop` is None."""

    run: Callable[[], Any]
    loop: Optional[asyncio.AbstractEventLoop]
    share: float = 1.0  # the fraction of the batch size it runs (a contender 50x slower need not run 400 calls)


async def _awaited_calls(run: Callable[[], Any], n: int) -> float:
    """Seconds per call of `n` awaited calls, timed inside the running loop, cyclic GC off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(n):
            await run()
        return (time.perf_counter() - start) / n
    finally:
        gc.enable()


def run_once(call: Call) -> Any:
    return call.loop.run_until_complete(call.run()) if call.loop is not None else call.run()


def batch_of(call: Call) -> Callable[[int], float]:
    def batch(n: int) -> float:
        count = max(1, round(n * call.share))
        if call.loop is None:
            return time_calls(call.run, count)
        return call.loop.run_until_complete(_awaited_calls(call.run, count))

    return batch


def check_answers(contenders: Dict[str, Dict[str, Call]], expected: Any, parse: Callable[[Any], Any] = lambda x: x) -> None:
    """Run each contender once in each mode; its answer, parsed, must equal `expected`."""
    for name, modes in contenders.items():
        for mode, call in modes.items():
            got = parse(run_once(call))
            if got != expected:
                raise SystemExit(f"{name} ({mode}) answered {got!r:.120}, expected {expected!r:.120}: not timing a contender that does something else")


def measure(contenders: Dict[str, Dict[str, Call]], n: int, rounds: int) -> Dict[str, Dict[str, Any]]:
    """Both modes of every contender in the same interleaved rounds: {contender: {mode: Result}}."""
    flat = interleaved_batches({f"{name}\0{mode}": batch_of(call) for name, modes in contenders.items() for mode, call in modes.items()}, n, rounds)
    results: Dict[str, Dict[str, Any]] = {}
    for key, result in flat.items():
        name, mode = key.split("\0")
        results.setdefault(name, {})[mode] = result
    return results


class Loops:
    """A normal and a debug-mode event loop, both alive for the whole run, with cleanups run before they close."""

    def __init__(self) -> None:
        self.normal = asyncio.new_event_loop()
        self.debug = asyncio.new_event_loop()
        self.debug.set_debug(True)
        # The batches run thousands of requests in one task step; asyncio's "Executing <Task> took 0.1 seconds" lines would only be noise.
        self.debug.slow_callback_duration = 60.0
        self._cleanups: List[Tuple[Optional[asyncio.AbstractEventLoop], Callable[[], Any]]] = []

    def of(self, mode: str) -> asyncio.AbstractEventLoop:
        return self.debug if mode == "debug" else self.normal

    def at_close(self, where: Union[str, asyncio.AbstractEventLoop, None], cleanup: Callable[[], Any]) -> None:
        """Call `cleanup` before the loops close: awaited in a loop (given, or by mode), or called when `where` is None."""
        loop = self.of(where) if isinstance(where, str) else where
        self._cleanups.append((loop, cleanup))

    def close(self) -> None:
        for loop, cleanup in reversed(self._cleanups):
            if loop is None:
                cleanup()
            else:
                loop.run_until_complete(cleanup())
        for loop in (self.normal, self.debug):
            left = asyncio.all_tasks(loop)
            if left:
                raise SystemExit(f"tasks left pending in the {'debug' if loop is self.debug else 'normal'} loop: {left!r}")
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
