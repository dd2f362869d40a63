"""docs/api.md documents every public name, public method and property, and parameter of the package.

The public surface is read at run time: the names of `asgiwsgi_testkit.__all__`
and `asgiwsgi_testkit.testclient.__all__`, plus the session class the
synchronous client's `websocket_connect()` yields; for each class, its
constructor's parameters (`inspect.signature`) and every public member defined
by a class of the package in its MRO (unittest's and the builtins' are not
ours to document); for each callable, its parameters. Not checked: `self`,
`cls`, and `**` catch-alls (`**kwargs`, `**more`, `**other_clients_keywords`,
`**ignored`), whose accepted names no signature shows; the reference names
those keywords in prose.

The format of docs/api.md that this test reads:

- a `### Name` heading per public class or function, and a
  `### Class.member` heading per method (`### Class.get / post / put` covers
  several members of one class);
- a parameter, attribute or method is documented in a section when the
  section writes it in a code span that starts with its name: `name`,
  `name=`, `*name`, `name()` or `name(...)`;
- a method or property without parameters may instead be written so in its
  class's section;
- a member defined on a documented public base class (`ResponseAssertions`)
  may be documented there;
- a section that says "Same parameters as [`Other.member`](#othermember)"
  documents every parameter that the linked section documents.
"""

from __future__ import annotations

import inspect
import os
import re
import unittest
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API_MD = os.path.join(ROOT, "docs", "api.md")

_HEADING = re.compile(r"^(#{1,6}) (.+)$")
_CODE_NAME = re.compile(r"`\*{0,2}([A-Za-z_][A-Za-z0-9_]*)")
_SAME_AS = re.compile(r"[Ss]ame\s+parameters\s+as\s+\[`?([A-Za-z_][\w.]*)`?\]\(#[\w\-]+\)")


def public_objects() -> dict[str, Any]:
    """Every name the reference must document, with its object."""
    import asgiwsgi_testkit
    import asgiwsgi_testkit.testclient as drop_in
    from asgiwsgi_testkit._sync_client import SyncWebSocketSession

    objects = {name: getattr(asgiwsgi_testkit, name) for name in asgiwsgi_testkit.__all__}
    for name in drop_in.__all__:
        assert name not in objects, f"testclient.{name} shadows a package name; give it a heading of its own"
        objects[name] = getattr(drop_in, name)
    objects["SyncWebSocketSession"] = SyncWebSocketSession  # what SyncASGITestClient.websocket_connect() yields
    return objects


def sections(text: str) -> dict[str, str]:
    """`{'Class.member': section text}` for every level-3 heading, outside code blocks."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            current = None
            if len(heading.group(1)) == 3:
                current = []
                parts = [part.strip().strip("`") for part in heading.group(2).split(" / ")]
                owner = parts[0].rpartition(".")[0]
                for position, part in enumerate(parts):
                    found[part if position == 0 or not owner else f"{owner}.{part}"] = current
            continue
        if current is not None:
            current.append(line)
    return {key: "\n".join(lines) for key, lines in found.items()}


def documented_names(all_sections: dict[str, str], key: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The names a section writes in code spans, with those of the sections it says it has the same parameters as."""
    text = all_sections.get(key, "")
    names = set(_CODE_NAME.findall(text))
    for other in _SAME_AS.findall(text):
        if other not in seen and other in all_sections:
            names |= documented_names(all_sections, other, seen | {key})
    return names


def checked_parameters(function: Any) -> list[str]:
    """The parameters a reader must find documented: all but self/cls and ** catch-alls."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # a builtin's __init__, as for exceptions without one of their own
        return []
    return [
        name
        for name, parameter in signature.parameters.items()
        if name not in ("self", "cls") and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]


def public_members(cls: type) -> dict[str, tuple[type, Any]]:
    """`{name: (defining class, raw attribute)}` for the public members the package's classes in the MRO define."""
    members: dict[str, tuple[type, Any]] = {}
    for owner in reversed(cls.__mro__):
        if not owner.__module__.startswith("asgiwsgi_testkit"):
            continue
        for name, value in vars(owner).items():
            if not name.startswith("_"):
                members[name] = (owner, value)
    return members


def _callable_of(value: Any) -> Any:
    if isinstance(value, (classmethod, staticmethod)):
        return value.__func__
    if inspect.isfunction(value):
        return value
    return None


def missing_from_reference(text: str) -> list[str]:
    """What docs/api.md leaves undocumented, one line each; empty when the reference is complete."""
    all_sections = sections(text)
    objects = public_objects()
    public_classes = {obj: name for name, obj in objects.items() if inspect.isclass(obj)}
    missing = []
    for name, obj in objects.items():
        if name not in all_sections:
            missing.append(f"{name}: no '### {name}' section")
            continue
        own = documented_names(all_sections, name)
        if not inspect.isclass(obj):
            missing += [f"{name}: parameter `{p}` is not documented" for p in checked_parameters(obj) if p not in own]
            continue
        init_owner = next(base for base in obj.__mro__ if "__init__" in vars(base))
        if init_owner.__module__.startswith("asgiwsgi_testkit"):  # not unittest's methodName, nor a builtin's
            missing += [f"{name}(): parameter `{p}` is not documented" for p in checked_parameters(obj) if p not in own]
        for member, (owner, value) in sorted(public_members(obj).items()):
            homes = [name] + [public_classes[base] for base in obj.__mro__[1:] if base in public_classes and member in vars(base)]
            keyed = [f"{home}.{member}" for home in homes if f"{home}.{member}" in all_sections]
            function = _callable_of(value)
            parameters = checked_parameters(function) if function is not None else []
            if keyed:
                names = documented_names(all_sections, keyed[0])
                missing += [f"{keyed[0]}: parameter `{p}` is not documented" for p in parameters if p not in names]
            elif parameters:
                missing.append(f"{name}.{member}: no '### {name}.{member}' section for its parameters {', '.join(parameters)}")
            elif not any(member in documented_names(all_sections, home) for home in homes):
                missing.append(f"{name}.{member}: not documented (a '### {name}.{member}' section, or `{member}` in the {name} section)")
    return missing


class APIReferenceTests(unittest.TestCase):
    maxDiff = None

    def test_every_public_name_member_and_parameter_is_documented(self):
        with open(API_MD, encoding="utf-8") as file:
            text = file.read()
        missing = missing_from_reference(text)
        self.assertEqual(missing, [], f"docs/api.md leaves {len(missing)} thing(s) undocumented:\n  " + "\n  ".join(missing))

    def test_the_check_names_what_is_missing(self):
        text = (
            "### make_environ\n`method`, `path`\n"
            "### WSGITestClient\n`app`, `base_url=`\n"
            "### WSGITestClient.request\n`method`, `path`, `query=`\n"
            "### ASGITestClient\n`app`\n"
            "### ASGITestClient.request\nSame parameters as [`WSGITestClient.request`](#wsgitestclientrequest).\n"
        )
        missing = missing_from_reference(text)
        self.assertIn("make_environ: parameter `query_string` is not documented", missing)
        self.assertIn("WSGITestClient(): parameter `headers` is not documented", missing)
        self.assertIn("WSGITestClient.request: parameter `headers` is not documented", missing)
        self.assertIn("ASGITestClient.request: parameter `headers` is not documented", missing)
        self.assertNotIn("ASGITestClient.request: parameter `query` is not documented", missing)
        self.assertIn("validate_wsgi: no '### validate_wsgi' section", missing)
        self.assertTrue(any(line.startswith("WSGITestClient.stream: no '### WSGITestClient.stream' section for its parameters method, path") for line in missing))

    def test_a_heading_may_cover_several_members(self):
        found = sections("### Headers.get / get_all\ntext\n## Next\n### Other\n```\n### not a heading\n```\n")
        self.assertEqual(sorted(found), ["Headers.get", "Headers.get_all", "Other"])
        self.assertEqual(found["Headers.get"], found["Headers.get_all"])
        self.assertNotIn("not a heading", "".join(found))

    def test_code_spans_document_names_by_their_first_identifier(self):
        names = documented_names({"x": "`query=`, `*middleware`, `close()`, `send_json(data, mode)`, plain words"}, "x")
        self.assertEqual(names, {"query", "middleware", "close", "send_json"})


if __name__ == "__main__":
    unittest.main()
