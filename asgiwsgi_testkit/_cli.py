"""The command line: `python -m asgiwsgi_testkit MODULE:APP [METHOD] PATH [options]` (SPEC section 10).

Imports the app, detects WSGI or ASGI, calls it in-process through the
matching client (validation on, lifespan around an ASGI call) and prints the
body; `--include` adds the status line and headers first, as curl's -i does.
Exit status: 0 for any response, 1 when the app raised, 2 for a spec
violation (the validator's message is printed) or a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any, Sequence

from ._errors import TestkitError

__all__ = ["main"]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m asgiwsgi_testkit",
        usage="%(prog)s MODULE:APP [METHOD] PATH [options]",
        description="Call a WSGI or ASGI app in-process, as a real server would, and print the response (one request per run).",
    )
    parser.add_argument("app", metavar="MODULE:APP", help="the app to call, e.g. myproject.wsgi:application, or a factory: myapp:create_app()")
    parser.add_argument("target", nargs="+", metavar="[METHOD] PATH", help="an optional method (default GET, or POST with a body) and the path")
    parser.add_argument("--json", metavar="JSON", help="send this JSON text as the body (content-type: application/json)")
    parser.add_argument("--data", metavar="TEXT", help="send this text as the body")
    parser.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'", help="a request header; repeat for more")
    parser.add_argument("--include", "-i", action="store_true", help="print the status line and headers before the body")
    parser.add_argument("--base-url", default="http://testserver", help="the client's base URL (its path becomes SCRIPT_NAME / root_path)")
    return parser


def load_app(spec: str) -> Any:
    """Import `module:attribute` (dotted attributes allowed) and return the object.

    `module:factory()` calls the factory with no arguments, as gunicorn accepts.
    """
    module_name, _, attribute = spec.partition(":")
    factory = attribute.endswith("()")
    attribute = attribute[:-2] if factory else attribute
    if not module_name or not attribute:
        raise ValueError(f"app must look like MODULE:APP, e.g. 'myapp:app', not {spec!r}")
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")  # like `python -m`, find modules in the current directory
    obj: Any = importlib.import_module(module_name)
    for name in attribute.split("."):
        obj = getattr(obj, name)
    if factory:
        return obj()
    if _takes_no_arguments(obj):
        raise ValueError(f"{spec!r} takes no arguments, so it is an app factory, not an app (an app takes environ and start_response, or scope, receive and send): write '{spec}()' to call it")
    return obj


def _takes_no_arguments(obj: Any) -> bool:
    """True for a plain function (or a class) that can be called with no arguments: a factory such as create_app."""
    import inspect

    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return False
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):  # pragma: no cover - a builtin or an odd callable: not ours to judge
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values())


def _request_arguments(options: argparse.Namespace) -> tuple[str, str, dict[str, Any]]:
    target = options.target
    if len(target) > 2:
        raise ValueError(f"expected [METHOD] PATH (one request per run), got {' '.join(target)!r}")
    if len(target) == 2 and _looks_like_a_path(target[0]):
        raise ValueError(f"expected [METHOD] PATH (one request per run), got two paths: {target[0]!r} and {target[1]!r}")
    path = target[-1]
    if not _looks_like_a_path(path):
        if path.upper() in _METHODS:
            raise ValueError(f"the method {path!r} needs a PATH after it, e.g. {path} /")
        raise ValueError(f"PATH must start with '/' or be an absolute http(s) URL, not {path!r} (did you mean '/{path}'?)")
    kwargs: dict[str, Any] = {}
    headers = []
    for header in options.header:
        name, colon, value = header.partition(":")
        if not colon:
            raise ValueError(f"--header must look like 'Name: value', not {header!r}")
        headers.append((name.strip(), value.strip()))
    if headers:
        kwargs["headers"] = headers
    if options.json is not None and options.data is not None:
        raise ValueError("give only one of --json and --data")
    if options.json is not None:
        import json

        kwargs["json"] = json.loads(options.json)
    elif options.data is not None:
        kwargs["body"] = options.data
    method = target[0].upper() if len(target) == 2 else ("POST" if "json" in kwargs or "body" in kwargs else "GET")
    if len(target) == 2 and method not in _METHODS:
        import difflib

        close = difflib.get_close_matches(method, _METHODS, n=1)
        if close:
            raise ValueError(f"unknown method {target[0]!r}: did you mean {close[0]}?")
    return method, path, kwargs


def _looks_like_a_path(text: str) -> bool:
    return text.startswith("/") or text.startswith(("http://", "https://"))


def _raised_by_the_kit(exc: BaseException) -> bool:
    """True when the innermost frame of the traceback is the kit's own (a misuse), False when it is the app's."""
    import os

    tb = exc.__traceback__
    if tb is None:
        return True
    while tb.tb_next is not None:
        tb = tb.tb_next
    return os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == os.path.dirname(os.path.abspath(__file__))


def _print_response(response: Any, include: bool, out: Any) -> None:
    if include:
        out.write(f"HTTP/1.1 {response.status}\n")
        for name, value in response.headers.multi_items():
            out.write(f"{name}: {value}\n")
        out.write("\n")
    out.write(response.text)
    if response.text and not response.text.endswith("\n"):
        out.write("\n")


def _call(app: Any, method: str, path: str, kwargs: dict[str, Any], base_url: str) -> Any:
    from ._detect import is_asgi

    if not is_asgi(app):
        from ._wsgi_client import WSGITestClient

        return WSGITestClient(app, base_url=base_url).request(method, path, **kwargs)
    import asyncio

    from ._asgi_client import ASGITestClient

    async def call() -> Any:
        async with ASGITestClient(app, base_url=base_url) as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(call())


def main(argv: Sequence[str] | None = None, out: Any = None, err: Any = None) -> int:
    """Run the command line; returns the exit status."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    options = _parser().parse_args(argv)
    try:
        method, path, kwargs = _request_arguments(options)
        app = load_app(options.app)
    except (ValueError, ImportError, AttributeError) as exc:
        err.write(f"error: {exc}\n")
        return 2
    try:
        response = _call(app, method, path, kwargs, options.base_url)
    except (TypeError, ValueError) as exc:
        if not _raised_by_the_kit(exc):  # the app's own error: its traceback, exit 1
            import traceback

            err.write(traceback.format_exc())
            return 1
        err.write(f"error: {exc}\n")
        return 2
    except TestkitError as exc:
        err.write(f"{type(exc).__name__}: {exc}\n")
        return 2
    except Exception:
        import traceback

        err.write(traceback.format_exc())
        return 1
    _print_response(response, options.include, out)
    return 0
