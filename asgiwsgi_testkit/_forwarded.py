"""Forwarded: a read-only attribute that shows the same name of another attribute's object, typed for checkers.

The WebSocket sessions show what their other end knows this way: the async
session its WebSocketConnection's state, the sync session the async session's.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

__all__ = ["Forwarded"]

_T = TypeVar("_T")


class Forwarded(Generic[_T]):
    """`name = Forwarded[T]("_inner", doc)`: reading `obj.name` reads `obj._inner.name`; setting it is an AttributeError."""

    def __init__(self, via: str, doc: str) -> None:
        self._via = via
        self._name = ""
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Forwarded[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(getattr(instance, self._via), self._name)

    def __set__(self, instance: object, value: Any) -> None:
        raise AttributeError(f"{type(instance).__name__}.{self._name} is read-only: it shows {self._via}.{self._name}")
