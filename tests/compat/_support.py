"""Skip a framework test class when the framework is missing, or fail it under `tox -e frameworks`."""

from __future__ import annotations

import importlib
import os
import unittest
from typing import Any, Callable

__all__ = ["requires"]


def requires(module_name: str) -> Callable[[type], type]:
    """Class decorator: skip the class when `module_name` cannot be imported.

    When TESTKIT_REQUIRE_FRAMEWORKS=1 (CI's `frameworks` tox env sets it) the
    missing framework is an error with the same reason instead of a skip.
    """
    try:
        importlib.import_module(module_name)
    except ImportError as exc:
        missing = exc
    else:
        return lambda cls: cls
    reason = f"{module_name} is not installed; run `tox -e frameworks`"
    if os.environ.get("TESTKIT_REQUIRE_FRAMEWORKS") != "1":
        return unittest.skip(reason)

    def fail_class(cls: type) -> type:
        def setUpClass(klass: Any) -> None:
            raise ImportError(f"{reason} (TESTKIT_REQUIRE_FRAMEWORKS=1 forbids skipping)") from missing

        cls.setUpClass = classmethod(setUpClass)  # type: ignore[attr-defined]
        return cls

    return fail_class
