"""The verbs of a client, written once from its request(): keyword signatures and the hint for another client's keyword.

`verb("GET", request)` is `request()` with its method fixed. A checker types
it from request() through a ParamSpec; at run time it hands what it was
given to `self.request()`, and `inspect.signature()` reads request()'s
parameters from a stub written from its code object (as dataclasses writes
`__init__`), so no `inspect` is imported. `unknown_keyword()` names the kit's
word for a keyword of requests/httpx, Starlette, werkzeug or WebTest (SPEC 13).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec

    _Keywords = ParamSpec("_Keywords")

__all__ = ["OTHER_CLIENTS_KEYWORDS", "takes_request_keywords", "unknown_keyword", "verb"]

# Keywords of other test clients (requests/httpx, Starlette, werkzeug/Flask, WebTest) and the kit's word for each (SPEC 13).
OTHER_CLIENTS_KEYWORDS = {
    "data": "form= for a form (a mapping), body= for raw bytes or str",
    "params": "query=",
    "content": "body=",
    "input_stream": "body= (an iterable of bytes is streamed)",
    "content_type": "headers={'Content-Type': ...}",
    "environ_base": "environ_overrides= (WSGITestClient)",
    "extra_environ": "environ_overrides= (WSGITestClient)",
    "upload_files": "files=",
    "allow_redirects": "follow_redirects=",
    "auth": "headers={'Authorization': ...}",
    "timeout": "the client's timeout= option (ASGITestClient)",
    "status": "nothing: every status is returned; check it with assertStatus()",
    "expect_errors": "nothing: every status is returned; check it with assertStatus()",
}


def unknown_keyword(function: str, names: Any) -> TypeError:
    """The TypeError for keywords the kit does not take, naming the kit's word when it is another client's."""
    name = sorted(names)[0]
    hint = OTHER_CLIENTS_KEYWORDS.get(name)
    if hint is None:
        return TypeError(f"{function}() got an unexpected keyword argument {name!r}")
    return TypeError(f"{function}() got an unexpected keyword argument {name!r}: that is another client's word; the kit's is {hint}")


_Self = TypeVar("_Self")
_Result = TypeVar("_Result")


def verb(method: str, request: Callable[Concatenate[_Self, str, _Keywords], _Result], name_unknown: bool = False) -> Callable[Concatenate[_Self, _Keywords], _Result]:
    """`request()` with its method fixed: one definition for every verb, with request()'s signature for editors and checkers.

    The verb passes what it was given to `self.request()`, so a subclass's own
    request() serves its verbs too. A checker types it from request() (the
    ParamSpec above); `inspect.signature()` and `help()` read request()'s
    parameters from `__wrapped__`, a stub written from request()'s code object
    (as dataclasses writes `__init__`), so importing the kit needs no `inspect`.
    With `name_unknown`, a keyword request() lacks, unless a subclass's
    request() takes it, is a TypeError that names the verb (and the kit's word
    for another client's).
    """
    name = method.lower()
    if name_unknown:
        known = frozenset(_keyword_names(request))

        def send(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            if kwargs and not kwargs.keys() <= known and type(self).request is request:
                raise unknown_keyword(name, kwargs.keys() - known)
            return self.request(method, *args, **kwargs)

    else:

        def send(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            return self.request(method, *args, **kwargs)

    send.__name__ = name
    send.__qualname__ = f"{request.__qualname__.rpartition('.')[0]}.{name}"  # ClientVerbs.get: found by pickle, shown by help()
    send.__module__ = request.__module__
    send.__doc__ = f"Send a {method} request; the keywords are request()'s."
    send.__annotations__ = {k: v for k, v in request.__annotations__.items() if k != "method"}
    send.__wrapped__ = _signature_stub(request)  # type: ignore[attr-defined]
    return send


def _keyword_names(request: Callable[..., Any]) -> tuple[str, ...]:
    """The names request() takes after `self` and `method`, by keyword."""
    code = request.__code__
    return code.co_varnames[2 : code.co_argcount + code.co_kwonlyargcount]


#: request() -> its signature stub, written once for all of its verbs
_STUBS: dict[Callable[..., Any], Callable[..., Any]] = {}


def _signature_stub(request: Callable[..., Any]) -> Callable[..., Any]:
    """A never-called function with request()'s parameters but `method`, for inspect.signature() to read (one per request())."""
    stub = _STUBS.get(request)
    if stub is None:
        stub = _STUBS[request] = _written_stub(request)
    return stub


def _written_stub(request: Callable[..., Any]) -> Callable[..., Any]:
    code = request.__code__
    positional = code.co_varnames[2 : code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    defaults = dict(zip(positional[len(positional) - len(request.__defaults__ or ()) :], request.__defaults__ or ()))
    defaults.update(request.__kwdefaults__ or {})
    parameters = [f"{p}=_defaults[{p!r}]" if p in defaults else p for p in positional]
    parameters += ["*", *(f"{p}=_defaults[{p!r}]" if p in defaults else p for p in keyword_only)]
    if code.co_flags & 0x08:  # CO_VARKEYWORDS: request()'s **catch-all, shown as it is
        parameters.append(f"**{code.co_varnames[code.co_argcount + code.co_kwonlyargcount]}")
    namespace: dict[str, Any] = {**request.__globals__, "_defaults": defaults}  # (typing.get_type_hints() reads its annotations there)
    exec(f"def verb(self, {', '.join(parameters)}): pass", namespace)
    stub: Callable[..., Any] = namespace["verb"]
    stub.__annotations__ = {k: v for k, v in request.__annotations__.items() if k != "method"}
    return stub


def takes_request_keywords(request: Callable[Concatenate[Any, str, _Keywords], Any]) -> Callable[[Callable[..., _Result]], Callable[Concatenate[Any, str, _Keywords], _Result]]:
    """Type a `stream(method, path, **kwargs)` with request()'s keywords, for checkers and editors (nothing changes at run time)."""

    def decorate(function: Callable[..., _Result]) -> Callable[Concatenate[Any, str, _Keywords], _Result]:
        return function

    return decorate
