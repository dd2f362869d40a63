"""Headers: a case-insensitive, ordered, multi-valued header collection.

One set of decisions, made once: `len()`, iteration, `keys()` and `items()`
agree with each other (distinct lower-cased names, first value each);
`get_all()`, `multi_items()` and `raw` give every pair in order, with the names
as they were sent. `headers[name]` returns the first value and raises KeyError
naming the header when it is missing (wsgiref's Headers returns None instead).
Checking that a header is legal to *send* lives in `check_header_field`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Mapping, TypeVar

__all__ = ["Headers", "check_header_field", "normalize_header_input"]

# RFC 9110 section 5.6.2: a field name is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# RFC 9110 section 5.5: field values are VCHAR, obs-text, SP and HTAB; no other control characters.
_BAD_VALUE_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    text: str = value  # checked by the caller
    return text


_H = TypeVar("_H", bound="Headers")

class Headers:
    """Case-insensitive, ordered, multi-valued HTTP headers.

    Build one from a mapping, a sequence of `(name, value)` pairs (repeats
    kept), another Headers, or ASGI-style byte pairs (decoded as latin-1).
    """

    __slots__ = ("_pairs",)

    def __init__(self, headers: Any = None) -> None:
        if headers is None:
            self._pairs: list[tuple[str, str]] = []
        elif isinstance(headers, Headers):
            self._pairs = list(headers._pairs)
        else:
            self._pairs = [(_text(k), _text(v)) for k, v in _pairs_of(headers, "headers")]

    @classmethod
    def _from_pairs(cls: type[_H], pairs: list[tuple[str, str]]) -> _H:
        """Wrap an already-checked list of str pairs without copying (hot path)."""
        self = cls.__new__(cls)
        self._pairs = pairs
        return self

    # -- reading ---------------------------------------------------------------

    def __getitem__(self, name: str) -> str:
        key = name.lower()
        for k, v in self._pairs:
            if k.lower() == key:
                return v
        present = ", ".join(self.keys()) or "none"
        raise KeyError(f"no header {name!r} (headers present: {present})")

    def get(self, name: str, default: Any = None) -> Any:
        """The first value of header `name`, or `default`."""
        key = name.lower()
        for k, v in self._pairs:
            if k.lower() == key:
                return v
        return default

    def get_all(self, name: str) -> list[str]:
        """Every value of header `name`, in order (empty list when absent)."""
        key = name.lower()
        values = []
        for k, v in self._pairs:  # a loop: before 3.12 a comprehension is a call of its own (asked of every response)
            if k.lower() == key:
                values.append(v)
        return values

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = name.lower()
        return any(k.lower() == key for k, _ in self._pairs)

    def keys(self) -> list[str]:
        """Distinct header names, lower-cased, in order of first appearance."""
        return list(dict.fromkeys(k.lower() for k, _ in self._pairs))

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def values(self) -> list[str]:
        """The first value of each distinct name."""
        return [v for _, v in self.items()]

    def items(self) -> list[tuple[str, str]]:
        """`(lower-cased name, first value)` for each distinct name."""
        first: dict[str, str] = {}
        for k, v in self._pairs:
            first.setdefault(k.lower(), v)
        return list(first.items())

    def multi_items(self) -> list[tuple[str, str]]:
        """Every `(name, value)` pair in order, names as sent."""
        return list(self._pairs)

    @property
    def raw(self) -> list[tuple[str, str]]:
        """Every pair as sent (same as `multi_items()`)."""
        return list(self._pairs)

    # -- changing ----------------------------------------------------------------

    def add(self, name: str, value: str) -> None:
        """Append a value, keeping any existing ones."""
        self._pairs.append((name, value))

    def __setitem__(self, name: str, value: str) -> None:
        """Replace every value of `name` by one value, at the first one's place."""
        key = name.lower()
        kept: list[tuple[str, str]] = []
        placed = False
        for k, v in self._pairs:
            if k.lower() != key:
                kept.append((k, v))
            elif not placed:
                kept.append((name, value))
                placed = True
        if not placed:
            kept.append((name, value))
        self._pairs = kept

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(f"no header {name!r}")
        self.pop_all(name)

    def pop_all(self, name: str) -> list[str]:
        """Remove every value of `name` and return them (empty list when absent)."""
        key = name.lower()
        removed = [v for k, v in self._pairs if k.lower() == key]
        self._pairs = [(k, v) for k, v in self._pairs if k.lower() != key]
        return removed

    def copy(self) -> Headers:
        return Headers._from_pairs(list(self._pairs))

    # -- comparing and showing -----------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return [(k.lower(), v) for k, v in self._pairs] == [(k.lower(), v) for k, v in other._pairs]
        if isinstance(other, Mapping):
            return dict(self.items()) == {str(k).lower(): v for k, v in other.items()} and len(self._pairs) == len(other)
        if isinstance(other, (list, tuple)):
            try:
                return self == Headers(other)
            except (TypeError, ValueError):
                return False
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        names = [k.lower() for k, _ in self._pairs]
        if len(set(names)) == len(names):
            return f"Headers({dict(self._pairs)!r})"
        return f"Headers({self._pairs!r})"


def _pairs_of(value: Any, argument: str) -> Iterable[tuple[Any, Any]]:
    """Yield (name, value) from a mapping or a sequence of pairs, or raise TypeError."""
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{argument}= must be a mapping or a sequence of (name, value) pairs, not {type(value).__name__}")
    pairs = []
    for item in value:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"{argument}= items must be (name, value) pairs, not {item!r}")
        pairs.append((item[0], item[1]))
    return pairs


def check_header_field(name: Any, value: Any, argument: str = "headers") -> tuple[str, str]:
    """Return a header pair as str, or raise TypeError/ValueError if HTTP forbids sending it.

    This is what stops header injection through the kit: CR, LF and other
    control characters are refused in values, anything but a token in names.
    """
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    if not isinstance(name, str):
        raise TypeError(f"{argument}= header names must be str, not {type(name).__name__}: {name!r}")
    if not _TOKEN.match(name):
        raise ValueError(f"{argument}= header name {name!r} is not an HTTP token (RFC 9110 5.6.2: no spaces, colons, CR/LF or control characters)")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"{argument}= value of header {name!r} must be str, not {type(value).__name__}: {value!r}")
    if _BAD_VALUE_CHAR.search(value):
        raise ValueError(f"{argument}= value of header {name!r} contains a CR, LF or control character: {value!r} (no header injection)")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"{argument}= value of header {name!r} is not latin-1 encodable: {value!r} (encode it, e.g. RFC 8187)") from None
    return name, value


def normalize_header_input(headers: Any, argument: str = "headers") -> list[tuple[str, str]]:
    """Checked `(name, value)` str pairs from a mapping, pairs or Headers given by the user."""
    if headers is None:
        return []
    if isinstance(headers, Headers):
        source: Iterable[tuple[Any, Any]] = headers.multi_items()
    else:
        source = _pairs_of(headers, argument)
    return [check_header_field(k, v, argument) for k, v in source]
