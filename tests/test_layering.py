"""Tests for the package layout: the import rules of STYLE 4.1, checked on every module's source with ast."""

from __future__ import annotations

import ast
import os
import unittest

import asgiwsgi_testkit

PACKAGE = "asgiwsgi_testkit"
PACKAGE_DIR = os.path.dirname(os.path.abspath(asgiwsgi_testkit.__file__))

# -- the rules, as data ------------------------------------------------------------------

#: the ground floor: pure helpers that import nothing from the package but `_errors` (to raise)
GROUND_FLOOR = {"_errors", "_compat", "_describe", "_headers", "_urls", "_content", "_sse", "_verbs", "_forwarded"}
GROUND_FLOOR_MAY_IMPORT = {"_errors"}
#: modules that may import only what is listed (besides the stdlib)
ONLY_IMPORTS = {
    "_assertions": {"_describe"},
    "_types": {"_headers"},  # type aliases for checkers only; Headers is one of the accepted header inputs
}
CLIENTS = {"_wsgi_client", "_asgi_client"}
VALIDATORS = {"_wsgi_validate", "_asgi_validate"}
#: module -> package modules it must never import
FORBIDDEN = {
    "_wsgi_validate": CLIENTS,
    "_asgi_validate": CLIENTS,
    "_asgi_states": CLIENTS | VALIDATORS,
}
#: the only modules allowed to import a client module
CLIENT_IMPORTERS = {"__init__", "_testcase", "_asgi_testcase", "_cli", "_sync_client", "testclient"} | CLIENTS


# -- reading the import graph --------------------------------------------------------------


def module_names() -> list:
    return sorted(name[:-3] for name in os.listdir(PACKAGE_DIR) if name.endswith(".py"))


def _package_targets(node: ast.AST, known: set) -> set:
    """The package modules one import statement refers to."""
    found: set = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == PACKAGE:
                found.add(parts[1] if len(parts) > 1 else "__init__")
    elif isinstance(node, ast.ImportFrom):
        if node.level == 0:
            parts = (node.module or "").split(".")
            if parts[0] != PACKAGE:
                return found
            base = parts[1:]
        elif node.level == 1:
            base = (node.module or "").split(".") if node.module else []
        else:  # the package has no subpackages
            raise AssertionError(f"relative import beyond the package: level {node.level}")
        if base:
            found.add(base[0])
        else:  # `from . import x` / `from asgiwsgi_testkit import x`: a module, or a name from __init__
            for alias in node.names:
                found.add(alias.name if alias.name in known else "__init__")
    return found


def _lazy_targets(tree: ast.Module) -> set:
    """Modules named in a `_LAZY = {name: "._module"}` table (loaded through importlib)."""
    found: set = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in targets):
                for value in node.value.values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.startswith("."):
                        found.add(value.value[1:])
    return found


def _type_checking_only(tree: ast.Module) -> set:
    """The ids of the nodes inside `if TYPE_CHECKING:` blocks: imports a type checker reads and Python never runs."""
    inside: set = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                inside |= {id(child) for child in ast.walk(statement)}
    return inside


def import_graph(runtime_only: bool = False) -> dict:
    """module -> set of package modules it imports, anywhere in its source (lazy imports included).

    With `runtime_only`, imports under `if TYPE_CHECKING:` are left out: they cannot make an import cycle.
    """
    known = set(module_names())
    graph = {}
    for name in known:
        with open(os.path.join(PACKAGE_DIR, name + ".py"), encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=name + ".py")
        skipped = _type_checking_only(tree) if runtime_only else set()
        targets: set = set()
        for node in ast.walk(tree):
            if id(node) not in skipped:
                targets |= _package_targets(node, known)
        targets |= _lazy_targets(tree)
        targets.discard(name)
        graph[name] = targets
    return graph


def find_cycle(graph: dict) -> list:
    """One import cycle as a list of modules (first == last), or [] when there is none."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {name: WHITE for name in graph}
    stack: list = []

    def visit(name: str) -> list:
        colour[name] = GREY
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if colour.get(target, BLACK) == GREY:
                return stack[stack.index(target):] + [target]
            if colour.get(target) == WHITE:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        colour[name] = BLACK
        return []

    for name in sorted(graph):
        if colour[name] == WHITE:
            cycle = visit(name)
            if cycle:
                return cycle
    return []


class GraphReaderTests(unittest.TestCase):
    """The reader itself must see every import form, or the rules below would pass vacuously."""

    def test_type_checking_imports_are_left_out_of_the_runtime_graph(self) -> None:
        tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ._b import X\nfrom ._a import Y\n")
        skipped = _type_checking_only(tree)
        found = set().union(*(_package_targets(node, {"_a", "_b"}) for node in ast.walk(tree) if id(node) not in skipped))
        self.assertEqual(found, {"_a"})

    def targets(self, source: str) -> set:
        known = {"_a", "_b", "__init__"}
        found: set = set()
        for node in ast.walk(ast.parse(source)):
            found |= _package_targets(node, known)
        return found

    def test_reads_every_import_form(self) -> None:
        self.assertEqual(self.targets("from ._a import x"), {"_a"})
        self.assertEqual(self.targets("from . import _b, Headers"), {"_b", "__init__"})
        self.assertEqual(self.targets("import asgiwsgi_testkit._a"), {"_a"})
        self.assertEqual(self.targets("import asgiwsgi_testkit"), {"__init__"})
        self.assertEqual(self.targets("from asgiwsgi_testkit._b import y"), {"_b"})
        self.assertEqual(self.targets("from asgiwsgi_testkit import _a"), {"_a"})
        self.assertEqual(self.targets("def f():\n    from ._a import x"), {"_a"})
        self.assertEqual(self.targets("import os\nfrom json import dumps"), set())

    def test_reads_lazy_table(self) -> None:
        self.assertEqual(_lazy_targets(ast.parse('_LAZY = {"X": "._a", "Y": "._b"}')), {"_a", "_b"})

    def test_finds_cycles(self) -> None:
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"])
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}), [])

    def test_graph_sees_known_edges(self) -> None:
        graph = import_graph()
        self.assertIn("_errors", graph["_asgi_states"])
        self.assertIn("_cookies", graph["_response"])  # a function-level import
        self.assertIn("_testcase", graph["__init__"])  # through the _LAZY table


class LayeringTests(unittest.TestCase):
    def setUp(self) -> None:
        self.graph = import_graph()

    def test_ground_floor_imports_only_errors(self) -> None:
        for name in sorted(GROUND_FLOOR & set(self.graph)):
            with self.subTest(module=name):
                self.assertEqual(sorted(self.graph[name] - GROUND_FLOOR_MAY_IMPORT), [], f"{name} may import only _errors from the package")

    def test_restricted_modules_import_only_what_is_listed(self) -> None:
        for name, allowed in ONLY_IMPORTS.items():
            with self.subTest(module=name):
                self.assertIn(name, self.graph)
                self.assertEqual(sorted(self.graph[name] - allowed), [], f"{name} may import only {sorted(allowed)}")

    def test_forbidden_imports(self) -> None:
        for name, forbidden in FORBIDDEN.items():
            if name in self.graph:
                with self.subTest(module=name):
                    self.assertEqual(sorted(self.graph[name] & forbidden), [], f"{name} must not import {sorted(forbidden)}")

    def test_only_test_cases_cli_and_init_import_clients(self) -> None:
        offenders = sorted(f"{name} imports {sorted(targets & CLIENTS)}" for name, targets in self.graph.items() if targets & CLIENTS and name not in CLIENT_IMPORTERS)
        self.assertEqual(offenders, [])

    def test_no_import_cycles(self) -> None:
        self.assertEqual(find_cycle(import_graph(runtime_only=True)), [], "import cycle among the package modules")

    def test_rules_name_existing_modules(self) -> None:
        """A renamed module must not silently escape its rule."""
        names = set(self.graph)
        for name in ("_errors", "_describe", "_headers", "_urls", "_content", "_assertions", "_wsgi_validate", "_wsgi_client", "_testcase"):
            self.assertIn(name, names)


if __name__ == "__main__":
    unittest.main()
