"""Request body encoders: bytes, str, (async) iterables, json=, form=, files= as multipart.

`encode_body()` is the entry point; it also raises the "two body arguments"
TypeError. A streamed body (an iterable or async iterable of bytes) is not
read here: `check_chunk()` is what each client applies to every item it pulls.
"""

from __future__ import annotations

import json as jsonlib
import os
from typing import Any, Mapping

__all__ = ["BYTES_LIKE", "UNSET", "check_chunk", "encode_body", "encode_json"]

#: what uvicorn and hypercorn serve as an ASGI body or WebSocket bytes (the kit copies it to bytes as it arrives)
BYTES_LIKE = (bytes, bytearray, memoryview)


class _Unset:
    """Sentinel for "argument not given" where None is a meaningful value (json=None)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()

# What json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False) builds on
# every call; the encoder keeps no state between calls, so one is enough.
_COMPACT_JSON = jsonlib.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_json(value: Any, argument: str = "json") -> bytes:
    """Compact UTF-8 JSON, as browsers' fetch and httpx send it."""
    try:
        return _COMPACT_JSON.encode(value).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{argument}= value is not JSON serialisable: {exc}") from None


def check_chunk(chunk: Any, argument: str = "body") -> bytes:
    """Return a streamed body item as bytes, or raise TypeError naming the item."""
    if type(chunk) is bytes:
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"{argument}= iterable yielded {type(chunk).__name__} {chunk!r:.60}; every item must be bytes")


def encode_body(body: Any = None, json: Any = UNSET, form: Any = None, files: Any = None) -> tuple[Any, str | None]:
    """Return `(content, content_type)` for the body arguments of one request.

    `content` is bytes, or the user's iterable / async iterable for a streamed
    body; `content_type` is None when the body implies none.
    """
    if body is None and json is UNSET and form is None and files is None:
        return b"", None  # no body at all: the common GET
    given = [name for name, present in (("body", body is not None), ("json", json is not UNSET), ("form", form is not None)) if present]
    if len(given) > 1:
        raise TypeError(f"request() got both {given[0]}= and {given[1]}=; pass only one of body=, json=, form=")
    if files is not None:
        if given and given[0] != "form":
            raise TypeError(f"request() got both {given[0]}= and files=; files= combines only with form=")
        return _multipart(form, files)
    if json is not UNSET:
        return encode_json(json), "application/json"
    if form is not None:
        return _urlencoded(form).encode("ascii"), "application/x-www-form-urlencoded"
    if body is None:
        return b"", None
    if isinstance(body, bytes):
        return body, None
    if isinstance(body, str):
        return body.encode("utf-8"), None
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body), None
    if hasattr(body, "__aiter__") or (hasattr(body, "__iter__") and not isinstance(body, Mapping)):
        return body, None
    raise TypeError(f"body= must be bytes, str, or an iterable or async iterable of bytes, not {type(body).__name__}")


def _form_pairs(form: Any) -> list[tuple[str, str]]:
    items = form.items() if isinstance(form, Mapping) else form
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"form= must be a mapping or a sequence of (name, value) pairs, not {type(form).__name__}")
    pairs = []
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"form= items must be (name, value) pairs, not {item!r}")
        name, value = item
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, (int, float)):
                v = str(v)
            elif isinstance(v, bytes):
                pass  # sent as given: urlencode() and the multipart encoder both take bytes
            elif not isinstance(v, str):
                raise TypeError(f"form= value for {name!r} must be str, bytes, int or float, not {type(v).__name__}")
            pairs.append((str(name), v))
    return pairs


def _urlencoded(form: Any) -> str:
    from urllib.parse import urlencode

    return urlencode(_form_pairs(form))


def _file_parts(name: str, spec: Any) -> tuple[str | None, bytes, str | None]:
    """`(filename, data, content_type)` from any file form SPEC section 3 accepts.

    A tuple whose filename is None is a plain text field, as httpx and requests
    send `(None, value)`: filename None and no Content-Type unless one is given.
    """
    filename: Any = None
    content_type: Any = None
    data = spec
    text_field = False
    if isinstance(spec, tuple):
        if len(spec) == 2:
            filename, data = spec
        elif len(spec) == 3:
            filename, data, content_type = spec
        else:
            raise TypeError(f"files= entry {name!r} must be bytes, a binary file, (filename, data) or (filename, data, content_type), not a {len(spec)}-tuple")
        text_field = filename is None
    if hasattr(data, "read"):
        if filename is None and not text_field:
            filename = os.path.basename(str(getattr(data, "name", name)))
        data = data.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"files= entry {name!r} data must be bytes, str or a binary file object, not {type(data).__name__}")
    if text_field:
        return None, bytes(data), content_type
    if filename is None:
        filename = name
    if content_type is None:
        import mimetypes

        content_type = mimetypes.guess_type(str(filename))[0] or "application/octet-stream"
    return str(filename), bytes(data), content_type


def _quote_param(value: str) -> str:
    """Escape a multipart name/filename the way the WHATWG form encoder does."""
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def _multipart(form: Any, files: Any) -> tuple[bytes, str]:
    """A multipart/form-data body: the form= fields first, then the files= entries in order.

    `files=` given at all, even empty, makes the body multipart: with `form=` and
    `files={}` (or only `(None, value)` entries) every part is a text field.
    """
    fields = _form_pairs(form) if form is not None else []
    items = files.items() if isinstance(files, Mapping) else files
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"files= must be a mapping or a sequence of (name, file) pairs, not {type(files).__name__}")
    parts: list[tuple[bytes, bytes]] = []
    for name, value in fields:
        header = f'Content-Disposition: form-data; name="{_quote_param(name)}"\r\n\r\n'
        parts.append((header.encode("utf-8"), value.encode("utf-8") if isinstance(value, str) else value))
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"files= items must be (name, file) pairs, not {item!r}")
        name, spec = str(item[0]), item[1]
        filename, data, content_type = _file_parts(name, spec)
        header = f'Content-Disposition: form-data; name="{_quote_param(name)}"'
        if filename is not None:
            header += f'; filename="{_quote_param(filename)}"'
        header += "\r\n" + (f"Content-Type: {content_type}\r\n" if content_type is not None else "") + "\r\n"
        parts.append((header.encode("utf-8"), data))
    boundary = os.urandom(16).hex()
    while any(boundary.encode() in data for _, data in parts):  # pragma: no cover - 2**-128
        boundary = os.urandom(16).hex()
    delimiter = f"--{boundary}\r\n".encode()
    chunks: list[bytes] = []
    for part_header, part_data in parts:
        chunks += [delimiter, part_header, part_data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
