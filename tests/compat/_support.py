"""Skip a framework test class when the framework is missing, or fail it under `tox -e frameworks`."""

from __future__ import annotations

import importlib
import os
import unittest
from typing import Any, Callable

__all__ = ["NoPendingTasks", "configure_django", "requires", "uses_django_urlconf"]


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


class NoPendingTasks:
    """Mixin for an ASGITestCase: fail if a task is still pending once the test and its lifespan shutdown are over.

    Without it IsolatedAsyncioTestCase would cancel leftovers silently (STYLE 4.6).
    Override `pending_tasks()` to leave out a task a framework keeps on purpose.
    """

    async def asyncSetUp(self) -> None:
        self.addAsyncCleanup(self._assert_no_pending_tasks)  # added first, so it runs last: after the lifespan shutdown
        await super().asyncSetUp()  # type: ignore[misc]

    def pending_tasks(self) -> set:
        import asyncio

        return asyncio.all_tasks() - {asyncio.current_task()}

    async def _assert_no_pending_tasks(self) -> None:
        pending = sorted(map(repr, self.pending_tasks()))
        if pending:
            self.fail(f"tasks left pending after the test and the lifespan shutdown: {pending}")  # type: ignore[attr-defined]


def configure_django() -> None:
    """Configure Django once per process: the WSGI, ASGI and Channels modules share these settings.

    Settings are global, so each test class picks its own URLconf with
    `uses_django_urlconf` instead of ROOT_URLCONF naming one module here.
    """
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        DEBUG_PROPAGATE_EXCEPTIONS=True,  # the view's exception reaches the server, as under a debugger
        SECRET_KEY="compat-tests",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF="tests.compat.test_wsgi_django",  # replaced per test class by uses_django_urlconf
        INSTALLED_APPS=[],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",  # no database
        USE_TZ=True,
    )
    django.setup()


def uses_django_urlconf(urlconf: str) -> Callable[[type], type]:
    """Class decorator: Django resolves and reverses URLs with module `urlconf` while the class's tests run."""

    def decorate(cls: type) -> type:
        parent_setup = cls.setUpClass

        def setUpClass(klass: Any) -> None:
            from django.test.utils import override_settings

            override = override_settings(ROOT_URLCONF=urlconf)
            override.enable()
            klass.addClassCleanup(override.disable)
            parent_setup.__func__(klass)  # type: ignore[attr-defined]

        cls.setUpClass = classmethod(setUpClass)  # type: ignore[attr-defined]
        return cls

    return decorate
