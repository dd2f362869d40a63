"""Django's ASGI handler through ASGITestCase, validation on: bodies, session, redirects, errors, prefix, no lifespan."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import warnings

from asgiwsgi_testkit import ASGITestCase, ASGITestClient, LifespanError
from tests.compat._support import NoPendingTasks, configure_django, requires, uses_django_urlconf
from tests.compat._asgi_scenario import ENDLESS, STREAMED, ASGIScenario

try:
    import django
except ImportError:  # the test class is skipped (or fails under TESTKIT_REQUIRE_FRAMEWORKS=1)
    django = None


def collect_quietly() -> None:
    """Collect what a propagated view exception kept alive.

    Django's ASGIHandler closes the request's body file only when the view
    returns; with DEBUG_PROPAGATE_EXCEPTIONS it stays open (as under any server).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


if django is not None:
    configure_django()  # shared with the WSGI Django and Channels modules; this class's URLconf is set below

    from django.core.asgi import get_asgi_application
    from django.http import JsonResponse, StreamingHttpResponse
    from django.shortcuts import redirect
    from django.urls import path, reverse

    async def items(request):
        if request.method == "POST":
            return JsonResponse({"received": json.loads(request.body)}, status=201)
        return JsonResponse({"items": ["a", "b"], "method": request.method})

    def form(request):  # a sync view: Django runs it in a thread (sync_to_async)
        return JsonResponse({"name": request.POST["name"], "tags": request.POST.getlist("tag")})

    async def upload(request):
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

    async def query(request):
        return JsonResponse({"tags": request.GET.getlist("tag"), "name": request.GET.get("name")})

    async def headers(request):
        return JsonResponse({"tag": request.headers.get("X-Tag")})

    async def session(request):
        if request.method == "POST":
            await request.session.aset("user", request.POST["user"])
            return JsonResponse({"stored": True})
        return JsonResponse({"user": await request.session.aget("user")})

    async def set_cookie(request):
        response = JsonResponse({"set": True})
        response.set_cookie("note", "a,b c;d")  # needs quoting: SimpleCookie sends "a\054b c\073d"
        return response

    async def read_cookie(request):
        return JsonResponse({"note": request.COOKIES.get("note")})

    async def old(request):
        return redirect("target")

    async def target(request):
        return JsonResponse({"arrived": True})

    async def boom_view(request):
        raise RuntimeError("boom from the view")

    async def whoami(request):
        return JsonResponse(
            {
                "script_name": request.META["SCRIPT_NAME"],
                "path_info": request.path_info,
                "path": request.path,
                "reverse": reverse("whoami"),
                "absolute": request.build_absolute_uri(reverse("whoami")),
            }
        )

    async def stream(request):
        async def generate():
            for number in range(1, 4):
                STREAMED.append(f"line {number}")
                yield f"line {number}\n"

        return StreamingHttpResponse(generate(), content_type="text/plain")

    async def endless(request):
        async def generate():
            while True:
                ENDLESS.append(f"{len(ENDLESS) + 1}")
                yield f"{len(ENDLESS)}\n"

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
        path("endless", endless),
    ]

    application = get_asgi_application()
else:
    application = None


@requires("django")
@uses_django_urlconf(__name__)
class DjangoASGITests(ASGIScenario, NoPendingTasks, ASGITestCase):
    SESSION_COOKIE = ("sessionid",)

    def expect_view_exception(self):
        self.addCleanup(collect_quietly)
    app = application

    async def test_lifespan_auto_treats_django_as_having_none(self):
        # Django raises on the lifespan scope; in mode "auto" that means "no lifespan", and requests work.
        self.assertEqual(self.client.state, {})
        self.assertStatus(await self.client.get("/items"), 200)

    async def test_lifespan_on_reports_the_error_django_raised(self):
        client = ASGITestClient(self.get_app(), lifespan="on")
        with self.assertRaisesRegex(LifespanError, r"does not support lifespan: it raised ValueError: .*lifespan"):
            await client.startup()

    async def test_repeated_request_headers_reach_view_joined(self):
        response = await self.client.get("/headers", headers=[("X-Tag", "a"), ("X-Tag", "b")])
        self.assertJSON(response, {"tag": "a,b"})  # Django's ASGIRequest joins repeated headers with ","

    async def test_base_url_path_becomes_root_path_for_reverse(self):
        client = ASGITestClient(self.get_app(), base_url="http://testserver/prefix")
        body = self.assertJSON(await client.get("/whoami"))
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

    async def test_endless_stream_left_early_leaves_nothing_pending(self):
        ENDLESS.clear()
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())  # no lifespan task: Django has none
        async with self.client.stream("GET", "/endless") as response:
            numbers = []
            async for line in response.aiter_lines():
                numbers.append(line)
                if len(numbers) == 3:
                    break
            self.assertLessEqual(len(ENDLESS), 5)  # back-pressure: the app runs at most about two chunks ahead
        self.assertEqual(numbers, ["1", "2", "3"])
        self.assertEqual(asyncio.all_tasks() - {asyncio.current_task()}, set())
