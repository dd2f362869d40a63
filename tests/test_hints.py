"""Another client's words on the kit's clients and responses name the kit's word (SPEC 13)."""

from __future__ import annotations

import unittest

from asgiwsgi_testkit import ASGITestClient, SyncASGITestClient, WSGITestClient
from tests import apps, asgi_apps

KEYWORDS = {
    "data": "form= for a form (a mapping), body= for raw bytes or str",
    "params": "query=",
    "content": "body=",
    "environ_base": "environ_overrides= (WSGITestClient)",
    "extra_environ": "environ_overrides= (WSGITestClient)",
    "allow_redirects": "follow_redirects=",
}
ATTRIBUTES = {"content": ".body (bytes)", "data": ".body (bytes)", "get_json": ".json()", "status_int": ".status_code", "reason_phrase": ".reason"}


class KeywordHintTests(unittest.TestCase):
    def test_each_client_names_the_kits_keyword(self):
        clients = {"WSGITestClient": WSGITestClient(apps.hello_app), "SyncASGITestClient": SyncASGITestClient(asgi_apps.hello_app, lifespan="off")}
        self.addCleanup(clients["SyncASGITestClient"].close)
        for label, client in clients.items():
            for keyword, hint in KEYWORDS.items():
                with self.subTest(client=label, keyword=keyword):
                    with self.assertRaises(TypeError) as caught:
                        client.post("/", **{keyword: {"a": "1"}})
                    self.assertEqual(str(caught.exception), f"post() got an unexpected keyword argument {keyword!r}: that is another client's word; the kit's is {hint}")

    def test_async_client_raises_at_the_call_without_a_coroutine_to_await(self):
        with self.assertRaisesRegex(TypeError, r"'params': that is another client's word; the kit's is query=$"):
            ASGITestClient(asgi_apps.hello_app).get("/", params={"q": "1"})

    def test_a_keyword_of_nobody_is_the_plain_error(self):
        with self.assertRaisesRegex(TypeError, r"^get\(\) got an unexpected keyword argument 'colour'$"):
            WSGITestClient(apps.hello_app).get("/", colour="red")


class AttributeHintTests(unittest.TestCase):
    def test_responses_name_the_kits_attribute(self):
        response = WSGITestClient(apps.hello_app).get("/")
        for name, hint in ATTRIBUTES.items():
            with self.subTest(name=name), self.assertRaises(AttributeError) as caught:
                getattr(response, name)
            self.assertEqual(str(caught.exception), f"'WSGITestResponse' object has no attribute {name!r}: that is another client's word; the kit's is {hint}")
        with self.assertRaisesRegex(AttributeError, r"^'WSGITestResponse' object has no attribute 'nothing'$"):
            response.nothing  # noqa: B018
        self.assertFalse(hasattr(response, "content"))


class JSONPropertyHabitTests(unittest.TestCase):
    """werkzeug's `response.json` is the parsed body; the kit's, as httpx's, is a method: each use as data says so."""

    HINT = r"^response\.json is a method, not the parsed body: call it, as in {} \(werkzeug's response\.json is a property; the kit's, like httpx's, is a method\)$"

    def responses(self):
        sync = SyncASGITestClient(asgi_apps.echo_app, lifespan="off")
        self.addCleanup(sync.close)
        return {"WSGITestResponse": WSGITestClient(apps.echo_app).get("/"), "ASGITestResponse": sync.get("/")}

    def test_indexing_comparing_and_searching_it_say_to_call_it(self):
        for label, response in self.responses().items():
            with self.subTest(response=label):
                with self.assertRaisesRegex(TypeError, self.HINT.format(r"response\.json\(\)\['method'\]")):
                    response.json["method"]
                with self.assertRaisesRegex(TypeError, self.HINT.format(r"response\.json\(\) == \{'method': 'GET'\}")):
                    self.assertEqual(response.json, {"method": "GET"})
                with self.assertRaisesRegex(TypeError, self.HINT.format(r"'method' in response\.json\(\)")):
                    "method" in response.json  # noqa: B015
                with self.assertRaisesRegex(TypeError, self.HINT.format(r"for item in response\.json\(\)")):
                    list(response.json)

    def test_calling_it_parses_the_body_and_it_still_reads_as_a_method(self):
        for label, response in self.responses().items():
            with self.subTest(response=label):
                self.assertEqual(response.json()["method"], "GET")
                self.assertTrue(callable(response.json))
                self.assertEqual(repr(response.json), f"<bound method json of {response!r}>")
                self.assertNotEqual(response.json, object())
                self.assertEqual(response.json, response.json)
                self.assertEqual(type(response).json(response)["method"], "GET")
                self.assertIs(response.json.__self__, response)

    def test_it_can_be_patched_on_one_response_as_a_method_can(self):
        from unittest import mock

        response = WSGITestClient(apps.echo_app).get("/")
        with mock.patch.object(response, "json", return_value={"patched": True}):
            self.assertEqual(response.json(), {"patched": True})
        self.assertEqual(response.json()["method"], "GET")


if __name__ == "__main__":
    unittest.main()
