"""Load the recorded real-server fixtures (../shared/fixtures) for the differential tests.

Each `<server>/<case>.json` says what a real server handed an app for one raw
request (see the fixtures' README.md). This module finds the folder, decodes
its type-marked JSON and parses the raw request bytes; it knows nothing about
the kit. Tests that need the fixtures decorate themselves with
`skip_without_fixtures`, so a checkout without ../shared still runs cleanly.
"""

from __future__ import annotations

import json
import os
import re
import unittest
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "FIXTURES_DIR",
    "RawRequest",
    "cases",
    "decode",
    "expand_omitted",
    "fixtures_available",
    "load",
    "parse_request",
    "request_of",
    "root_path_of",
    "servers",
    "skip_without_fixtures",
]

#: `<repo>/../shared/fixtures`; the environment variable ASGIWSGI_FIXTURES overrides it.
FIXTURES_DIR = Path(os.environ.get("ASGIWSGI_FIXTURES") or Path(__file__).resolve().parents[2] / "shared" / "fixtures")

# Files in a server folder that are not request cases.
_NOT_CASES = re.compile(r"_server\Z|lifespan__|variant__")
# How the recorder abbreviated a long run of bytes in `client.request` (the long-header cases).
_OMITTED = re.compile(r"\.\.\.<(\d+) bytes omitted>\.\.\.")


def fixtures_available() -> bool:
    return FIXTURES_DIR.is_dir()


skip_without_fixtures = unittest.skipUnless(
    fixtures_available(),
    f"recorded real-server fixtures not found at {FIXTURES_DIR} (set ASGIWSGI_FIXTURES to their folder)",
)


def decode(value: Any) -> Any:
    """Undo the fixtures' type marks: {"$bytes": s} -> s.encode("latin-1"), {"$tuple": xs} -> tuple(xs).

    Applied recursively; `{"$object": ..., "$repr": ...}` records of other
    objects are kept as dicts, since the original object is gone.
    """
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        if len(value) == 1:
            if "$bytes" in value:
                return value["$bytes"].encode("latin-1")
            if "$tuple" in value:
                return tuple(decode(item) for item in value["$tuple"])
        return {key: decode(item) for key, item in value.items()}
    return value


@lru_cache(maxsize=None)
def _load_raw(server: str, case: str) -> str:
    return (FIXTURES_DIR / server / f"{case}.json").read_text(encoding="utf-8")


def load(server: str, case: str) -> dict[str, Any]:
    """The decoded record of one case on one server (a fresh copy each call)."""
    return decode(json.loads(_load_raw(server, case)))


def servers(interface: str) -> list[str]:
    """The recorded servers speaking `interface` ("wsgi" or "asgi"), sorted by name."""
    found = []
    for folder in sorted(FIXTURES_DIR.iterdir()):
        info = folder / "_server.json"
        if info.is_file() and json.loads(info.read_text(encoding="utf-8")).get("interface") == interface:
            found.append(folder.name)
    return found


def cases(server: str) -> list[str]:
    """The request cases recorded for `server` (no `_server`, lifespan or app-variant files), sorted."""
    names = (path.stem for path in (FIXTURES_DIR / server).glob("*.json"))
    return sorted(name for name in names if not _NOT_CASES.match(name))


def request_of(record: dict[str, Any], siblings: list[dict[str, Any]] = ()) -> str | None:  # type: ignore[assignment]
    """The raw request text of a record, or of the first sibling record of the same case that kept it.

    A record whose client driver failed (e.g. a broken pipe while sending)
    has no `client.request`; the bytes sent were the same on every server but
    for the Host header's port.
    """
    for candidate in (record, *siblings):
        text = candidate.get("client", {}).get("request")
        if text is not None:
            return text
    return None


def root_path_of(record: dict[str, Any]) -> str:
    """The mount prefix the server was started with ('' for the default configuration)."""
    match = re.search(r"(?:SCRIPT_NAME=|--url-prefix=|--root-path[ =])(/\S*)", record.get("command", ""))
    return match.group(1) if match else ""


class RawRequest(NamedTuple):
    """One request as it was on the wire. Text fields are the bytes decoded as latin-1."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]  # (name, value) as sent, value with its surrounding whitespace
    body: bytes  # de-chunked when the request was chunked
    chunks: tuple[bytes, ...] | None  # the chunks of a chunked body, None otherwise

    def header(self, name: str) -> str | None:
        """The first value of a header (stripped), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value.strip(" \t")
        return None


def expand_omitted(text: str) -> str:
    """Restore the runs the recorder abbreviated as `...<N bytes omitted>...` in a raw request.

    Only a run of one repeated character can be restored (the character on
    both sides of the marker, N more times); anything else is a ValueError.
    """
    def restore(match: re.Match) -> str:
        before, after = match.string[match.start() - 1 : match.start()], match.string[match.end() : match.end() + 1]
        if not before or before != after:
            raise ValueError(f"cannot restore {match.group(0)!r}: it is not inside a run of one character")
        return before * int(match.group(1))

    return _OMITTED.sub(restore, text)


def parse_request(text: str) -> RawRequest:
    """Parse the raw request text of a fixture (`client.request`, latin-1) into its parts."""
    data = expand_omitted(text).encode("latin-1")
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name, value))
    chunked = any(n.lower() == "transfer-encoding" and "chunked" in v.lower() for n, v in headers)
    if not chunked:
        return RawRequest(method, target, version, headers, rest, None)
    chunks = []
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2:]
    return RawRequest(method, target, version, headers, b"".join(chunks), tuple(chunks))
