"""environ_overrides= and scope_overrides= on real frameworks (issue 10, item 10).

Pyramid's own tests set REMOTE_USER through WebTest's extra_environ; Starlette
reads `request.user` from the scope key an auth middleware sets.
"""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import ASGITestClient, WSGITestClient
from tests.compat._support import NoPendingTasks, requires


@requires("pyramid")
class PyramidRemoteUserTests(unittest.TestCase):
    def app(self):
        from pyramid.config import Configurator

        def whoami(request):
            return {"remote_user": request.remote_user, "authenticated": request.authenticated_userid}

        class RemoteUserPolicy:  # what Pyramid 1's RemoteUserAuthenticationPolicy did, as a Pyramid 2 security policy
            def identity(self, request):
                return request.environ.get("REMOTE_USER")

            def authenticated_userid(self, request):
                return self.identity(request)

            def permits(self, request, context, permission):
                return True

            def remember(self, request, userid, **kw):
                return []

            def forget(self, request, **kw):
                return []

        with Configurator() as config:
            config.set_security_policy(RemoteUserPolicy())
            config.add_route("whoami", "/whoami")
            config.add_view(whoami, route_name="whoami", renderer="json")
            return config.make_wsgi_app()

    def test_remote_user_as_webtest_extra_environ_sets_it(self):
        client = WSGITestClient(self.app(), environ_overrides={"REMOTE_USER": "ada"})
        self.assertEqual(client.get("/whoami").json(), {"remote_user": "ada", "authenticated": "ada"})
        self.assertEqual(client.get("/whoami", environ_overrides={"REMOTE_USER": "bob"}).json()["authenticated"], "bob")
        self.assertEqual(WSGITestClient(self.app()).get("/whoami").json(), {"remote_user": None, "authenticated": None})


@requires("starlette")
class StarletteScopeUserTests(NoPendingTasks, unittest.IsolatedAsyncioTestCase):
    def app(self):
        from starlette.applications import Starlette
        from starlette.authentication import SimpleUser
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        self.user = SimpleUser("ada")

        async def me(request):
            return JSONResponse({"user": request.user.username, "scopes": request.auth})

        return Starlette(routes=[Route("/me", me)])

    async def test_user_and_auth_as_an_auth_middleware_would_set_them(self):
        app = self.app()
        async with ASGITestClient(app, scope_overrides={"user": self.user, "auth": ["read"]}) as client:
            self.assertEqual((await client.get("/me")).json(), {"user": "ada", "scopes": ["read"]})

    async def test_without_them_starlette_says_the_middleware_is_missing(self):
        async with ASGITestClient(self.app()) as client:
            with self.assertRaisesRegex(AssertionError, "AuthenticationMiddleware must be installed"):
                await client.get("/me")


if __name__ == "__main__":
    unittest.main()
