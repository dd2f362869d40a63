"""Golden failure text of every assertion helper, each checked four ways (longMessage x msg) as CPython's TestLongMessage does."""

from __future__ import annotations

import inspect
import unittest
from typing import Any

from asgiwsgi_testkit import ResponseAssertions, WSGITestCase, WSGITestClient

from tests import apps


def make_helpers(long_message: bool) -> Any:
    """A TestCase instance with the helpers, used only for its assertion methods (defined here so discovery skips it)."""

    class Helpers(ResponseAssertions, unittest.TestCase):
        longMessage = long_message

        def runTest(self) -> None:  # pragma: no cover - never run
            pass

    return Helpers()


class MessageTestCase(unittest.TestCase):
    client: WSGITestClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = WSGITestClient(apps.showcase_app, raise_server_exceptions=False)

    def setUp(self) -> None:
        self.testableTrue = make_helpers(True)
        self.testableFalse = make_helpers(False)

    def assertMessages(self, method_name: str, args: tuple, errors: list[str]) -> None:
        """Check that method_name(*args) fails with exactly `errors`, in the order of CPython's assertMessages:

        1) longMessage = False and no msg; 2) longMessage = False and msg;
        3) longMessage = True and no msg; 4) longMessage = True and msg.
        """
        for index, expected in enumerate(errors):
            test = self.testableFalse if index < 2 else self.testableTrue
            kwargs = {"msg": "oops"} if index % 2 else {}
            with self.subTest(way=index), self.assertRaises(test.failureException) as caught:
                getattr(test, method_name)(*args, **kwargs)
            self.assertEqual(str(caught.exception), expected)

    def assertFourWays(self, method_name: str, args: tuple, standard: str) -> None:
        self.assertMessages(method_name, args, [standard, "oops", standard, standard + " : oops"])


class StatusMessageTests(MessageTestCase):
    def test_assert_status_with_json_body(self):
        standard = (
            "GET /tasks/7?verbose=1 -> 404 Not Found, expected 200 OK\n"
            "  content-type: application/json\n"
            "  body (30 bytes):\n"
            "    {\n"
            '      "detail": "task 7 not found"\n'
            "    }"
        )
        self.assertFourWays("assertStatus", (self.client.get("/tasks/7?verbose=1"), 200), standard)

    def test_assert_status_with_redirect_shows_location(self):
        standard = (
            "POST /login -> 303 See Other, expected 200 OK\n"
            "  content-type: (none)\n"
            "  location: /welcome\n"
            "  body: (empty)"
        )
        self.assertFourWays("assertStatus", (self.client.post("/login"), 200), standard)

    def test_assert_status_405_shows_allow(self):
        standard = (
            "DELETE /method -> 405 Method Not Allowed, expected 204 No Content\n"
            "  content-type: text/plain\n"
            "  allow: GET, HEAD\n"
            "  body (4 bytes):\n"
            "    nope"
        )
        self.assertFourWays("assertStatus", (self.client.delete("/method"), 204), standard)

    def test_assert_status_shows_kept_exception(self):
        standard = (
            "GET /boom -> 500 Internal Server Error, expected 200 OK\n"
            "  content-type: text/plain; charset=utf-8\n"
            "  app raised: ZeroDivisionError: division by zero\n"
            "  body (21 bytes):\n"
            "    Internal Server Error"
        )
        self.assertFourWays("assertStatus", (self.client.get("/boom"), 200), standard)

    def test_assert_status_summarises_binary_body(self):
        standard = (
            "GET /image -> 200 OK, expected 404 Not Found\n"
            "  content-type: image/png\n"
            "  body: 5,120 bytes of image/png"
        )
        self.assertFourWays("assertStatus", (self.client.get("/image"), 404), standard)

    def test_assert_status_shows_full_url_for_other_host(self):
        standard = (
            "GET https://api.example:8443/tasks/7 -> 404 Not Found, expected 200 OK\n"
            "  content-type: application/json\n"
            "  body (30 bytes):\n"
            "    {\n"
            '      "detail": "task 7 not found"\n'
            "    }"
        )
        self.assertFourWays("assertStatus", (self.client.get("https://api.example:8443/tasks/7"), 200), standard)

    def test_assert_status_unknown_expected_code(self):
        standard = "GET /empty -> 204 No Content, expected 299\n  content-type: (none)\n  body: (empty)"
        self.assertFourWays("assertStatus", (self.client.get("/empty"), 299), standard)


class JSONMessageTests(MessageTestCase):
    def test_assert_json_not_a_json_media_type(self):
        standard = (
            "GET /page -> 200 OK with 'text/html; charset=utf-8', expected a JSON media type (application/json or */*+json)\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertJSON", (self.client.get("/page"),), standard)

    def test_assert_json_without_content_type(self):
        standard = (
            "GET /empty -> 204 No Content with no content-type, expected a JSON media type (application/json or */*+json)\n"
            "  content-type: (none)\n"
            "  body: (empty)"
        )
        self.assertFourWays("assertJSON", (self.client.get("/empty"),), standard)

    def test_assert_json_invalid_body(self):
        standard = (
            "GET /bad-json -> 200 OK body is not valid JSON: Expecting value: line 1 column 7 (char 6)\n"
            "  content-type: application/json\n"
            "  body (6 bytes):\n"
            '    {"a": '
        )
        self.assertFourWays("assertJSON", (self.client.get("/bad-json"),), standard)

    def test_assert_json_value_differs_shows_unittest_diff(self):
        standard = (
            "Lists differ: [{'id': 7, 'title': 'write tests'}] != []\n"
            "\n"
            "First list contains 1 additional elements.\n"
            "First extra element 0:\n"
            "{'id': 7, 'title': 'write tests'}\n"
            "\n"
            "- [{'id': 7, 'title': 'write tests'}]\n"
            "+ []\n"
            "  JSON body of GET /tasks -> 200 OK"
        )
        self.assertFourWays("assertJSON", (self.client.get("/tasks"), []), standard)

    def test_assert_json_dict_diff(self):
        standard = (
            "{'detail': 'task 7 not found'} != {'detail': 'task 8 not found'}\n"
            "- {'detail': 'task 7 not found'}\n"
            "?                  ^\n"
            "\n"
            "+ {'detail': 'task 8 not found'}\n"
            "?                  ^\n"
            "\n"
            "  JSON body of GET /tasks/7 -> 404 Not Found"
        )
        self.assertFourWays("assertJSON", (self.client.get("/tasks/7"), {"detail": "task 8 not found"}), standard)

    def test_assert_json_diff_honours_max_diff(self):
        response = self.client.get("/tasks")
        expected = [{"id": number, "title": "x" * 40} for number in range(30)]
        for helpers in (self.testableTrue, self.testableFalse):
            helpers.maxDiff = 80
            with self.assertRaises(AssertionError) as caught:
                helpers.assertJSON(response, expected)
            text = str(caught.exception)
            self.assertRegex(text, r"\nDiff is \d+ characters long\. Set self\.maxDiff to None to see it\.\n  JSON body of GET /tasks -> 200 OK$")
            helpers.maxDiff = None
            with self.assertRaises(AssertionError) as caught:
                helpers.assertJSON(response, expected)
            self.assertIn("+  {'id': 29, 'title': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'}]\n", str(caught.exception))
            self.assertNotIn("Diff is", str(caught.exception))


class HeaderMessageTests(MessageTestCase):
    def test_assert_header_missing_lists_present_headers(self):
        standard = (
            "GET /page -> 200 OK has no header 'etag'\n"
            "  headers: content-type, cache-control, vary\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertHeader", (self.client.get("/page"), "ETag"), standard)

    def test_assert_header_missing_when_response_has_none(self):
        standard = (
            "GET /empty -> 204 No Content has no header 'etag'\n"
            "  headers: (none)\n"
            "  content-type: (none)\n"
            "  body: (empty)"
        )
        self.assertFourWays("assertHeader", (self.client.get("/empty"), "etag"), standard)

    def test_assert_header_wrong_value(self):
        standard = (
            "GET /page -> 200 OK header 'cache-control' is 'no-store', expected 'max-age=60'\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertHeader", (self.client.get("/page"), "Cache-Control", "max-age=60"), standard)

    def test_assert_header_wrong_value_among_several(self):
        standard = (
            "GET /page -> 200 OK header 'vary' is ['Accept', 'Cookie'], expected 'Origin'\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertHeader", (self.client.get("/page"), "vary", "Origin"), standard)

    def test_assert_no_header_present(self):
        standard = (
            "GET /page -> 200 OK has header 'cache-control': 'no-store', expected none\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertNoHeader", (self.client.get("/page"), "Cache-Control"), standard)

    def test_assert_no_header_present_twice(self):
        standard = (
            "GET /page -> 200 OK has header 'vary': ['Accept', 'Cookie'], expected none\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertNoHeader", (self.client.get("/page"), "vary"), standard)

    def test_assert_content_type_differs(self):
        standard = (
            "GET /page -> 200 OK with 'text/html; charset=utf-8', expected 'application/json'\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertContentType", (self.client.get("/page"), "Application/JSON; charset=utf-8"), standard)

    def test_assert_content_type_missing(self):
        standard = "GET /empty -> 204 No Content with no content-type, expected 'text/plain'\n  content-type: (none)\n  body: (empty)"
        self.assertFourWays("assertContentType", (self.client.get("/empty"), "text/plain"), standard)


class BodyMessageTests(MessageTestCase):
    def test_assert_body_contains_text(self):
        standard = (
            "GET /page -> 200 OK body does not contain 'Goodbye'\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertBodyContains", (self.client.get("/page"), "Goodbye"), standard)

    def test_assert_body_contains_bytes(self):
        standard = (
            "GET /latin -> 200 OK body does not contain b'caf\\xc3\\xa9'\n"
            "  content-type: text/plain; charset=latin-1\n"
            "  body (4 bytes):\n"
            "    caf\u00e9"
        )
        self.assertFourWays("assertBodyContains", (self.client.get("/latin"), "caf\u00e9".encode()), standard)

    def test_body_excerpt_cut_with_hint(self):
        standard = (
            "GET /long -> 200 OK body does not contain 'y'\n"
            "  content-type: text/plain\n"
            "  body (1,240 bytes):\n"
            "    " + "x" * 1000 + "\n"
            "    ... [240 more characters; set self.maxBodyExcerpt = None to see all]"
        )
        self.assertFourWays("assertBodyContains", (self.client.get("/long"), "y"), standard)

    def test_body_excerpt_limit_is_configurable(self):
        response = self.client.get("/page")
        helpers = make_helpers(True)
        helpers.maxBodyExcerpt = 4
        with self.assertRaises(AssertionError) as caught:
            helpers.assertBodyContains(response, "Goodbye")
        self.assertEqual(str(caught.exception).splitlines()[-2:], ["    <h1>", "    ... [18 more characters; set self.maxBodyExcerpt = None to see all]"])

    def test_body_excerpt_unlimited_when_none(self):
        response = self.client.get("/long")
        helpers = make_helpers(True)
        helpers.maxBodyExcerpt = None
        with self.assertRaises(AssertionError) as caught:
            helpers.assertBodyContains(response, "y")
        self.assertEqual(str(caught.exception).splitlines()[-1], "    " + "x" * 1240)
        self.assertNotIn("more characters", str(caught.exception))

    def test_streamed_body_not_read_is_described(self):
        helpers = make_helpers(True)
        with self.client.stream("GET", "/tasks/7") as response:
            with self.assertRaises(AssertionError) as caught:
                helpers.assertStatus(response, 200)
        self.assertEqual(str(caught.exception), "GET /tasks/7 -> 404 Not Found, expected 200 OK\n  content-type: application/json\n  body: (not read: streamed)")


class RedirectAndCookieMessageTests(MessageTestCase):
    def test_assert_redirects_not_a_redirect(self):
        standard = (
            "POST /page -> 200 OK, expected a redirect to '/home'\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertRedirects", (self.client.post("/page"), "/home"), standard)

    def test_assert_redirects_elsewhere(self):
        standard = (
            "POST /login -> 303 See Other redirects to '/welcome', expected '/home'\n"
            "  content-type: (none)\n"
            "  location: /welcome\n"
            "  body: (empty)"
        )
        self.assertFourWays("assertRedirects", (self.client.post("/login"), "/home"), standard)

    def test_assert_redirects_with_other_status(self):
        standard = (
            "POST /login -> 303 See Other redirects to '/welcome', expected status 302 Found\n"
            "  content-type: (none)\n"
            "  location: /welcome\n"
            "  body: (empty)"
        )
        self.assertFourWays("assertRedirects", (self.client.post("/login"), "/welcome", 302), standard)

    def test_assert_cookie_not_set(self):
        standard = (
            "GET /login -> 303 See Other set no cookie 'session' (it set: 'csrftoken')\n"
            "  set-cookie: csrftoken=t1; Path=/\n"
            "  content-type: (none)\n"
            "  location: /welcome\n"
            "  body: (empty)"
        )
        self.assertFourWays("assertCookie", (self.client.get("/login"), "session"), standard)

    def test_assert_cookie_none_set(self):
        standard = (
            "GET /page -> 200 OK set no cookie 'session' (it set: nothing)\n"
            "  set-cookie: (none)\n"
            "  content-type: text/html; charset=utf-8\n"
            "  body (23 bytes):\n"
            "    <h1>Welcome, caf\u00e9</h1>"
        )
        self.assertFourWays("assertCookie", (self.client.get("/page"), "session"), standard)

    def test_assert_cookie_other_value(self):
        standard = (
            "GET /session -> 200 OK set cookie 'session' to 's1', expected 's2'\n"
            "  set-cookie: session=s1; Path=/; HttpOnly\n"
            "  content-type: text/plain; charset=utf-8\n"
            "  body (9 bytes):\n"
            "    logged in"
        )
        self.assertFourWays("assertCookie", (self.client.get("/session"), "session", "s2"), standard)

    def test_assert_cookie_lists_every_raw_set_cookie_also_the_ignored_ones(self):
        def app(environ: dict, start_response: Any) -> list:
            start_response("200 OK", [("Set-Cookie", "session"), ("Set-Cookie", "=s1; Path=/"), ("Set-Cookie", "theme=dark; Domain=other.example"), ("Set-Cookie", "lang=en")])
            return []

        response = WSGITestClient(app).get("/prefs")  # validation on: a browser ignores the first three, so does the jar
        standard = (
            "GET /prefs -> 200 OK set no cookie 'session' (it set: 'lang')\n"
            "  set-cookie: session\n"
            "  set-cookie: =s1; Path=/\n"
            "  set-cookie: theme=dark; Domain=other.example\n"
            "  set-cookie: lang=en\n"
            "  content-type: (none)\n"
            "  body: (empty)"
        )
        self.assertFourWays("assertCookie", (response, "session"), standard)


class TracebackTests(unittest.TestCase):
    def test_failure_points_at_the_test_line_for_every_helper(self):
        class Inner(WSGITestCase):
            app = apps.showcase_app

            def test_status(self):
                self.assertStatus(self.client.get("/tasks/7"), 200)

            def test_json(self):
                self.assertJSON(self.client.get("/tasks/7"), {"other": 1})

            def test_header(self):
                self.assertHeader(self.client.get("/tasks/7"), "etag")

            def test_no_header(self):
                self.assertNoHeader(self.client.get("/tasks/7"), "content-type")

            def test_content_type(self):
                self.assertContentType(self.client.get("/tasks/7"), "text/html")

            def test_body_contains(self):
                self.assertBodyContains(self.client.get("/tasks/7"), "absent")

            def test_redirects(self):
                self.assertRedirects(self.client.get("/tasks/7"), "/home")

            def test_cookie(self):
                self.assertCookie(self.client.get("/tasks/7"), "session")

        names = unittest.defaultTestLoader.getTestCaseNames(Inner)
        self.assertEqual(len(names), 8)
        for name in names:
            with self.subTest(test=name):
                result = unittest.TestResult()
                Inner(name).run(result)
                self.assertEqual((len(result.failures), result.errors), (1, []))
                text = result.failures[0][1]
                self.assertNotIn("_assertions.py", text)
                self.assertNotIn("_describe.py", text)
                self.assertNotIn("During handling", text)
                line = inspect.getsourcelines(getattr(Inner, name))[1] + 1
                frames = [entry for entry in text.splitlines() if entry.startswith("  File ")]
                self.assertEqual(frames, [f'  File "{__file__}", line {line}, in {name}'])
                self.assertIn("GET /tasks/7 -> 404 Not Found", text)


if __name__ == "__main__":
    unittest.main()
