"""Tests for _client_core: client options, request building, cookie bookkeeping, the redirect plan and chain, the shared verbs."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import Headers, TestkitError, WSGITestResponse
from asgiwsgi_testkit._client_core import MAX_REDIRECTS, REQUEST_ARGUMENTS, ClientCore, ClientVerbs, RedirectTracker, stream_arguments
from asgiwsgi_testkit._content import UNSET
from asgiwsgi_testkit._describe import reason_phrase


def make_core(**options) -> ClientCore:
    settings = dict(base_url="http://testserver", headers=None, cookies=True, follow_redirects=False, raise_server_exceptions=True, validate=True)
    settings.update(options)
    return ClientCore(**settings)


def answer(request, status: int, headers=None, body: bytes = b"") -> WSGITestResponse:
    return WSGITestResponse(status, reason_phrase(status), Headers(headers or {}), body, request)


class OptionTests(unittest.TestCase):
    def test_defaults(self) -> None:
        core = make_core()
        self.assertEqual((core.base_url, core.base.authority, core.default_headers), ("http://testserver", "testserver", []))
        self.assertEqual((core.follow_redirects, core.raise_server_exceptions, core.validate), (False, True, True))
        self.assertIsNotNone(core.jar)

    def test_bool_options_refuse_other_types_naming_option(self) -> None:
        for name, value, shown in (("follow_redirects", "yes", "str: 'yes'"), ("raise_server_exceptions", 1, "int: 1"), ("validate", None, "NoneType: None")):
            with self.subTest(name=name):
                with self.assertRaisesRegex(TypeError, rf"^{name}= must be True or False, not {shown}$"):
                    make_core(**{name: value})

    def test_cookies_option_refuses_other_types(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^cookies= must be True, False or a mapping of initial cookies, not int: 5$"):
            make_core(cookies=5)
        with self.assertRaisesRegex(TypeError, r"not str: 'a=1'"):
            make_core(cookies="a=1")

    def test_cookies_false_keeps_no_jar(self) -> None:
        self.assertIsNone(make_core(cookies=False).jar)

    def test_initial_cookies_sent_to_base_host(self) -> None:
        core = make_core(base_url="http://api.example:8000", cookies={"sid": 7})
        self.assertEqual(core.jar["sid"], "7")
        self.assertEqual(core.build("GET", "/", {}).headers["cookie"], "sid=7")
        self.assertNotIn("cookie", core.build("GET", "http://elsewhere/", {}).headers)

    def test_default_headers_checked_and_sent(self) -> None:
        core = make_core(headers={"User-Agent": "kit"})
        self.assertEqual(core.default_headers, [("User-Agent", "kit")])
        self.assertEqual(core.build("GET", "/", {"headers": {"user-agent": "mine"}}).headers.get_all("user-agent"), ["mine"])
        with self.assertRaisesRegex(ValueError, r"^headers= value of header 'x' contains a CR, LF"):
            make_core(headers={"x": "a\nb"})

    def test_bad_base_url(self) -> None:
        with self.assertRaisesRegex(ValueError, r"^base_url= must not have a query or fragment"):
            make_core(base_url="http://testserver/?a=1")

    def test_websocket_schemes(self) -> None:
        self.assertEqual(make_core(base_url="ws://testserver", schemes=("ws", "wss")).base.scheme, "ws")

    def test_should_follow(self) -> None:
        core = make_core(follow_redirects=True)
        self.assertTrue(core.should_follow(None))
        self.assertFalse(core.should_follow(False))
        with self.assertRaisesRegex(TypeError, r"^follow_redirects= must be True or False, not int: 1$"):
            core.should_follow(1)


class BuildTests(unittest.TestCase):
    def test_build_passes_every_argument(self) -> None:
        request = make_core().build("post", "/tasks", {"query": {"a": 1}, "headers": {"X-A": "1"}, "json": {"t": 1}, "cookies": {"c": "1"}})
        self.assertEqual((request.method, request.path, request.body), ("POST", "/tasks?a=1", b'{"t":1}'))
        self.assertEqual((request.headers["x-a"], request.headers["cookie"]), ("1", "c=1"))

    def test_form_files_and_body(self) -> None:
        core = make_core()
        self.assertEqual(core.build("POST", "/", {"form": {"a": "1"}}).body, b"a=1")
        self.assertTrue(core.build("POST", "/", {"files": {"f": b"x"}}).headers["content-type"].startswith("multipart/form-data"))
        self.assertEqual(core.build("POST", "/", {"body": "x"}).body, b"x")

    def test_query_string_merged_before_query(self) -> None:
        core = make_core()
        self.assertEqual(core.build("GET", "/?p=0", {"query_string": "a=1", "query": {"b": 2}}).path, "/?p=0&a=1&b=2")
        self.assertEqual(core.build("GET", "/", {"query_string": b"a=%20"}).path, "/?a=%20")
        self.assertEqual(core.build("GET", "/", {"query_string": "", "query": "b=2"}).path, "/?b=2")

    def test_query_string_type_error_names_it(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^query_string= must be str, bytes, a mapping or a sequence of pairs, not int$"):
            make_core().build("GET", "/", {"query_string": 5})


class ReceiveTests(unittest.TestCase):
    def test_receive_stores_cookies_and_the_base_url(self) -> None:
        core = make_core(base_url="https://testserver:8443")
        request = core.build("GET", "/login", {})
        response = answer(request, 200, [("set-cookie", "sid=1"), ("set-cookie", "tmp=x; Max-Age=0")])
        core.receive(response)
        self.assertEqual(response.cookies, {"sid": "1", "tmp": "x"})
        self.assertEqual((response._base_url.scheme, response._base_url.authority), ("https", "testserver:8443"))
        self.assertEqual(list(core.jar), ["sid"])
        self.assertEqual(core.build("GET", "/", {}).headers["cookie"], "sid=1")

    def test_receive_without_jar_still_reports_cookies(self) -> None:
        core = make_core(cookies=False)
        response = answer(core.build("GET", "/", {}), 200, [("set-cookie", "sid=1")])
        core.receive(response)
        self.assertEqual(response.cookies, {"sid": "1"})
        self.assertNotIn("cookie", core.build("GET", "/", {}).headers)


class RedirectTests(unittest.TestCase):
    def setUp(self) -> None:
        self.core = make_core()

    def step(self, tracker: RedirectTracker, status: int, location: str):
        """Send the tracker's current request, answer it with a redirect, and return (request, followed)."""
        request = self.core.build(tracker.method, tracker.path, tracker.arguments)
        tracker.check_loop(request)
        return request, tracker.follow(answer(request, status, {"Location": location}))

    def test_non_redirect_is_not_followed(self) -> None:
        tracker = RedirectTracker("GET", "/", {})
        request = self.core.build("GET", "/", {})
        self.assertFalse(tracker.follow(answer(request, 200, {"location": "/x"})))
        self.assertFalse(tracker.follow(answer(request, 302)))
        self.assertEqual(tracker.history, [])

    def test_301_302_303_turn_post_into_get_without_body(self) -> None:
        for status in (301, 302, 303):
            with self.subTest(status=status):
                headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "X-Keep": "1"}
                tracker = RedirectTracker("POST", "/form", {"json": {"a": 1}, "headers": headers, "query": {"q": 1}, "query_string": "r=1"})
                _, followed = self.step(tracker, status, "/done")
                self.assertTrue(followed)
                self.assertEqual((tracker.method, tracker.path), ("GET", "http://testserver/done"))
                for key in ("json", "query", "query_string"):
                    self.assertNotIn(key, tracker.arguments)
                self.assertEqual(tracker.arguments["headers"], [("X-Keep", "1")])
                request = self.core.build(tracker.method, tracker.path, tracker.arguments)
                self.assertEqual((request.method, request.path, request.body), ("GET", "/done", b""))
                self.assertNotIn("content-type", request.headers)
                self.assertNotIn("content-length", request.headers)

    def test_303_drops_every_body_argument(self) -> None:
        for arguments in ({"body": b"x"}, {"json": None}, {"form": {"a": "1"}, "files": {"f": b""}}):
            with self.subTest(arguments=arguments):
                tracker = RedirectTracker("PUT", "/", dict(arguments, cookies={"c": "1"}))
                self.step(tracker, 303, "/next")
                self.assertEqual(tracker.arguments, {"cookies": {"c": "1"}, "headers": None})

    def test_head_stays_head(self) -> None:
        for status in (301, 302, 303):
            with self.subTest(status=status):
                tracker = RedirectTracker("HEAD", "/", {})
                self.step(tracker, status, "/other")
                self.assertEqual(tracker.method, "HEAD")

    def test_307_308_keep_method_and_body(self) -> None:
        for status in (307, 308):
            with self.subTest(status=status):
                tracker = RedirectTracker("POST", "/upload", {"body": b"data", "headers": {"Content-Type": "text/plain"}})
                self.step(tracker, status, "/v2/upload")
                request = self.core.build(tracker.method, tracker.path, tracker.arguments)
                self.assertEqual((request.method, request.path, request.body), ("POST", "/v2/upload", b"data"))
                self.assertEqual(request.headers["content-type"], "text/plain")

    def test_streamed_body_cannot_follow_307(self) -> None:
        tracker = RedirectTracker("POST", "/upload", {"body": iter([b"a"])})
        with self.assertRaisesRegex(TestkitError, r"^cannot follow 307 to http://testserver/b: a 307 repeats the request body, and a streamed body can be sent only once$"):
            self.step(tracker, 307, "/b")

    def test_streamed_body_follows_303_as_get(self) -> None:
        tracker = RedirectTracker("POST", "/upload", {"body": iter([b"a"])})
        self.step(tracker, 303, "/done")
        self.assertEqual((tracker.method, tracker.arguments.get("body")), ("GET", None))

    def test_location_resolved_against_request_url(self) -> None:
        tracker = RedirectTracker("GET", "/a/b/c?x=1", {})
        self.step(tracker, 302, " ../d?y=2 ")
        self.assertEqual(tracker.path, "http://testserver/a/d?y=2")
        self.step(tracker, 302, "https://other.example/z")
        self.assertEqual(tracker.path, "https://other.example/z")

    def test_authorization_dropped_on_host_change(self) -> None:
        tracker = RedirectTracker("GET", "/", {"headers": {"Authorization": "Bearer t", "X-Keep": "1"}})
        self.step(tracker, 302, "/same-host")
        self.assertEqual(tracker.arguments["headers"], [("Authorization", "Bearer t"), ("X-Keep", "1")])
        self.step(tracker, 307, "http://elsewhere.example/")
        self.assertEqual(tracker.arguments["headers"], [("X-Keep", "1")])
        request = self.core.build(tracker.method, tracker.path, tracker.arguments)
        self.assertNotIn("authorization", request.headers)

    def test_client_default_authorization_dropped_on_host_change(self) -> None:
        self.core = make_core(headers={"Authorization": "Bearer client", "User-Agent": "kit"})
        tracker = RedirectTracker("GET", "/", {"headers": {"Authorization": "Bearer request"}})
        self.step(tracker, 302, "/same-host")
        request = self.core.build(tracker.method, tracker.path, tracker.arguments)
        self.assertEqual(request.headers["authorization"], "Bearer request")
        self.step(tracker, 302, "http://elsewhere.example/")
        self.step(tracker, 302, "http://testserver/back")
        request = self.core.build(tracker.method, tracker.path, tracker.arguments)
        self.assertNotIn("authorization", request.headers)
        self.assertEqual(request.headers["user-agent"], "kit")

    def test_client_default_authorization_kept_without_redirect(self) -> None:
        core = make_core(headers={"Authorization": "Bearer client"})
        self.assertEqual(core.build("GET", "http://elsewhere.example/", {}).headers["authorization"], "Bearer client")

    def test_host_change_without_headers(self) -> None:
        tracker = RedirectTracker("GET", "/", {})
        self.step(tracker, 302, "http://elsewhere.example/")
        self.assertIsNone(tracker.arguments["headers"])

    def test_history_records_each_redirect(self) -> None:
        tracker = RedirectTracker("GET", "/0", {})
        self.step(tracker, 302, "/1")
        self.step(tracker, 301, "/2")
        self.assertEqual([(r.status_code, r.request.path) for r in tracker.history], [(302, "/0"), (301, "/1")])

    def test_twenty_redirects_allowed_and_more_refused_naming_chain(self) -> None:
        tracker = RedirectTracker("GET", "/0", {})
        for hop in range(MAX_REDIRECTS):
            self.assertTrue(self.step(tracker, 302, f"/{hop + 1}")[1])
        self.assertEqual(MAX_REDIRECTS, 20)
        with self.assertRaisesRegex(
            TestkitError,
            r"^more than 20 redirects: GET http://testserver/0 \(302\) -> GET http://testserver/1 \(302\) -> .* -> GET http://testserver/20 \(302\)$",
        ):
            self.step(tracker, 302, "/21")

    def test_loop_detected_naming_request_and_chain(self) -> None:
        tracker = RedirectTracker("GET", "/a", {})
        self.step(tracker, 302, "/b")
        self.step(tracker, 302, "/a")
        with self.assertRaisesRegex(
            TestkitError,
            r"^redirect loop: GET http://testserver/a was already requested: GET http://testserver/a \(302\) -> GET http://testserver/b \(302\)$",
        ):
            self.step(tracker, 302, "/b")

    def test_redirect_to_self_is_a_loop(self) -> None:
        tracker = RedirectTracker("GET", "/a", {})
        self.step(tracker, 302, "/a")
        with self.assertRaisesRegex(TestkitError, r"^redirect loop: GET http://testserver/a"):
            self.step(tracker, 302, "/a")

    def test_same_url_with_other_method_is_not_a_loop(self) -> None:
        tracker = RedirectTracker("POST", "/a", {})
        self.step(tracker, 303, "/a")
        request = self.core.build(tracker.method, tracker.path, tracker.arguments)
        tracker.check_loop(request)
        self.assertEqual(request.method, "GET")

    def test_same_url_with_new_cookie_is_not_a_loop(self) -> None:
        tracker = RedirectTracker("GET", "/login", {})
        request = self.core.build(tracker.method, tracker.path, tracker.arguments)
        response = answer(request, 302, [("location", "/login"), ("set-cookie", "sid=1")])
        self.core.receive(response)
        tracker.follow(response)
        again = self.core.build(tracker.method, tracker.path, tracker.arguments)
        tracker.check_loop(again)
        self.assertEqual(again.headers["cookie"], "sid=1")

    def test_first_request_is_never_a_loop(self) -> None:
        tracker = RedirectTracker("GET", "/a", {})
        tracker._seen.add(("GET", "http://testserver/a", ""))
        tracker.check_loop(self.core.build("GET", "/a", {}))
        self.assertEqual(tracker.history, [])


class RedirectChainTests(unittest.TestCase):
    """The sans-IO loop both clients drive: requests out, responses in, None once the last one came."""

    def setUp(self) -> None:
        self.core = make_core()

    def test_final_response_on_first_answer_gets_empty_history(self) -> None:
        chain = self.core.redirect_chain("GET", "/", {"query": {"a": 1}})
        request = next(chain)
        self.assertEqual((request.method, request.path), ("GET", "/?a=1"))
        response = answer(request, 200, [("set-cookie", "sid=1")])
        self.assertIsNone(chain.send(response))
        self.assertEqual((response.history, response.cookies), ([], {"sid": "1"}))

    def test_each_redirect_yields_next_request_and_last_gets_history(self) -> None:
        chain = self.core.redirect_chain("POST", "/form", {"json": {"a": 1}})
        first = next(chain)
        moved = answer(first, 302, [("location", "/step"), ("set-cookie", "sid=1")])
        second = chain.send(moved)
        self.assertEqual((second.method, second.url, second.body, second.headers["cookie"]), ("GET", "http://testserver/step", b"", "sid=1"))
        kept = answer(second, 307, [("location", "/done")])
        third = chain.send(kept)
        self.assertEqual((third.method, third.path), ("GET", "/done"))
        final = answer(third, 200)
        self.assertIsNone(chain.send(final))
        self.assertEqual(final.history, [moved, kept])

    def test_loop_raises_when_response_sent_in(self) -> None:
        chain = self.core.redirect_chain("GET", "/a", {})
        request = next(chain)
        with self.assertRaisesRegex(TestkitError, r"^redirect loop: GET http://testserver/a was already requested: GET http://testserver/a \(302\)$"):
            chain.send(answer(request, 302, [("location", "/a")]))

    def test_streamed_body_refused_for_307(self) -> None:
        chain = self.core.redirect_chain("PUT", "/a", {"body": iter([b"x"])})
        request = next(chain)
        with self.assertRaisesRegex(TestkitError, r"^cannot follow 307 to http://testserver/b: a 307 repeats the request body"):
            chain.send(answer(request, 307, [("location", "/b")]))


class _RecordingVerbs(ClientVerbs):
    """ClientVerbs over a `_send` that returns what it was given."""

    def _send(self, method, path, arguments, follow):
        return (method, path, arguments, follow)


class ClientVerbsTests(unittest.TestCase):
    def test_each_verb_sends_its_method_and_keywords(self) -> None:
        client = _RecordingVerbs()
        for verb in ("get", "post", "put", "patch", "delete", "head", "options"):
            with self.subTest(verb=verb):
                method, path, arguments, follow = getattr(client, verb)("/p", headers={"a": "1"}, follow_redirects=True)
                self.assertEqual((method, path, arguments["headers"], follow), (verb.upper(), "/p", {"a": "1"}, True))

    def test_a_subclass_request_serves_its_verbs(self) -> None:
        class Tagged(_RecordingVerbs):
            def request(self, method, path, **kwargs):
                return ("tagged", super().request(method, path, **kwargs))

        for verb in ("get", "post", "put", "patch", "delete", "head", "options"):
            with self.subTest(verb=verb):
                tag, (method, path, _, _) = getattr(Tagged(), verb)("/p")
                self.assertEqual((tag, method, path), ("tagged", verb.upper(), "/p"))

    def test_verbs_show_request_keywords_to_inspect(self) -> None:
        import inspect

        parameters = list(inspect.signature(_RecordingVerbs().get).parameters)
        self.assertEqual(parameters[:3], ["path", "query", "query_string"])
        self.assertIn("follow_redirects", parameters)
        self.assertEqual(_RecordingVerbs.get.__name__, "get")

    def test_path_and_method_may_be_given_by_keyword(self) -> None:
        client = _RecordingVerbs()
        self.assertEqual(client.get(path="/p")[:2], ("GET", "/p"))
        self.assertEqual(client.request(method="PUT", path="/q")[:2], ("PUT", "/q"))

    def test_a_subclass_request_with_keywords_of_its_own_serves_its_verbs(self) -> None:
        class Authed(_RecordingVerbs):
            def request(self, method, path, *, token=None, **kwargs):
                kwargs.setdefault("headers", {"authorization": token})
                return super().request(method, path, **kwargs)

        _, _, arguments, _ = Authed().get("/p", token="t")
        self.assertEqual(arguments["headers"], {"authorization": "t"})
        with self.assertRaisesRegex(TypeError, r"^request\(\) got an unexpected keyword argument 'data': that is another client's word"):
            Authed().get("/p", data=b"x")

    def test_verbs_pickle_and_read_as_methods_of_their_class(self) -> None:
        import pickle
        import sys
        import typing

        from asgiwsgi_testkit import WSGITestClient
        from asgiwsgi_testkit.testclient import TestClient

        for verb in (WSGITestClient.get, TestClient.post):
            with self.subTest(verb=verb.__qualname__):
                self.assertIs(pickle.loads(pickle.dumps(verb)), verb)
                if sys.version_info >= (3, 10):  # (3.9 cannot evaluate the `X | None` annotations the kit writes)
                    self.assertIn("follow_redirects", typing.get_type_hints(verb))
        self.assertEqual((WSGITestClient.get.__qualname__, WSGITestClient.get.__module__), ("ClientVerbs.get", "asgiwsgi_testkit._client_core"))

    def test_importing_the_kit_imports_no_inspect(self) -> None:
        import subprocess
        import sys

        code = "import sys, asgiwsgi_testkit; print('inspect' in sys.modules)"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(result.stdout.strip(), "False")

    def test_request_passes_every_argument_with_its_default(self) -> None:
        method, path, arguments, follow = _RecordingVerbs().request("PURGE", "/x", query="a=1")
        self.assertEqual((method, path, follow), ("PURGE", "/x", None))
        self.assertEqual(tuple(arguments), REQUEST_ARGUMENTS[:-2])  # the overrides only when given
        self.assertEqual(arguments, dict.fromkeys(REQUEST_ARGUMENTS[:-2]) | {"query": "a=1", "json": UNSET})
        _, _, arguments, _ = _RecordingVerbs().request("GET", "/", environ_overrides={"REMOTE_USER": "ada"})
        self.assertEqual((arguments["environ_overrides"], arguments["scope_overrides"]), ({"REMOTE_USER": "ada"}, None))

    def test_unknown_keyword_is_type_error_naming_it(self) -> None:
        with self.assertRaisesRegex(TypeError, r"get\(\) got an unexpected keyword argument 'timeout'"):
            _RecordingVerbs().get("/", timeout=1)


class StreamArgumentTests(unittest.TestCase):
    def test_follow_redirects_split_from_request_arguments(self) -> None:
        arguments, follow = stream_arguments({"query": "a=1", "follow_redirects": True})
        self.assertEqual((arguments, follow), ({"query": "a=1"}, True))
        self.assertEqual(stream_arguments({}), ({}, None))

    def test_every_request_argument_accepted(self) -> None:
        given = {name: object() for name in REQUEST_ARGUMENTS}
        self.assertEqual(stream_arguments(dict(given))[0], given)

    def test_unknown_keyword_is_type_error_naming_first_in_order(self) -> None:
        with self.assertRaisesRegex(TypeError, r"^stream\(\) got an unexpected keyword argument 'data': that is another client's word; the kit's is form= for a form \(a mapping\), body= for raw bytes or str$"):
            stream_arguments({"query": None, "timeout": 1, "data": b""})


if __name__ == "__main__":
    unittest.main()
