"""WSGI or ASGI? ASGI 2 or 3? And the adapter that runs an ASGI2 double-callable as ASGI3.

Explicit markers win over heuristics, as in asgiref: `_asgi_single_callable`
and `_asgi_double_callable` on the app (or its class) decide first. Then, as
uvicorn decides (`uvicorn/config.py`, `Config.load`): a class whose instances
are awaitable (`__await__`, e.g. Starlette's HTTPEndpoint used as the app) is
ASGI3, any other class is a double-callable, and a coroutine function (or an
object whose `__call__` is one) is ASGI3.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["as_asgi3", "is_asgi", "is_awaitable_class", "is_double_callable"]

_ASYNC_FLAGS = 0x80 | 0x100 | 0x200  # CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR


def _is_coroutine_callable(obj: Any) -> bool:
    while hasattr(obj, "func") and hasattr(obj, "args"):  # functools.partial
        obj = obj.func
    obj = getattr(obj, "__func__", obj)  # bound method
    code = getattr(obj, "__code__", None)
    if code is not None:
        return bool(code.co_flags & _ASYNC_FLAGS) or getattr(obj, "_is_coroutine", None) is not None
    call = getattr(type(obj), "__call__", None)
    code = getattr(getattr(call, "__func__", call), "__code__", None)
    return code is not None and bool(code.co_flags & _ASYNC_FLAGS)


def _positional_count(app: Any) -> int:
    func = getattr(app, "__func__", app)
    code = getattr(func, "__code__", None)
    if code is None:
        call = getattr(type(app), "__call__", None)
        code = getattr(getattr(call, "__func__", call), "__code__", None)
        return code.co_argcount - 1 if code is not None else -1
    count: int = code.co_argcount - (1 if hasattr(app, "__self__") else 0)
    return count


def is_awaitable_class(app: Any) -> bool:
    """True for a class whose instances are awaitable: `app(scope, receive, send)` builds one, awaiting it runs it.

    uvicorn's test, word for word: `inspect.isclass(app) and hasattr(app, "__await__")`.
    """
    return isinstance(app, type) and hasattr(app, "__await__")


def is_double_callable(app: Any) -> bool:
    """True for an ASGI2 app: app(scope) returns a coroutine function taking (receive, send)."""
    if getattr(app, "_asgi_double_callable", False):
        return True
    if getattr(app, "_asgi_single_callable", False):
        return False
    if isinstance(app, type):
        return not is_awaitable_class(app)
    return not _is_coroutine_callable(app) and _positional_count(app) == 1


def is_asgi(app: Any) -> bool:
    """True when `app` looks like an ASGI app (3 or 2), False for a plain WSGI callable."""
    if getattr(app, "_asgi_double_callable", False) or getattr(app, "_asgi_single_callable", False):
        return True
    if isinstance(app, type):
        return is_awaitable_class(app) or _is_coroutine_callable(getattr(app, "__call__", None))
    return _is_coroutine_callable(app)


def as_asgi3(app: Any) -> Callable[..., Any]:
    """Return an ASGI3 callable for `app`, adapting an ASGI2 double-callable; TypeError for anything else."""
    if not callable(app):
        raise TypeError(f"app must be an ASGI callable app(scope, receive, send), not {type(app).__name__}: {app!r:.80}")
    if is_awaitable_class(app) and not getattr(app, "_asgi_double_callable", False):
        return _awaited_instance(app)
    if getattr(app, "_asgi_single_callable", False) or (_is_coroutine_callable(app) and not getattr(app, "_asgi_double_callable", False)):
        return app  # type: ignore[no-any-return]  # callable() narrowed Any
    if is_double_callable(app):

        async def asgi2_adapter(scope: Any, receive: Any, send: Any) -> Any:
            instance: Any = app(scope)
            return await instance(receive, send)

        asgi2_adapter.__wrapped__ = app  # type: ignore[attr-defined]
        return asgi2_adapter
    count = _positional_count(app)
    if count == 2:
        raise TypeError(f"app {app!r:.80} is a WSGI app (environ, start_response); use WSGITestClient for it")
    if count in (3, -1):
        return app  # type: ignore[no-any-return]  # a sync callable returning an awaitable, or one whose signature cannot be read (Cython)
    raise TypeError(f"app {app!r:.80} is neither an ASGI 3 app (async def app(scope, receive, send)) nor an ASGI 2 double-callable")


def _awaited_instance(app: Any) -> Callable[..., Any]:
    """An ASGI3 coroutine function for an awaitable class: the kit's tasks need a coroutine, not the instance."""

    async def awaitable_class_adapter(scope: Any, receive: Any, send: Any) -> Any:
        return await app(scope, receive, send)

    awaitable_class_adapter.__wrapped__ = app  # type: ignore[attr-defined]
    return awaitable_class_adapter
