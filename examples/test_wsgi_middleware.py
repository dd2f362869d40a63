"""Tests for examples/wsgi_middleware.py: exactly which environ keys and response headers the prefix middleware changes."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import WSGIRecorder, WSGITestCase, compose, echo_app, fixed_response_app
from examples.wsgi_middleware import PrefixMiddleware


def environ_changes(before, after):
    """{key: (before, after)} for every environ key whose value differs, wsgi.input left out.

    wsgi.input always differs between two recorders: each hands the app behind
    it a wrapper that records what is read.
    """
    keys = (set(before) | set(after)) - {"wsgi.input"}
    return {key: (before.get(key), after.get(key)) for key in sorted(keys) if before.get(key) != after.get(key)}


class PrefixTestCase(WSGITestCase):
    """`self.outer` records what the client sent to the middleware, `self.inner` what the app behind it saw and did."""

    def inner_app(self):
        """The app behind the middleware: the kit's WSGI echo app, which answers with the request it saw."""
        return echo_app(interface="wsgi")

    def get_app(self):
        self.inner = WSGIRecorder(self.inner_app())
        self.outer = WSGIRecorder(compose(self.inner, (PrefixMiddleware, {"prefix": "/api"})))
        return self.outer


class EnvironTests(PrefixTestCase):
    def test_only_script_name_and_path_info_change(self):
        self.client.get("/api/users/7", query={"page": "2"}, headers={"Accept": "application/json"})
        self.assertEqual(environ_changes(self.outer.last.environ, self.inner.last.environ), {"PATH_INFO": ("/api/users/7", "/users/7"), "SCRIPT_NAME": ("", "/api")})

    def test_the_app_answers_with_the_shifted_paths(self):
        response = self.client.get("/api/users/7", query={"page": "2"})
        echoed = response.json()
        self.assertEqual((echoed["script_name"], echoed["path_info"], echoed["query_string"]), ("/api", "/users/7", "page=2"))

    def test_the_prefix_alone_leaves_an_empty_path_info(self):
        self.client.get("/api")
        self.assertEqual((self.inner.last.environ["SCRIPT_NAME"], self.inner.last.environ["PATH_INFO"]), ("/api", ""))

    def test_the_request_body_reaches_the_app_unread_by_the_middleware(self):
        response = self.client.post("/api/users", json={"name": "ann"})
        self.assertEqual(self.inner.last.body, b'{"name":"ann"}')
        self.assertEqual(response.json()["body"], '{"name":"ann"}')



class UnderABaseURLTests(PrefixTestCase):
    client_options = {"base_url": "http://testserver/site"}  # a server that mounted the whole stack at /site

    def test_the_base_url_path_is_kept_in_front_of_the_prefix(self):
        response = self.client.get("/api/users")
        self.assertEqual(environ_changes(self.outer.last.environ, self.inner.last.environ), {"PATH_INFO": ("/api/users", "/users"), "SCRIPT_NAME": ("/site", "/site/api")})
        self.assertHeader(response, "X-Mounted-At", "/site/api")


class ResponseTests(PrefixTestCase):
    def inner_app(self):
        return fixed_response_app(201, b"made", [("Content-Type", "text/plain"), ("Location", "/api/users/8")], interface="wsgi")

    def test_one_header_is_appended_and_nothing_else_changes(self):
        response = self.client.post("/api/users", body=b"x")
        self.assertStatus(response, 201)
        [(app_status, app_said, _)] = self.inner.last.start_response_calls  # the raw lists, names as written
        [(client_status, client_got, _)] = self.outer.last.start_response_calls
        self.assertEqual(client_got, app_said + [("X-Mounted-At", "/api")])
        self.assertEqual(client_status, app_status)
        self.assertEqual(self.outer.last.response_body, self.inner.last.response_body)
        self.assertEqual(response.body, b"made")

    def test_the_apps_iterable_is_closed_through_the_middleware(self):
        self.client.get("/api/users")
        self.assertTrue(self.inner.last.closed)
        self.assertEqual(len(self.inner.last.start_response_calls), 1)


class OutsideThePrefixTests(PrefixTestCase):
    def test_a_path_outside_the_prefix_never_reaches_the_app(self):
        response = self.client.get("/admin")
        self.assertStatus(response, 404)
        self.assertEqual(response.text, "not found: /admin is outside /api\n")
        self.assertNoHeader(response, "X-Mounted-At")
        self.assertEqual(self.inner.calls, [])

    def test_a_path_that_only_starts_with_the_prefix_text_is_outside(self):
        self.assertStatus(self.client.get("/apiary"), 404)
        self.assertEqual(self.inner.calls, [])


class ComposeOrderTests(WSGITestCase):
    def get_app(self):
        self.inner = WSGIRecorder()  # the echo app by default
        return compose(self.inner, (PrefixMiddleware, {"prefix": "/api"}), (PrefixMiddleware, {"prefix": "/v1"}))

    def test_the_first_middleware_is_outermost(self):
        response = self.client.get("/api/v1/users")
        self.assertEqual((self.inner.last.environ["SCRIPT_NAME"], self.inner.last.environ["PATH_INFO"]), ("/api/v1", "/users"))
        self.assertEqual(response.headers.get_all("X-Mounted-At"), ["/api/v1", "/api"])  # the inner one's header first

    def test_the_inner_prefix_answers_404_for_a_path_outside_it(self):
        response = self.client.get("/api/v2/users")
        self.assertStatus(response, 404)
        self.assertEqual(response.text, "not found: /v2/users is outside /v1\n")
        self.assertHeader(response, "X-Mounted-At", "/api")  # the outer middleware still added its header


class ConstructorTests(unittest.TestCase):
    def test_a_prefix_without_a_leading_slash_is_refused(self):
        with self.assertRaisesRegex(ValueError, r"^prefix must start with '/' and not end with one, such as '/api', not 'api'$"):
            PrefixMiddleware(echo_app(interface="wsgi"), "api")

    def test_a_prefix_with_a_trailing_slash_is_refused(self):
        with self.assertRaisesRegex(ValueError, r"not '/api/'$"):
            compose(echo_app(interface="wsgi"), (PrefixMiddleware, {"prefix": "/api/"}))


if __name__ == "__main__":
    unittest.main()
