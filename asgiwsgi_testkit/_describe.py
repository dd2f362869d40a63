"""Text for humans about a response: request line, status, content type, a bounded body excerpt.

Used by failure messages (ResponseAssertions) and reprs. Pure functions that
never raise: a message about a broken response must not break in turn.
"""

from __future__ import annotations

from typing import Any

__all__ = ["body_excerpt", "describe_response", "reason_phrase", "request_line", "status_text"]

DEFAULT_EXCERPT = 1000
_TEXTUAL = ("text/", "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded")


_REASONS: dict[int, str] = {}


def reason_phrase(code: int) -> str:
    """The standard reason phrase for a status code ('' when unknown)."""
    reason = _REASONS.get(code)
    if reason is None:
        from http import HTTPStatus

        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = ""
        _REASONS[code] = reason
    return reason


def status_text(code: int) -> str:
    """'404 Not Found' for 404."""
    reason = reason_phrase(code)
    return f"{code} {reason}" if reason else str(code)


def request_line(response: Any) -> str:
    """'GET /tasks?page=2' for the request that produced `response` (never raises)."""
    try:
        request = response.request
        target = request.target
        line = f"{request.method} {target.target}"
        base = getattr(response, "_base_url", None)
        if base is not None and (base.scheme, base.authority) != (target.scheme, target.authority):
            line = f"{request.method} {request.url}"
        return line
    except Exception:
        return "(request unknown)"


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _is_textual(kind: str) -> bool:
    return kind.startswith(_TEXTUAL) or kind.endswith(("+json", "+xml")) or kind == ""


def body_excerpt(body: Any, content_type: str = "", limit: int | None = DEFAULT_EXCERPT, hint: str = "set self.maxBodyExcerpt = None to see all") -> str:
    """The body as an indented block: pretty JSON, decoded text, or a summary of binary data."""
    try:
        if body is None:
            return "  body: (not read: streamed)"
        if not body:
            return "  body: (empty)"
        kind = media_type(content_type)
        size = f"{len(body):,} bytes"
        if not _is_textual(kind):
            return f"  body: {size} of {kind}"
        charset = _charset(content_type) or "utf-8"
        try:
            text = body.decode(charset, errors="replace")
        except LookupError:
            text = body.decode("utf-8", errors="replace")
        if kind == "application/json" or kind.endswith("+json"):
            text = _pretty_json(text)
        if limit is not None and len(text) > limit:
            more = len(text) - limit
            text = text[:limit] + f"\n... [{more:,} more characters; {hint}]"
        block = "\n".join("    " + line for line in text.splitlines())
        return f"  body ({size}):\n{block}"
    except Exception as exc:  # pragma: no cover - defensive: messages never raise
        return f"  body: (could not be shown: {exc!r})"


def _pretty_json(text: str) -> str:
    import json

    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"')
    return ""


def describe_response(response: Any, limit: int | None = DEFAULT_EXCERPT, headers: tuple[str, ...] = ()) -> str:
    """The indented lines under a failure headline: content type, location, kept exception, body."""
    try:
        lines = []
        content_type = response.headers.get("content-type")
        lines.append(f"  content-type: {content_type if content_type is not None else '(none)'}")
        if 300 <= response.status_code < 400 and "location" in response.headers:
            lines.append(f"  location: {response.headers['location']}")
        for name in headers:
            if name in response.headers:
                lines.append(f"  {name}: {response.headers[name]}")
        exception = getattr(response, "exception", None)
        if exception is not None:
            lines.append(f"  app raised: {type(exception).__name__}: {exception}")
        lines.append(body_excerpt(response._body_or_none(), content_type or "", limit))
        return "\n".join(lines)
    except Exception as exc:  # pragma: no cover - defensive
        return f"  (response could not be described: {exc!r})"
