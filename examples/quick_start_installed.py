"""Run README.md's quick start against the *installed* kit, from outside the checkout (`tox -e install`).

tox builds the sdist, installs it in a fresh environment and runs this script
from a temporary folder, so `import asgiwsgi_testkit` finds the installed copy
and nothing of the checkout (no `examples.*`, no `tests.*`). Each snippet of the
"Quick start" section runs in a fresh namespace and any TestCase it defines is
run; the script exits 1 when anything fails. Standard library only.
"""

from __future__ import annotations

import os
import re
import sys
import unittest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def quick_start_snippets(text: str) -> list[str]:
    """The ```python blocks of the `## Quick start` section, in order."""
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"\n```python\n(.*?)\n```", section, re.S)


def main() -> int:
    import asgiwsgi_testkit

    checkout = os.path.dirname(README)
    where = os.path.dirname(os.path.abspath(asgiwsgi_testkit.__file__))
    if where.startswith(checkout + os.sep) and ".tox" not in where:
        print(f"asgiwsgi_testkit was imported from the checkout ({where}), not from the installed package", file=sys.stderr)
        return 1
    with open(README, encoding="utf-8") as file:
        snippets = quick_start_snippets(file.read())
    if len(snippets) < 3:
        print(f"README.md's quick start has {len(snippets)} Python snippets; expected the WSGI, ASGI and sync ones", file=sys.stderr)
        return 1
    failed = 0
    for number, code in enumerate(snippets, 1):
        namespace: dict[str, object] = {"__name__": f"quick_start_{number}"}
        exec(compile(code, f"README.md quick start snippet {number}", "exec"), namespace)
        cases = [value for value in namespace.values() if isinstance(value, type) and issubclass(value, unittest.TestCase)]
        suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(case) for case in cases)
        result = unittest.TextTestRunner(verbosity=2).run(suite)
        failed += len(result.failures) + len(result.errors)
        print(f"snippet {number}: {result.testsRun} test(s) run" + ("" if cases else " (a script, no TestCase)"))
    print(f"quick start against {where}: {'FAILED' if failed else 'OK'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
