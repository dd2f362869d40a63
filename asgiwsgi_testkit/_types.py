"""The types of what a test hands the kit, named once for the clients' signatures.

Only type checkers import this module (under `TYPE_CHECKING`): at run time the
clients' annotations stay strings, so it costs nothing. The aliases use
`typing.Union` so that a checker set to Python 3.9 accepts them.
"""

from __future__ import annotations

from typing import Any, AsyncIterable, Iterable, Mapping, Optional, Tuple, Union

from ._headers import Headers

__all__ = ["BodyInput", "CookiesInput", "FilesInput", "FormInput", "HeadersInput", "Overrides", "QueryInput"]

#: `query=`: a str or bytes query string, a mapping (a list value repeats its key) or (name, value) pairs
QueryInput = Optional[Union[str, bytes, Mapping[str, Any], Iterable[Tuple[str, Any]]]]
#: `headers=`: a mapping, (name, value) pairs (repeats allowed) or a Headers
HeadersInput = Optional[Union[Headers, Mapping[str, Any], Iterable[Tuple[Any, Any]]]]
#: `body=`: bytes or str (UTF-8), or an iterable / async iterable of bytes sent as a streamed body
BodyInput = Optional[Union[bytes, bytearray, memoryview, str, Iterable[bytes], AsyncIterable[bytes]]]
#: `form=`: a mapping (a list value repeats its key) or (name, value) pairs
FormInput = Optional[Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]]
#: `files=`: name -> bytes, a binary file, (filename, data) or (filename, data, content_type); (None, text) is a text field
FilesInput = Optional[Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]]
#: `cookies=`: name -> value, or (name, value) pairs, for one request
CookiesInput = Optional[Union[Mapping[str, str], Iterable[Tuple[str, str]]]]
#: `environ_overrides=` / `scope_overrides=`: keys merged into the environ or scope last
Overrides = Optional[Mapping[str, Any]]
