"""Tests that the snippets of README.md and of every docs/*.md page run, print what they show, and that the pages hold together.

Conventions (also described in docs/index.md, "The docs are tested"), the same in every file:

- a ```python block right after the line `<!-- readme-test -->` is run in a
  fresh namespace; any unittest.TestCase it defines is then run as well, and a
  top-level `await` makes it run under asyncio.run();
- a ```python block right after `<!-- readme-no-test: <reason> -->` is exempt;
  every other ```python block is an error, so no snippet goes untested by accident;
- a ```text block right after `<!-- readme-output -->` must equal what the
  runnable snippet right above it printed;
- the lines between `<!-- rules-table:<kind> -->` and `<!-- /rules-table -->`
  must equal `python -m examples._rules_table <kind>`, and those between
  `<!-- transitions-table:<scope> -->` and `<!-- /transitions-table -->`
  must equal `python -m examples._rules_table transitions <scope>`;
- every relative link, `[text](file)`, `[text](file#section)` or
  `[text](#section)`, finds its file and, in a Markdown file, its heading
  (GitHub's anchors); every docs page is linked from docs/index.md and from
  the README.

One test method per runnable snippet is generated, named after its file and
line (`test_docs_asgi_md_line_42`, `test_readme_md_line_31`), so a failure
says which snippet broke; tracebacks point at that file and line.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import glob
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
README = "README.md"
INDEX = "docs/index.md"

RUN = "<!-- readme-test -->"
OUTPUT = "<!-- readme-output -->"
EXEMPT = re.compile(r"<!-- readme-no-test: \S.* -->\Z")
_TABLE_START = re.compile(r"<!-- ((rules|transitions)-table):(\w+) -->\Z")
#: what makes each kind of generated table: `python -m examples._rules_table [transitions] <kind>`
GENERATORS = {"rules-table": table_for, "transitions-table": transitions_table}
_FENCE = re.compile(r"```(\w*)\s*\Z")
_HEADING = re.compile(r"^(#{1,6}) (.+)$")
_LINK = re.compile(r"\]\(([^()\s]+)\)")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.I)  # http:, https:, mailto:, ...


class Block(NamedTuple):
    file: str  # relative to the repository root, e.g. "docs/asgi.md"
    language: str
    marker: str  # the line right before the opening fence, stripped
    line: int  # 1-based line number of the first code line
    code: str


def doc_files() -> list[str]:
    """README.md, then every docs/*.md page, relative to the repository root."""
    pages = sorted(os.path.relpath(path, ROOT).replace(os.sep, "/") for path in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [README] + pages


def read(file: str) -> str:
    with open(os.path.join(ROOT, file), encoding="utf-8") as handle:
        return handle.read()


def fenced_blocks(text: str, file: str = README) -> list[Block]:
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
            raise ValueError(f"{file} line {index + 1}: code block is never closed")
        blocks.append(Block(file, opening.group(1), marker, index + 2, "\n".join(lines[index + 1 : end]) + "\n"))
        index = end + 1
    return blocks


def prose_lines(text: str) -> list[tuple[int, str]]:
    """`(line number, line)` for every line outside fenced code blocks."""
    result, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            result.append((number, line))
    return result


def anchor_of(heading: str) -> str:
    """GitHub's anchor for a heading: lower-cased, punctuation but '-' and '_' dropped, spaces as '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of every heading of a Markdown text; a repeated heading gets '-1', '-2', ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(text):
        heading = _HEADING.match(line)
        if heading:
            anchor = anchor_of(heading.group(2))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def relative_links(text: str) -> list[tuple[int, str]]:
    """`(line, target)` of every Markdown link that is not an external URL, outside code blocks and code spans."""
    links = []
    for number, line in prose_lines(text):
        line = re.sub(r"`[^`]*`", "``", line)
        links += [(number, target) for target in _LINK.findall(line) if not _EXTERNAL.match(target)]
    return links


def broken_links(file: str, text: str) -> list[str]:
    """What is wrong with each relative link of `file`, as 'file line N: target: why'."""
    problems = []
    for number, target in relative_links(text):
        path, _, fragment = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(file), path)) if path else file
        where = f"{file} line {number}: {target}"
        if not os.path.exists(os.path.join(ROOT, resolved)):
            problems.append(f"{where}: no file {resolved}")
        elif fragment and not resolved.endswith(".md"):
            problems.append(f"{where}: a #section in a file that is not Markdown")
        elif fragment and fragment not in anchors(read(resolved)):
            problems.append(f"{where}: {resolved} has no heading with the anchor #{fragment}")
    return problems


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


def generated_tables(text: str, file: str = README) -> list[tuple[str, str, int, str]]:
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
                raise ValueError(f"{file} line {index + 1}: {line.strip()} has no {closing}") from None
            tables.append((start.group(1), start.group(3), index + 1, "\n".join(lines[index + 1 : end])))
    return tables


def test_name(block: Block) -> str:
    """`test_docs_asgi_md_line_42` for the snippet at docs/asgi.md line 42."""
    return "test_" + re.sub(r"\W", "_", block.file.lower()) + f"_line_{block.line}"


def run_snippet(block: Block) -> tuple[str, unittest.TestResult, list[str]]:
    """Execute one snippet in a fresh namespace; return what it printed, the result of its TestCases and its leftovers.

    Leftovers are the warnings it raised and the exceptions ignored in finalizers (a client left with its
    lifespan up, a task never awaited) once its namespace is gone: a snippet a reader copies must leave none."""
    name = test_name(block)[len("test_") :]
    path = os.path.join(ROOT, block.file)
    namespace: dict[str, Any] = {"__name__": name, "__file__": path}
    source = "\n" * (block.line - 1) + block.code  # so tracebacks show the Markdown file's line numbers
    code = compile(source, path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
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


class DocsStructureTests(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.files = {file: read(file) for file in doc_files()}
        self.blocks = {file: fenced_blocks(text, file) for file, text in self.files.items()}

    def test_there_are_docs_pages(self):
        wanted = ("index", "tutorial", "api", "streaming", "websockets", "lifespan", "middleware", "validation", "timeouts", "cookies-and-redirects", "migrating")
        self.assertEqual([page for page in wanted if f"docs/{page}.md" not in self.files], [], "docs/ lacks these pages")

    def test_every_python_block_is_run_or_exempt_with_a_reason(self):
        for file, blocks in self.blocks.items():
            with self.subTest(file=file):
                unmarked = [b.line for b in blocks if b.language == "python" and b.marker != RUN and not EXEMPT.match(b.marker)]
                self.assertEqual(unmarked, [], f"python blocks at these {file} lines need {RUN} or <!-- readme-no-test: reason -->")

    def test_the_docs_have_runnable_snippets(self):
        self.assertEqual(len(runnable_blocks(self.blocks[README])), 3, "the README's quick start has three runnable snippets")
        self.assertGreaterEqual(sum(len(runnable_blocks(blocks)) for blocks in self.blocks.values()), 30)

    def test_every_output_block_follows_a_runnable_snippet(self):
        for file, blocks in self.blocks.items():
            for position, block in enumerate(blocks):
                if block.marker == OUTPUT:
                    with self.subTest(file=file, line=block.line):
                        self.assertGreater(position, 0)
                        self.assertEqual(blocks[position - 1].marker, RUN, f"{file} line {block.line}: {OUTPUT} must follow a runnable snippet")

    def test_quick_start_shows_both_commands(self):
        text = self.files[README]
        self.assertIn("```sh\npython -m unittest discover -s examples -t .\n```", text)
        self.assertIn("```sh\npython -m pip install tox && python -m tox\n```", text)

    def test_what_the_readme_says_about_tox_is_true(self):
        with open(os.path.join(ROOT, "tox.ini"), encoding="utf-8") as file:
            tox = file.read()
        with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as file:
            ci = file.read()
        self.assertRegex(tox, r"envlist = py3\{9,10,11,12,13\}-\{table,swap,driver\}, frameworks, coverage, typing, install\n")
        self.assertIn("skip_missing_interpreters = true", tox)
        self.assertIn("--fail-under=95", tox)
        for framework in ("flask", "django", "bottle", "pyramid", "falcon", "starlette", "fastapi", "quart", "litestar", "channels"):
            self.assertRegex(tox, rf"\n    {framework}\n")
        self.assertRegex(ci, r"\npython3 -m tox\n")

    def test_the_readme_keeps_the_pitch_install_quick_start_and_links(self):
        headings = [line for _, line in prose_lines(self.files[README]) if line.startswith("## ")]
        self.assertEqual(headings, ["## Install", "## Quick start", "## Two commands", "## Documentation", "## What is tested on which Python", "## License"])

    def test_every_page_is_linked_from_the_index_and_the_readme(self):
        pages = [file for file in self.files if file.startswith("docs/") and file != INDEX]
        for linking in (INDEX, README):
            linked = {os.path.normpath(os.path.join(os.path.dirname(linking), target.partition("#")[0])) for _, target in relative_links(self.files[linking])}
            with self.subTest(page=linking):
                self.assertEqual([page for page in pages if page not in linked], [], f"{linking} does not link to these pages")

    def test_every_relative_link_finds_its_file_and_section(self):
        problems = [problem for file, text in self.files.items() for problem in broken_links(file, text)]
        self.assertEqual(problems, [], "links that lead nowhere")
        self.assertGreater(sum(len(relative_links(text)) for text in self.files.values()), 40)

    def test_the_link_check_catches_a_missing_file_and_a_missing_section(self):
        text = "[a](docs/nowhere.md) [b](docs/index.md#no-such-heading) [c](#install) [d](https://example.com/x) `[e](#code)`\n"
        self.assertEqual(
            broken_links(README, text),
            ["README.md line 1: docs/nowhere.md: no file docs/nowhere.md", "README.md line 1: docs/index.md#no-such-heading: docs/index.md has no heading with the anchor #no-such-heading"],
        )

    def test_anchors_follow_github(self):
        text = "# Title\n## The `make_scope` and call_asgi\n## Compared with Starlette's TestClient, httpx\n## Title\n```\n# not a heading\n```\n"
        self.assertEqual(anchors(text), {"title", "the-make_scope-and-call_asgi", "compared-with-starlettes-testclient-httpx", "title-1"})


class DocsRulesTableTests(unittest.TestCase):
    maxDiff = None

    def test_generated_tables_match_their_sources(self):
        tables = [(file, *table) for file in doc_files() for table in generated_tables(read(file), file)]
        present = [(table, kind) for _, table, kind, _, _ in tables]
        for wanted in [("rules-table", "wsgi"), ("rules-table", "asgi"), ("transitions-table", "http")]:
            self.assertIn(wanted, present)
        for file, table, kind, line, content in tables:
            with self.subTest(file=file, table=table, kind=kind, line=line):
                command = f"python -m examples._rules_table {'transitions ' if table == 'transitions-table' else ''}{kind}"
                self.assertEqual(content, GENERATORS[table](kind), f"{file} line {line}: regenerate with {command}")

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


class DocsSnippetTests(unittest.TestCase):
    """One generated test per runnable snippet: test_<file>_line_<n>, e.g. test_docs_asgi_md_line_42."""

    maxDiff = None


def _make_snippet_test(block: Block, output: str | None) -> Any:
    where = f"{block.file} line {block.line}"

    def test(self: unittest.TestCase) -> None:
        printed, outcome, leftovers = run_snippet(block)
        self.assertTrue(outcome.wasSuccessful(), f"the TestCase in the snippet at {where} failed:\n{_failures(outcome)}")
        self.assertEqual(leftovers, [], f"{where}: the snippet leaves warnings or ignored exceptions behind")
        if output is not None:
            self.assertEqual(printed.rstrip("\n"), output.rstrip("\n"), f"{where}: the readme-output block differs from what the snippet prints")

    test.__doc__ = f"the snippet at {where} runs" + (" and prints the block below it" if output is not None else "")
    return test


def _add_snippet_tests() -> None:
    for file in doc_files():
        blocks = fenced_blocks(read(file), file)
        for block in runnable_blocks(blocks):
            setattr(DocsSnippetTests, test_name(block), _make_snippet_test(block, expected_output(blocks, block)))


_add_snippet_tests()
