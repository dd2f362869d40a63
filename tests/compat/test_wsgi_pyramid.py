"""Pyramid through WSGITestClient with validation on: bodies, query, headers, session, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib
import warnings

from asgiwsgi_testkit import WSGITestCase
from tests.compat._support import requires
from tests.compat._wsgi_scenario import STREAMED, WSGIScenario

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)  # WebOb 1.8 imports cgi
    try:
        from pyramid.config import Configurator
        from pyramid.httpexceptions import HTTPFound
        from pyramid.response import Response
        from pyramid.session import SignedCookieSessionFactory
    except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
        Configurator = None


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
class PyramidTests(WSGIScenario, WSGITestCase):
    REDIRECT_LOCATION = "http://testserver/target"

    def get_app(self):
        return create_app()

    def test_base_url_path_becomes_script_name_for_route_url(self):
        body = self.whoami_under_prefix()
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
