"""Pyramid through WSGITestClient with validation on: bodies, query, headers, session, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib
import traceback
import warnings

from asgiwsgi_testkit import WSGITestCase, WSGITestClient
from tests.compat._support import requires

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)  # WebOb 1.8 imports cgi
    try:
        from pyramid.config import Configurator
        from pyramid.httpexceptions import HTTPFound
        from pyramid.response import Response
        from pyramid.session import SignedCookieSessionFactory
    except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
        Configurator = None

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far


def list_items(request):
    return {"items": ["a", "b"], "method": request.method}


def create_item(request):
    request.response.status_code = 201
    return {"received": request.json_body}


def form(request):
    return {"name": request.POST["name"], "tags": request.POST.getall("tag")}


def upload(request):
    stored = request.POST["upload"]
    with stored.file:  # WebOb spools the file part to a temporary file; the view closes it
        data = stored.file.read()
    # WebOb also copied the whole body (> 10 KiB) to a temporary file of its own, now environ["wsgi.input"]:
    # a server would drop it with the environ; close it here so the run has no ResourceWarning
    request.add_finished_callback(lambda finished: finished.body_file_raw.close())
    return {
        "filename": stored.filename,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "note": request.POST["note"],
    }


def query(request):
    return {"tags": request.GET.getall("tag"), "name": request.GET.get("name")}


def headers(request):
    return {"tag": request.headers.get("X-Tag")}


def set_session(request):
    request.session["user"] = request.POST["user"]
    return {"stored": True}


def read_session(request):
    return {"user": request.session.get("user")}


def set_cookie(request):
    with warnings.catch_warnings():  # WebOb quotes the value but warns that a future version will refuse it
        warnings.simplefilter("ignore", RuntimeWarning)
        request.response.set_cookie("note", "a,b c;d")  # needs quoting: WebOb sends "a\054b c\073d"
    return {"set": True}


def read_cookie(request):
    return {"note": request.cookies.get("note")}


def old(request):
    return HTTPFound(location=request.route_url("target"))


def target(request):
    return {"arrived": True}


def boom_view(request):
    raise RuntimeError("boom from the view")


def whoami(request):
    return {
        "script_name": request.script_name,
        "path_info": request.path_info,
        "application_url": request.application_url,
        "route_path": request.route_path("whoami"),
        "route_url": request.route_url("whoami"),
    }


def stream(request):
    def generate():
        for number in range(1, 4):
            STREAMED.append(f"line {number}")
            yield f"line {number}\n".encode()

    return Response(app_iter=generate(), content_type="text/plain")


def create_app():
    """A fresh Pyramid app for each test; the session lives in a signed cookie."""
    with Configurator(session_factory=SignedCookieSessionFactory("compat-tests")) as config:
        routes = [
            ("items", "/items", list_items, "GET", "json"),
            ("create", "/items", create_item, "POST", "json"),
            ("form", "/form", form, "POST", "json"),
            ("upload", "/upload", upload, "POST", "json"),
            ("query", "/query", query, "GET", "json"),
            ("headers", "/headers", headers, "GET", "json"),
            ("session_set", "/session", set_session, "POST", "json"),
            ("session_read", "/session", read_session, "GET", "json"),
            ("cookie", "/cookie", set_cookie, "GET", "json"),
            ("cookie_read", "/cookie/read", read_cookie, "GET", "json"),
            ("old", "/old", old, "GET", None),
            ("target", "/target", target, "GET", "json"),
            ("boom", "/boom", boom_view, "GET", None),
            ("whoami", "/whoami", whoami, "GET", "json"),
            ("stream", "/stream", stream, "GET", None),
        ]
        for name, pattern, view, method, renderer in routes:
            config.add_route(name, pattern, request_method=method)
            config.add_view(view, route_name=name, renderer=renderer)
        return config.make_wsgi_app()


@requires("pyramid")
class PyramidTests(WSGITestCase):
    def get_app(self):
        return create_app()

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
        first = self.client.post("/session", form={"user": "ann"})
        self.assertCookie(first, "session")
        self.assertJSON(self.client.get("/session"), {"user": "ann"})

    def test_quoted_cookie_value_round_trips_unchanged(self):
        first = self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertJSON(self.client.get("/cookie/read"), {"note": "a,b c;d"})

    def test_redirect_not_followed_by_default(self):
        response = self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=302)
        self.assertEqual(response.headers["location"], "http://testserver/target")
        self.assertEqual(response.history, [])

    def test_redirect_followed_keeps_history(self):
        response = self.client.get("/old", follow_redirects=True)
        self.assertJSON(response, {"arrived": True})
        self.assertEqual([r.status_code for r in response.history], [302])
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
        frames = traceback.extract_tb(caught.__traceback__)
        self.assertIn("boom_view", [frame.name for frame in frames])

    def test_view_exception_kept_on_500_when_not_raised(self):
        client = WSGITestClient(self.get_app(), raise_server_exceptions=False)
        response = client.get("/boom")
        self.assertStatus(response, 500)
        self.assertIsInstance(response.exception, RuntimeError)
        self.assertIn("boom_view", response.traceback)

    def test_base_url_path_becomes_script_name_for_route_url(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        body = self.assertJSON(client.get("/whoami"))
        self.assertEqual(
            body,
            {
                "script_name": "/prefix",
                "path_info": "/whoami",
                "application_url": "http://testserver/prefix",
                "route_path": "/prefix/whoami",
                "route_url": "http://testserver/prefix/whoami",
            },
        )

    def test_redirect_under_prefix_followed_inside_prefix(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        response = client.get("/old", follow_redirects=True)
        self.assertRedirects(response.history[0], "/prefix/target", status_code=302)
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
