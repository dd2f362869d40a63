"""Print the docs' table of validator rules, generated from the catalogue in a validator's docstring.

    python -m examples._rules_table                   # the validate_wsgi table (from the repository root)
    python -m examples._rules_table asgi              # the validate_asgi table
    python -m examples._rules_table transitions http  # the order of an app's HTTP messages (_asgi_states)

The catalogue is the "Rules" block of `asgiwsgi_testkit/_<kind>_validate.py`:
one entry per rule, two spaces in, the rule id, what is checked, and
optionally `-- "the spec sentence it enforces"`; continuation lines are
indented further. examples/test_docs.py checks that docs/validation.md holds
exactly this output, so the table and the code cannot drift apart. The
transitions table is made the same way from `TRANSITIONS` in
`asgiwsgi_testkit/_asgi_states.py`, the one place that decides which message
an ASGI app may send next.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import NamedTuple

__all__ = ["Rule", "markdown_table", "rules_from_docstring", "table_for", "transitions_table"]

_ENTRY = re.compile(r"^  ((?:wsgi|asgi)\.[a-z0-9_.\-]+)(?:\s+(.*))?$")
_CONTINUATION = re.compile(r"^ {3,}(\S.*)$")


class Rule(NamedTuple):
    rule: str
    checks: str
    spec: str


def rules_from_docstring(doc: str) -> list[Rule]:
    """The catalogue entries of a validator module's docstring, in order."""
    entries: list[list[str]] = []
    for line in doc.splitlines():
        entry = _ENTRY.match(line)
        if entry:
            entries.append([entry.group(1), entry.group(2) or ""])
            continue
        more = _CONTINUATION.match(line)
        if more and entries:
            entries[-1][1] += " " + more.group(1)
        elif entries and line.strip() and not line.startswith(" "):
            break  # the first unindented paragraph ends the catalogue
    rules = []
    for rule, text in entries:
        checks, _, spec = text.partition(" -- ")
        if text.startswith("-- "):
            checks, spec = "", text[3:]
        rules.append(Rule(rule, " ".join(checks.split()), " ".join(spec.split())))
    return rules


def _cell(text: str) -> str:
    """Table-cell text: escape the column bar, and '<' so that '<reason>' is not read as HTML."""
    return text.replace("|", "\\|").replace("<", "&lt;")


def markdown_table(rules: list[Rule]) -> str:
    """The rules as a Markdown table: rule id, what is checked, the spec's words."""
    lines = ["| rule | what is checked | the spec says |", "|---|---|---|"]
    for rule in rules:
        lines.append(f"| `{rule.rule}` | {_cell(rule.checks)} | {_cell(rule.spec)} |")
    return "\n".join(lines)


def table_for(kind: str = "wsgi") -> str:
    """The Markdown table for `asgiwsgi_testkit._<kind>_validate`."""
    module = importlib.import_module(f"asgiwsgi_testkit._{kind}_validate")
    return markdown_table(rules_from_docstring(module.__doc__ or ""))


# Event keys refine a message type by the flag that decides the next state ("+more", "+trailers").
_SUFFIX_FLAGS = {
    ("http.response.body", "more"): "more_body",
    ("websocket.http.response.body", "more"): "more_body",
    ("http.response.trailers", "more"): "more_trailers",
    ("http.response.start", "trailers"): "trailers",
}


def _message_text(key: str, flags: dict[str, str]) -> str:
    """An event key in words: '`http.response.body` with `more_body: True`'."""
    kind, _, suffix = key.partition("+")
    if suffix:
        return f"`{kind}` with `{_SUFFIX_FLAGS[(kind, suffix)]}: True`"
    if kind in flags:
        return f"`{kind}`, `{flags[kind]}` false or absent"
    return f"`{kind}`"


def transitions_table(scope_type: str = "http") -> str:
    """The transition table of one ASGI scope type as Markdown: state, message, next state, rule broken otherwise."""
    from asgiwsgi_testkit import _asgi_states as states

    table = states.TRANSITIONS[scope_type]
    flags = {kind: _SUFFIX_FLAGS[(kind, suffix)] for moves in table.values() for kind, _, suffix in (k.partition("+") for k in moves) if suffix}
    lines = ["| state | the app sends | next state | any other message breaks |", "|---|---|---|---|"]
    for state, moves in table.items():
        rule = f"`{states._STATE_RULES[(scope_type, state)][0]}`"
        if not moves:
            lines.append(f"| `{state}` | nothing | | {rule} |")
        for key, following in moves.items():
            lines.append(f"| `{state}` | {_message_text(key, flags)} | `{following}` | {rule} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if __package__ in (None, ""):  # run as a file path: make the repository root importable
        import os

        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    arguments = sys.argv[1:] or ["wsgi"]
    if arguments[0] == "transitions":
        print(transitions_table(arguments[1] if len(arguments) > 1 else "http"))
    else:
        print(table_for(arguments[0]))
