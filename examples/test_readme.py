"""Tests that README.md's marked snippets run, print what it shows, and that its generated tables are current.

Conventions (also described at the end of the README):

- a ```python block right after the line `<!-- readme-test -->` is run in a
  fresh namespace; any unittest.TestCase it defines is then run as well, and a
  top-level `await` makes it run under asyncio.run();
- a ```python block right after `<!-- readme-no-test: <reason> -->` is exempt;
  every other ```python block is an error, so no snippet goes untested by accident;
- a ```text block right after `<!-- readme-output -->` must equal what the
  closest runnable snippet above it printed;
- the lines between `<!-- rules-table:<kind> -->` and `<!-- /rules-table -->`
  must equal `python -m examples._rules_table <kind>`, and those between
  `<!-- transitions-table:<scope> -->` and `<!-- /transitions-table -->`
  must equal `python -m examples._rules_table transitions <scope>`.

One test method per runnable snippet is generated, named after its line, so a
failure says which snippet broke; tracebacks point at README.md lines.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import inspect
import io
import os
import re
import sys
import unittest
import warnings
from typing import Any, NamedTuple

from examples._rules_table import rules_from_docstring, table_for, transitions_table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")

RUN = "<!-- readme-test -->"
OUTPUT = "<!-- readme-output -->"
EXEMPT = re.compile(r"<!-- readme-no-test: \S.* -->\Z")
_TABLE_START = re.compile(r"<!-- ((rules|transitions)-table):(\w+) -->\Z")
#: what makes each kind of generated table: `python -m examples._rules_table [transitions] <kind>`
GENERATORS = {"rules-table": table_for, "transitions-table": transitions_table}
_FENCE = re.compile(r"```(\w*)\s*\Z")


class Block(NamedTuple):
    language: str
    marker: str  # the line right before the opening fence, stripped
    line: int  # 1-based line number of the first code line
    code: str


def read_readme() -> str:
    with open(README, encoding="utf-8") as file:
        return file.read()


def fenced_blocks(text: str) -> list[Block]:
    """Every fenced code block, with the line before its opening fence."""
    lines = text.splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        marker = lines[index - 1].strip() if index else ""
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise ValueError(f"README.md line {index + 1}: code block is never closed")
        blocks.append(Block(opening.group(1), marker, index + 2, "\n".join(lines[index + 1 : end]) + "\n"))
        index = end + 1
    return blocks


def runnable_blocks(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if b.language == "python" and b.marker == RUN]


def expected_output(blocks: list[Block], snippet: Block) -> str | None:
    """The `readme-output` text block that belongs to `snippet`, if any (the next block, when it is one)."""
    position = blocks.index(snippet)
    if position + 1 < len(blocks):
        following = blocks[position + 1]
        if following.marker == OUTPUT:
            return following.code
    return None


def generated_tables(text: str) -> list[tuple[str, str, int, str]]:
    """`(table, kind, line, content)` for each generated table between its markers, e.g. ("rules-table", "wsgi", ...)."""
    lines = text.splitlines()
    tables = []
    for index, line in enumerate(lines):
        start = _TABLE_START.match(line.strip())
        if start:
            closing = f"<!-- /{start.group(1)} -->"
            try:
                end = lines.index(closing, index + 1)
            except ValueError:
                raise ValueError(f"README.md line {index + 1}: {line.strip()} has no {closing}") from None
            tables.append((start.group(1), start.group(3), index + 1, "\n".join(lines[index + 1 : end])))
    return tables


def run_snippet(block: Block) -> tuple[str, unittest.TestResult, list[str]]:
    """Execute one snippet in a fresh namespace; return what it printed, the result of its TestCases and its leftovers.

    Leftovers are the warnings it raised and the exceptions ignored in finalizers (a client left with its
    lifespan up, a task never awaited) once its namespace is gone: a snippet a reader copies must leave none."""
    name = f"readme_line_{block.line}"
    namespace: dict[str, Any] = {"__name__": name, "__file__": README}
    source = "\n" * (block.line - 1) + block.code  # so tracebacks show README.md line numbers
    code = compile(source, README, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    printed = io.StringIO()
    leftovers: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: leftovers.append(f"{unraisable.exc_type.__name__}: {unraisable.exc_value}")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with contextlib.redirect_stdout(printed):
                result = eval(code, namespace)
                if inspect.iscoroutine(result):
                    import asyncio

                    asyncio.run(result)
            cases = [
                value
                for value in namespace.values()
                if isinstance(value, type) and issubclass(value, unittest.TestCase) and value.__module__ == name
            ]
            suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(case) for case in cases)
            outcome = unittest.TestResult()
            suite.run(outcome)
            namespace.clear()
            del result, cases, suite
            gc.collect()
    finally:
        sys.unraisablehook = hook
    leftovers += [f"{w.category.__name__}: {w.message}" for w in caught]
    return printed.getvalue(), outcome, leftovers


def _failures(outcome: unittest.TestResult) -> str:
    return "\n".join(f"{test}:\n{trace}" for test, trace in outcome.failures + outcome.errors)


class ReadmeStructureTests(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.text = read_readme()
        self.blocks = fenced_blocks(self.text)

    def test_every_python_block_is_run_or_exempt_with_a_reason(self):
        unmarked = [b.line for b in self.blocks if b.language == "python" and b.marker != RUN and not EXEMPT.match(b.marker)]
        self.assertEqual(unmarked, [], f"python blocks at these README.md lines need {RUN} or <!-- readme-no-test: reason -->")

    def test_readme_has_runnable_snippets(self):
        self.assertGreaterEqual(len(runnable_blocks(self.blocks)), 8)

    def test_every_output_block_follows_a_runnable_snippet(self):
        for position, block in enumerate(self.blocks):
            if block.marker == OUTPUT:
                with self.subTest(line=block.line):
                    self.assertGreater(position, 0)
                    self.assertEqual(self.blocks[position - 1].marker, RUN, f"README.md line {block.line}: {OUTPUT} must follow a runnable snippet")

    def test_quick_start_shows_both_commands(self):
        self.assertIn("```sh\npython -m unittest discover -s examples -t .\n```", self.text)
        self.assertIn("```sh\npython -m pip install tox && python -m tox\n```", self.text)

    def test_what_the_readme_says_about_tox_is_true(self):
        with open(os.path.join(ROOT, "tox.ini"), encoding="utf-8") as file:
            tox = file.read()
        with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as file:
            ci = file.read()
        self.assertRegex(tox, r"envlist = py3\{9,10,11,12,13\}-\{table,swap,driver\}, frameworks, coverage\n")
        self.assertIn("skip_missing_interpreters = true", tox)
        self.assertIn("--fail-under=95", tox)
        for framework in ("flask", "django", "bottle", "pyramid", "falcon", "starlette", "fastapi", "quart", "litestar", "channels"):
            self.assertRegex(tox, rf"\n    {framework}\n")
        self.assertRegex(ci, r"\npython3 -m tox\n")

    def test_every_link_to_a_section_finds_its_heading(self):
        # GitHub's anchors: the heading lower-cased, punctuation other than '-' and '_' dropped, spaces as '-'
        anchors = {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in re.findall(r"^#{2,4} (.+)$", self.text, re.M)}
        links = re.findall(r"\]\(#([^)]+)\)", self.text)
        self.assertGreater(len(links), 10)
        self.assertEqual(sorted(set(links) - anchors), [], "README.md links to sections that do not exist")

    def test_asgi_section_is_present(self):
        self.assertRegex(self.text, r"\n## ASGI\n")
        self.assertFalse("Coming with the ASGI client." in self.text, "README.md still has the ASGI placeholder line")


class ReadmeRulesTableTests(unittest.TestCase):
    maxDiff = None

    def test_generated_tables_match_their_sources(self):
        tables = generated_tables(read_readme())
        present = [(table, kind) for table, kind, _, _ in tables]
        for wanted in [("rules-table", "wsgi"), ("rules-table", "asgi"), ("transitions-table", "http")]:
            self.assertIn(wanted, present)
        for table, kind, line, content in tables:
            with self.subTest(table=table, kind=kind, line=line):
                command = f"python -m examples._rules_table {'transitions ' if table == 'transitions-table' else ''}{kind}"
                self.assertEqual(content, GENERATORS[table](kind), f"README.md line {line}: regenerate with {command}")

    def test_transitions_table_has_one_row_per_transition_and_final_state(self):
        from asgiwsgi_testkit._asgi_states import TRANSITIONS

        for scope_type, table in TRANSITIONS.items():
            with self.subTest(scope_type=scope_type):
                rows = transitions_table(scope_type).splitlines()[2:]
                self.assertEqual(len(rows), sum(len(moves) or 1 for moves in table.values()))
                for state, moves in table.items():
                    for following in moves.values():
                        self.assertTrue(any(row.startswith(f"| `{state}` |") and f"| `{following}` |" in row for row in rows), (state, following))

    def test_catalogue_parser_finds_every_rule_id(self):
        import importlib

        for kind in ("wsgi", "asgi"):
            with self.subTest(kind=kind):
                module = importlib.import_module(f"asgiwsgi_testkit._{kind}_validate")
                rules = rules_from_docstring(module.__doc__ or "")
                self.assertEqual([r.rule for r in rules], list(module.RULES))
                self.assertTrue(all(r.checks for r in rules), "every rule says what it checks")


class ReadmeSnippetTests(unittest.TestCase):
    """One generated test per runnable snippet: test_snippet_at_line_<n>_runs."""

    maxDiff = None


def _make_snippet_test(block: Block, output: str | None) -> Any:
    def test(self: unittest.TestCase) -> None:
        printed, outcome, leftovers = run_snippet(block)
        self.assertTrue(outcome.wasSuccessful(), f"the TestCase in the README.md snippet at line {block.line} failed:\n{_failures(outcome)}")
        self.assertEqual(leftovers, [], f"README.md line {block.line}: the snippet leaves warnings or ignored exceptions behind")
        if output is not None:
            self.assertEqual(printed.rstrip("\n"), output.rstrip("\n"), f"README.md line {block.line}: the readme-output block differs from what the snippet prints")

    test.__doc__ = f"README.md snippet at line {block.line} runs" + (" and prints the block below it" if output is not None else "")
    return test


def _add_snippet_tests() -> None:
    blocks = fenced_blocks(read_readme())
    for block in runnable_blocks(blocks):
        setattr(ReadmeSnippetTests, f"test_snippet_at_line_{block.line}_runs", _make_snippet_test(block, expected_output(blocks, block)))


_add_snippet_tests()
