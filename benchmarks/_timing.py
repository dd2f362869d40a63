"""Shared timing helpers for the benchmark scripts: interleaved rounds, medians, markdown tables.

Interleaving matters more than repetition: CPU frequency, other processes and
the allocator drift over seconds, so every contender runs one batch per round,
in a rotating order, and each contender's figure is the median of its batches.
Two contenders measured in the same round saw the same machine.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import statistics
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

__all__ = ["ROOT", "Result", "environment_line", "interleaved", "interleaved_batches", "markdown_table", "time_calls", "use_checkout"]

#: the checkout root (the directory that holds asgiwsgi_testkit/)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def use_checkout() -> None:
    """Make `import asgiwsgi_testkit` find the checkout, whatever the interpreter and cwd."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)


class Result:
    """One contender's batches: per-call seconds of each round."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.per_call: List[float] = []

    @property
    def median_us(self) -> float:
        return statistics.median(self.per_call) * 1e6

    @property
    def spread_us(self) -> float:
        """Half the distance between the quartiles, in µs (how noisy the rounds were)."""
        if len(self.per_call) < 4:
            return 0.0
        q = statistics.quantiles(self.per_call, n=4)
        return (q[2] - q[0]) / 2 * 1e6


def time_calls(call: Callable[[], object], n: int) -> float:
    """Seconds per call of `n` calls, with the cyclic GC off as timeit does."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(n):
            call()
        return (time.perf_counter() - start) / n
    finally:
        if enabled:
            gc.enable()


def interleaved(contenders: Dict[str, Callable[[], object]], n: int, rounds: int = 15, warmup: int = 1) -> Dict[str, Result]:
    """Time each contender `n` calls per round for `rounds` rounds, rotating the order each round."""
    return interleaved_batches({name: functools.partial(time_calls, call) for name, call in contenders.items()}, n, rounds, warmup)


def interleaved_batches(batches: Dict[str, Callable[[int], float]], n: int, rounds: int = 15, warmup: int = 1) -> Dict[str, Result]:
    """As `interleaved()`, for contenders that time their own batch: `batch(n)` returns seconds per call.

    For work that cannot be a plain loop of calls, e.g. awaited inside an event loop.
    """
    names = list(batches)
    results = {name: Result(name) for name in names}
    for _ in range(warmup):
        for name in names:
            batches[name](max(1, n // 4))
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].per_call.append(batches[name](n))
    return results


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; numbers are right-aligned."""
    text_rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in text_rows)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in text_rows) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if num else ("-" * (w + 2)) for w, num in zip(widths, numeric)) + "|"
    return "\n".join([line([str(h) for h in headers]), rule] + [line(r) for r in text_rows])


def _is_number(cell: str) -> bool:
    try:
        float(cell.rstrip("×x%").replace(",", ""))
    except ValueError:
        return False
    return True


def environment_line(extra: Optional[str] = None) -> str:
    """Python version and platform, so that a pasted table says where it was measured."""
    import platform

    parts = [f"Python {platform.python_version()} ({platform.python_implementation()})", platform.platform(terse=True)]
    try:
        import asgiwsgi_testkit

        parts.append(f"asgiwsgi_testkit {asgiwsgi_testkit.__version__}")
    except ImportError:  # pragma: no cover - the scripts call use_checkout() first
        pass
    if extra:
        parts.append(extra)
    return "; ".join(parts)


# -- the payloads every protocol's benchmark sends (the same bytes, so WSGI and ASGI numbers compare) --------

ITEMS = {"items": [{"id": 1, "title": "write benchmarks", "done": False}, {"id": 2, "title": "profile", "done": True}], "count": 2}
ITEMS_BODY = json.dumps(ITEMS, separators=(",", ":")).encode()
ECHO_VALUE = {"title": "buy milk", "tags": ["home", "errand"], "priority": 2}
ECHO_BODY = json.dumps(ECHO_VALUE, separators=(",", ":")).encode()
CHUNK = 1024
CHUNKS = 1000
BIG_CHUNK = 64 * 1024
BIG_TOTAL = 50 * 1024 * 1024
