"""Django through WSGITestClient with validation on: bodies, query, headers, session, redirects, errors, prefix, streaming."""

from __future__ import annotations

import hashlib
import json

from asgiwsgi_testkit import WSGITestCase
from tests.compat._support import configure_django, requires, uses_django_urlconf
from tests.compat._wsgi_scenario import STREAMED, WSGIScenario

try:
    import django
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    django = None


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
class DjangoTests(WSGIScenario, WSGITestCase):
    SESSION_COOKIE = ("sessionid",)

    app = application

    def test_base_url_path_becomes_script_name_for_reverse(self):
        body = self.whoami_under_prefix()
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
