"""Django through WSGITestClient with validation on: bodies, query, headers, session, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib
import json
import traceback

from asgiwsgi_testkit import WSGITestCase, WSGITestClient
from tests.compat._support import configure_django, requires, uses_django_urlconf

try:
    import django
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    django = None

UPLOAD = bytes(range(256)) * 1024  # every byte value, CR LF and "--" included
STREAMED: list[str] = []  # what the streaming view has produced so far

if django is not None:
    configure_django()  # shared with the ASGI Django and Channels modules; this class's URLconf is set below

    from django.core.wsgi import get_wsgi_application
    from django.http import JsonResponse, StreamingHttpResponse
    from django.shortcuts import redirect
    from django.urls import path, reverse
    from django.views.decorators.http import require_http_methods

    @require_http_methods(["GET", "POST"])
    def items(request):
        if request.method == "POST":
            return JsonResponse({"received": json.loads(request.body)}, status=201)
        return JsonResponse({"items": ["a", "b"], "method": request.method})

    def form(request):
        return JsonResponse({"name": request.POST["name"], "tags": request.POST.getlist("tag")})

    def upload(request):
        stored = request.FILES["upload"]
        data = stored.read()
        return JsonResponse(
            {
                "filename": stored.name,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "note": request.POST["note"],
            }
        )

    def query(request):
        return JsonResponse({"tags": request.GET.getlist("tag"), "name": request.GET.get("name")})

    def headers(request):
        return JsonResponse({"tag": request.headers.get("X-Tag")})

    def session(request):
        if request.method == "POST":
            request.session["user"] = request.POST["user"]
            return JsonResponse({"stored": True})
        return JsonResponse({"user": request.session.get("user")})

    def set_cookie(request):
        response = JsonResponse({"set": True})
        response.set_cookie("note", "a,b c;d")  # needs quoting: SimpleCookie sends "a\054b c\073d"
        return response

    def read_cookie(request):
        return JsonResponse({"note": request.COOKIES.get("note")})

    def old(request):
        return redirect("target")

    def target(request):
        return JsonResponse({"arrived": True})

    def boom_view(request):
        raise RuntimeError("boom from the view")

    def whoami(request):
        return JsonResponse(
            {
                "script_name": request.META["SCRIPT_NAME"],
                "path_info": request.path_info,
                "path": request.path,
                "reverse": reverse("whoami"),
                "absolute": request.build_absolute_uri(reverse("whoami")),
            }
        )

    def stream(request):
        def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n"

        return StreamingHttpResponse(generate(), content_type="text/plain")

    urlpatterns = [
        path("items", items),
        path("form", form),
        path("upload", upload),
        path("query", query),
        path("headers", headers),
        path("session", session),
        path("cookie", set_cookie),
        path("cookie/read", read_cookie),
        path("old", old),
        path("target", target, name="target"),
        path("boom", boom_view),
        path("whoami", whoami, name="whoami"),
        path("stream", stream),
    ]

    application = get_wsgi_application()
else:
    application = None


@requires("django")
@uses_django_urlconf(__name__)
class DjangoTests(WSGITestCase):
    app = application

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
        self.assertCookie(first, "sessionid")
        self.assertJSON(self.client.get("/session"), {"user": "ann"})

    def test_quoted_cookie_value_round_trips_unchanged(self):
        first = self.client.get("/cookie")
        self.assertIn('note="a\\054b c\\073d"', first.headers["set-cookie"])  # the framework quoted it
        self.assertJSON(self.client.get("/cookie/read"), {"note": "a,b c;d"})

    def test_redirect_not_followed_by_default(self):
        response = self.client.get("/old")
        self.assertRedirects(response, "/target", status_code=302)
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

    def test_base_url_path_becomes_script_name_for_reverse(self):
        client = WSGITestClient(self.get_app(), base_url="http://testserver/prefix")
        body = self.assertJSON(client.get("/whoami"))
        self.assertEqual(
            body,
            {
                "script_name": "/prefix",
                "path_info": "/whoami",
                "path": "/prefix/whoami",
                "reverse": "/prefix/whoami",
                "absolute": "http://testserver/prefix/whoami",
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
