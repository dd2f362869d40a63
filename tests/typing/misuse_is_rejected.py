# pyright: reportUnnecessaryTypeIgnoreComment=true
"""Mistakes a checker must catch: each line carries the `type: ignore` it needs, and no more.

mypy --strict (warn_unused_ignores) and pyright (the setting above) both fail
on an ignore that is not needed, so a public name that turned into Any, or a
signature that stopped checking its keywords, fails `tox -e typing` here. The
functions are never called; the module is for the checkers only.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import asgiwsgi_testkit
from asgiwsgi_testkit import ASGITestClient, SyncASGITestClient, WSGITestCase, WSGITestClient


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [b""]


def other_clients_keywords_are_rejected(client: WSGITestClient, sync: SyncASGITestClient) -> None:
    client.post("/", data=b"x")  # type: ignore[arg-type]
    client.get("/", params={"q": "1"})  # type: ignore[arg-type]
    sync.get("/", allow_redirects=True)  # type: ignore[arg-type]


async def async_keywords_and_attributes_are_checked(client: ASGITestClient) -> None:
    await client.get("/", content=b"x")  # type: ignore[arg-type]
    response = await client.get("/")
    response.get_json()  # type: ignore[attr-defined]


def responses_are_not_any(client: WSGITestClient) -> None:
    response = client.get("/")
    response.content  # type: ignore[attr-defined]  # noqa: B018
    response.status_code.upper()  # type: ignore[attr-defined]
    client.get(b"/")  # type: ignore[arg-type]
    response.json["x"]  # type: ignore[index]  # noqa: B018


def misspelt_public_names_are_errors() -> None:
    asgiwsgi_testkit.WSGITestClinet  # type: ignore[attr-defined]  # noqa: B018


def client_options_are_checked() -> None:
    WSGITestClient(app, timeout=1.0)  # type: ignore[call-arg]


class TestCaseClientIsTyped(WSGITestCase):
    def test_misspelt_verb(self) -> None:
        self.client.gett("/")  # type: ignore[attr-defined]
