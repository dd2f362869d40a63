"""What a response's Content-Length promises, checked by the validators and held to by the kit's server side.

A server sends no more body than the app declared (PEP 3333's W37; waitress
and gunicorn cut the rest, uvicorn raises) and cannot send less without
breaking the connection. The validators make either a ProtocolError naming
the declared and the actual length; without validation the body is cut to
the declared length, as servers do. The declaration does not describe the
body of a HEAD response, nor of a 1xx, 204 or 304 (RFC 9110 8.6, 9.3.2,
15.4.5), so those are never checked or cut.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

__all__ = ["body_length_declared", "content_length", "cut_chunks", "describes_body", "length_mismatch"]

def content_length(pairs: Iterable[Any]) -> int | None:
    """The Content-Length among header pairs (str or bytes), None without one.

    ValueError when a value is not a decimal number, or two disagree (RFC 9110 8.6).
    """
    found: int | None = None
    for name, value in pairs:
        if len(name) == 14 and (name.lower() == "content-length" if type(name) is str else name.lower() == b"content-length"):
            digits = value.strip()
            if not (digits.isdigit() and digits.isascii()):  # (int() would take '\u0663' and '1_0')
                text = value.decode("latin-1") if type(value) is bytes else value
                raise ValueError(f"Content-Length {text!r} is not a decimal number of bytes")
            number = int(digits)
            if found is not None and number != found:
                raise ValueError(f"two Content-Length headers disagree: {found} and {number}")
            found = number
    return found


def describes_body(method: Any, status: int) -> bool:
    """Whether a response's Content-Length is the length of the body it carries (not for HEAD, 1xx, 204, 304)."""
    return method != "HEAD" and status >= 200 and status != 204 and status != 304


def body_length_declared(pairs: Iterable[Any], method: Any, status: int) -> int | None:
    """The body length a response promises, or None: none declared, none usable, or a response it does not describe."""
    if method == "HEAD" or status < 200 or status == 204 or status == 304:  # describes_body(), inlined: once per request
        return None
    try:
        return content_length(pairs)
    except ValueError:
        return None  # a server cannot hold the body to it; the validators say why


def length_mismatch(declared: int, sent: int, ended: bool) -> tuple[str, str]:
    """The headline and the 'expected' text of a body that does not match its Content-Length (`ended`: all of it is known)."""
    if ended:
        headline = f"the app declared Content-Length: {declared} but its body has {sent} byte{'' if sent == 1 else 's'}"
    else:
        headline = f"the app declared Content-Length: {declared} but sent more: {sent} bytes so far"
    return headline, f"exactly {declared} bytes of body, as Content-Length declares (or no Content-Length)"


def cut_chunks(chunks: Iterable[bytes], declared: int) -> Iterator[bytes]:
    """The chunks, cut to `declared` bytes in all: what a server sends of a body that is longer than declared."""
    left = declared
    for chunk in chunks:
        if len(chunk) >= left:
            if left:
                yield chunk[:left]
            left = 0
            continue  # the app's iterable is still run to its end, as a server does (then closed)
        left -= len(chunk)
        yield chunk
