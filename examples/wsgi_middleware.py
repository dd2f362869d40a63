"""A WSGI middleware that mounts an app under a path prefix, stdlib only.

`PrefixMiddleware(app, prefix="/api")` moves `prefix` from the start of
PATH_INFO to the end of SCRIPT_NAME, as a server mounting the app at that
path would (PEP 3333: SCRIPT_NAME is "the initial portion of the request
URL's path that corresponds to the application object"), and adds
`X-Mounted-At: <SCRIPT_NAME>` to the app's response. A request outside the
prefix never reaches the app: it gets a 404 from the middleware. `/api`
itself becomes SCRIPT_NAME "/api" with an empty PATH_INFO, and `/apiary`
is outside `/api` (the prefix must end at a path segment).

Everything else in the environ, the status, the other headers and the body
(its iterable, `close()` included) pass through untouched; the middleware
does not read `wsgi.input`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

__all__ = ["PrefixMiddleware"]


class PrefixMiddleware:
    """Wrap a WSGI app mounted at `prefix`: shift the prefix into SCRIPT_NAME and say so in a response header."""

    def __init__(self, app: Callable[..., Iterable[bytes]], prefix: str) -> None:
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ValueError(f"prefix must start with '/' and not end with one, such as '/api', not {prefix!r}")
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            body = f"not found: {path} is outside {self.prefix}\n".encode("latin-1")
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
        environ["PATH_INFO"] = path[len(self.prefix) :]
        mounted_at = environ["SCRIPT_NAME"]

        def mounted_start_response(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], Any]:
            return start_response(status, headers + [("X-Mounted-At", mounted_at)], exc_info)

        return self.app(environ, mounted_start_response)
