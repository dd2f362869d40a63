"""ResponseAssertions: camelCase assertion helpers for any unittest.TestCase.

Each helper builds a headline from the request line and the response, adds
the description from _describe (content type, location, kept exception, a
bounded body excerpt), and fails through `self._formatMessage(msg, standard)`
so `msg` and `longMessage` behave as in unittest. `__unittest = True` keeps
this module's frames out of failure tracebacks: a failure points at the test.
"""

from __future__ import annotations

from typing import Any

from ._describe import DEFAULT_EXCERPT, describe_response, request_line, status_text

__all__ = ["ResponseAssertions"]

__unittest = True

_UNSET: Any = type("_Unset", (), {"__repr__": lambda self: "<unset>"})()


def _is_json_media_type(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


class ResponseAssertions:
    """Mixin with assertion helpers for WSGI and ASGI responses; use it with any TestCase."""

    #: characters of body shown in a failure message; None shows the whole body
    maxBodyExcerpt: int | None = DEFAULT_EXCERPT

    def _response_failure(self, response: Any, headline: str, msg: Any, extra_headers: tuple[str, ...] = ()) -> Any:
        standard = headline + "\n" + describe_response(response, self.maxBodyExcerpt, extra_headers)
        return self.failureException(self._formatMessage(msg, standard))  # type: ignore[attr-defined]

    @staticmethod
    def _not_awaited(response: Any, helper: str) -> None:
        """A coroutine where a response should be: the request was not awaited (a TypeError that says so)."""
        if hasattr(response, "__await__"):
            close = getattr(response, "close", None)
            if close is not None:
                close()  # no second "was never awaited" warning after this error
            raise TypeError(f"{helper}() got {type(response).__name__} {response!r:.80}, not a response: the request was not awaited; write `response = await client.get(...)`")

    @staticmethod
    def _head(response: Any) -> str:
        try:
            return f"{request_line(response)} -> {response.status}"
        except Exception:
            return repr(response)

    def assertStatus(self, response: Any, code: int, msg: Any = None) -> None:
        """Fail unless the response status code is `code` (an int, or an http.HTTPStatus)."""
        self._not_awaited(response, "assertStatus")
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError(f"assertStatus() code must be an int such as 200 or an http.HTTPStatus, not {type(code).__name__} {code!r}: pass the code alone")
        if response.status_code != code:
            raise self._response_failure(response, f"{self._head(response)}, expected {status_text(code)}", msg, ("allow",))

    def assertJSON(self, response: Any, expected: Any = _UNSET, msg: Any = None) -> Any:
        """Fail unless the response is JSON (and equals `expected` if given); return the parsed body."""
        self._not_awaited(response, "assertJSON")
        media_type = response.content_type
        if not _is_json_media_type(media_type):
            content_type = response.headers.get("content-type")
            shown = repr(content_type) if content_type is not None else "no content-type"
            headline = f"{self._head(response)} with {shown}, expected a JSON media type (application/json or */*+json)"
            raise self._response_failure(response, headline, msg)
        try:
            import json

            actual = json.loads(response.body)
        except ValueError as exc:
            raise self._response_failure(response, f"{self._head(response)} body is not valid JSON: {exc}", msg) from None
        if expected is not _UNSET and actual != expected:
            try:
                self.assertEqual(actual, expected)  # type: ignore[attr-defined]  # unittest's own diff, honouring maxDiff
            except self.failureException as exc:  # type: ignore[attr-defined]
                # the diff and the request line are the standard message, also with longMessage = False
                standard = f"{exc}\n  JSON body of {self._head(response)}"
                raise self.failureException(self._formatMessage(msg, standard)) from None  # type: ignore[attr-defined]
        return actual

    def assertHeader(self, response: Any, name: str, value: Any = _UNSET, msg: Any = None) -> None:
        """Fail unless header `name` is present (and, if given, one of its values is `value`)."""
        self._not_awaited(response, "assertHeader")
        values = response.headers.get_all(name)
        if not values:
            present = ", ".join(response.headers.keys()) or "(none)"
            raise self._response_failure(response, f"{self._head(response)} has no header {name.lower()!r}\n  headers: {present}", msg)
        if value is not _UNSET and value not in values:
            actual = values[0] if len(values) == 1 else values
            raise self._response_failure(response, f"{self._head(response)} header {name.lower()!r} is {actual!r}, expected {value!r}", msg)

    def assertNoHeader(self, response: Any, name: str, msg: Any = None) -> None:
        """Fail if header `name` is present."""
        self._not_awaited(response, "assertNoHeader")
        values = response.headers.get_all(name)
        if values:
            shown = values[0] if len(values) == 1 else values
            raise self._response_failure(response, f"{self._head(response)} has header {name.lower()!r}: {shown!r}, expected none", msg)

    def assertContentType(self, response: Any, media_type: str, msg: Any = None) -> None:
        """Fail unless the media type (parameters ignored, case-insensitive) is `media_type`."""
        self._not_awaited(response, "assertContentType")
        wanted = media_type.split(";", 1)[0].strip().lower()
        if response.content_type != wanted:
            content_type = response.headers.get("content-type")
            shown = repr(content_type) if content_type is not None else "no content-type"
            raise self._response_failure(response, f"{self._head(response)} with {shown}, expected {wanted!r}", msg)

    def assertBodyContains(self, response: Any, text_or_bytes: Any, msg: Any = None) -> None:
        """Fail unless the body contains `text_or_bytes` (str is matched against the decoded text)."""
        self._not_awaited(response, "assertBodyContains")
        if isinstance(text_or_bytes, str):
            found = text_or_bytes in response.text
        elif isinstance(text_or_bytes, (bytes, bytearray)):
            found = bytes(text_or_bytes) in response.body
        else:
            raise TypeError(f"assertBodyContains() needs str or bytes, not {type(text_or_bytes).__name__}")
        if not found:
            raise self._response_failure(response, f"{self._head(response)} body does not contain {text_or_bytes!r}", msg)

    def assertRedirects(self, response: Any, location: str, status_code: int | None = None, msg: Any = None) -> None:
        """Fail unless the response redirects to `location` (with `status_code`, if given).

        `location` matches the Location header as sent, or the absolute URL it
        resolves to.
        """
        self._not_awaited(response, "assertRedirects")
        code = response.status_code
        actual = response.headers.get("location")
        if not 300 <= code < 400 or actual is None:
            raise self._response_failure(response, f"{self._head(response)}, expected a redirect to {location!r}", msg)
        if actual != location and _absolute(response, actual) != _absolute(response, location):
            raise self._response_failure(response, f"{self._head(response)} redirects to {actual!r}, expected {location!r}", msg)
        if status_code is not None and code != status_code:
            raise self._response_failure(response, f"{self._head(response)} redirects to {actual!r}, expected status {status_text(status_code)}", msg)

    def assertCookie(self, response: Any, name: str, value: Any = _UNSET, msg: Any = None) -> None:
        """Fail unless the response set cookie `name` (to `value`, if given).

        The failure lists the response's raw Set-Cookie headers, also those a
        browser ignores (no name=value pair, a foreign Domain), which
        `response.cookies` leaves out.
        """
        self._not_awaited(response, "assertCookie")
        cookies = response.cookies
        if name not in cookies:
            others = ", ".join(repr(n) for n in cookies) or "nothing"
            raise self._response_failure(response, f"{self._head(response)} set no cookie {name!r} (it set: {others}){_set_cookie_lines(response)}", msg)
        if value is not _UNSET and cookies[name] != value:
            headline = f"{self._head(response)} set cookie {name!r} to {cookies[name]!r}, expected {value!r}{_set_cookie_lines(response)}"
            raise self._response_failure(response, headline, msg)


def _set_cookie_lines(response: Any) -> str:
    """One indented `set-cookie:` line per raw header, in order; `(none)` when there is none."""
    try:
        values = response.headers.get_all("set-cookie")
    except Exception:  # a failure message must never raise (unittest's safe_repr)
        return ""
    return "".join(f"\n  set-cookie: {value}" for value in values) or "\n  set-cookie: (none)"


def _absolute(response: Any, location: str) -> str:
    from urllib.parse import urljoin

    try:
        return urljoin(str(response.request.url), location)
    except Exception:
        return location
