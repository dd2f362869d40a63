"""The scenario every WSGI framework module runs: bodies, query, headers, cookies, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib
import traceback
from typing import Any, ClassVar, Optional

from asgiwsgi_testkit import WSGITestClient

__all__ = ["STREAMED", "UPLOAD", "WSGIScenario"]

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far (the app appends to it)


class WSGIScenario:
    """Mixin for a WSGITestCase (not a TestCase itself, so it is never collected alone).

    The app serves /items, /form, /upload, /query, /headers, /session, /cookie, /cookie/read, /old (redirects to
    /target), /target, /boom (raises RuntimeError("boom from the view")), /whoami and /stream (appends to STREAMED).
    Class constants and the `assert_view_*` hooks hold what differs between frameworks.
    """

    SESSION_COOKIE: ClassVar[tuple] = ("session",)  # assertCookie's arguments after the response
    SESSION_POST: ClassVar[dict] = {"form": {"user": "ann"}}  # how /session is sent the user
    COOKIE_READ_EXTRA: ClassVar[dict] = {}  # keys /cookie/read answers besides "note"
    REDIRECT_STATUS: ClassVar[int] = 302
    REDIRECT_LOCATION: ClassVar[Optional[str]] = None  # the Location header as sent, when the test checks it
    VIEW_NAME: ClassVar[str] = "boom_view"  # the function /boom raises in

    client: WSGITestClient  # get_app(), the client and the assert* methods come from WSGITestCase

    def assert_view_frame(self, frames: traceback.StackSummary) -> None:
        """The view's own frame is in the propagated exception's traceback."""
        self.assertIn(self.VIEW_NAME, [frame.name for frame in frames])  # type: ignore[attr-defined]

    def assert_view_traceback(self, text: str) -> None:
        """The view shows in `response.traceback` when the exception is kept on the response."""
        self.assertIn(self.VIEW_NAME, text)  # type: ignore[attr-defined]

    def whoami_under_prefix(self) -> Any:
        """The JSON /whoami answers when the client's base URL has the path /prefix."""
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        return self.assertJSON(client.get("/whoami"))  # type: ignore[attr-defined]

    def test_json_get_returns_view_data(self):
        response = self.client.get("/items")
        self.assertStatus(response, 200)
        self.assertJSON(response, {"items": ["a", "b"], "method": "GET"})

    def test_json_post_reaches_view_parsed(self):
        response = self.client.post("/items", json={"title": "café", "done": False})
        self.assertStatus(response, 201)
        self.assertJSON(response, {"received": {"title": "café", "done": False}})

    def test_form_post_reads_fields_and_repeats(self):
        response = self.client.post("/form", form={"name": "Zoë", "tag": ["a", "b"]})
        self.assertJSON(response, {"name": "Zoë", "tags": ["a", "b"]})

    def test_multipart_upload_arrives_byte_exact(self):
        response = self.client.post(
            "/upload", form={"note": "binary"}, files={"upload": ("data.bin", UPLOAD, "application/octet-stream")}
        )
        self.assertJSON(
            response,
            {"filename": "data.bin", "size": len(UPLOAD), "sha256": hashlib.sha256(UPLOAD).hexdigest(), "note": "binary"},
        )

    def test_query_repeated_and_non_ascii_values_in_path(self):
        response = self.client.get("/query?tag=a&tag=b&name=café")
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    def test_query_repeated_and_non_ascii_values_as_mapping(self):
        response = self.client.get("/query", query={"tag": ["a", "b"], "name": "café"})
        self.assertJSON(response, {"tags": ["a", "b"], "name": "café"})

    def test_repeated_request_headers_reach_view_joined(self):
        response = self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tag": "a, b"})

    def test_session_cookie_round_trip_across_requests(self):
        first = self.client.post("/session", **self.SESSION_POST)
        self.assertCookie(first, *self.SESSION_COOKIE)
        self.assertJSON(self.client.get("/session"), {"user": "ann"})

    def test_quoted_cookie_value_round_trips_unchanged(self):
        first = self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertJSON(self.client.get("/cookie/read"), {"note": "a,b c;d", **self.COOKIE_READ_EXTRA})

    def test_redirect_not_followed_by_default(self):
        response = self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=self.REDIRECT_STATUS)
        if self.REDIRECT_LOCATION is not None:
            self.assertEqual(response.headers["location"], self.REDIRECT_LOCATION)
        self.assertEqual(response.history, [])

    def test_redirect_followed_keeps_history(self):
        response = self.client.get("/old", follow_redirects=True)
        self.assertJSON(response, {"arrived": True})
        self.assertEqual([r.status_code for r in response.history], [self.REDIRECT_STATUS])
        self.assertEqual(response.request.url, "http://testserver/target")

    def test_unknown_path_gives_404(self):
        self.assertStatus(self.client.get("/missing"), 404)

    def test_view_exception_propagates_with_view_frame(self):
        try:
            self.client.get("/boom")
        except RuntimeError as exc:  # not assertRaises: it drops the traceback
            caught = exc
        else:
            self.fail("the view's RuntimeError did not propagate")
        self.assertEqual(str(caught), "boom from the view")
        self.assert_view_frame(traceback.extract_tb(caught.__traceback__))

    def test_view_exception_kept_on_500_when_not_raised(self):
        client = WSGITestClient(self.get_app(), raise_server_exceptions=False)
        response = client.get("/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assert_view_traceback(response.traceback)

    def test_redirect_under_prefix_followed_inside_prefix(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        response = client.get("/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/target", status_code=self.REDIRECT_STATUS)
        self.assertJSON(response, {"arrived": True})

    def test_stream_yields_generator_lines_on_demand(self):
        STREAMED.clear()
        with self.client.stream("GET", "/stream") as response:
            self.assertStatus(response, 200)
            lines = response.iter_lines()
            self.assertEqual(next(lines), "line 1")
            self.assertLess(len(STREAMED), 3)
            self.assertEqual(list(lines), ["line 2", "line 3"])

    def test_stream_iter_bytes_gives_whole_body(self):
        with self.client.stream("GET", "/stream") as response:
            body = b"".join(response.iter_bytes())
        self.assertEqual(body, b"line 1\nline 2\nline 3\n")
