"""SyncASGITestClient: ASGITestClient driven from synchronous code, on one private event loop (SPEC section 11).

Every exchange is ASGITestClient's own: a verb builds the same coroutine the
async client awaits and runs it on the client's PrivateLoop, in the calling
thread. `stream()` and `websocket_connect()` are `with` blocks over the async
client's, whose responses and sessions are read through the same loop
(`SyncStream`, `SyncWebSocketSession`). Between two calls the loop does not
run: a task the app left behind goes on when the next call runs the loop.
"""

from __future__ import annotations

import threading
import weakref
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from ._app_task import DISCONNECT_GRACE
from ._asgi_client import ASGITestClient, _close_stream
from ._asgi_response import ASGITestResponse
from ._client_core import ClientVerbs, stream_arguments
from ._errors import warn_outside_the_kit
from ._forwarded import Forwarded
from ._private_loop import PrivateLoop
from ._request import DEFAULT_CLIENT
from ._verbs import takes_request_keywords

if TYPE_CHECKING:
    from ._asgi_websocket import WebSocketSession
    from ._asgi_websocket_app import SessionState
    from ._headers import Headers

__all__ = ["SyncASGITestClient", "SyncWebSocketSession"]

# Clients whose loop may still be open. At interpreter exit, before non-daemon threads are joined (anyio's
# worker threads end with the task that started them) and while modules still work, each is ended as if
# collected: a module-level client nobody closed (FastAPI's documented habit) must not hang or spill errors.
_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()
_exit_hook_registered = False


def _end_live_clients() -> None:
    for client in list(_LIVE):
        client._end_left_open()


def _watch(client: SyncASGITestClient) -> None:
    global _exit_hook_registered
    _LIVE.add(client)
    if not _exit_hook_registered:
        _exit_hook_registered = True
        register = getattr(threading, "_register_atexit", None)  # runs before threads are joined (3.9+)
        if register is None:  # pragma: no cover - every supported CPython has it
            import atexit

            register = atexit.register
        register(_end_live_clients)


class SyncASGITestClient(ClientVerbs[ASGITestResponse]):
    """Call an ASGI app from synchronous code: ASGITestClient's options and verbs, each returning the response.

    The app, its lifespan, background tasks and WebSocket sessions run on one
    private event loop, in the calling thread, one call at a time. `with
    client:` runs lifespan startup and, at its end, `close()`: lifespan
    shutdown, async generators finalised, the loop closed.
    """

    __test__ = False  # a "Test*"-like class that pytest must not collect
    _warn_when_collected_open = True

    def __init__(
        self,
        app: Any,
        *,
        base_url: str = "http://testserver",
        headers: Any = None,
        cookies: Any = True,
        follow_redirects: bool = False,
        raise_server_exceptions: bool = True,
        validate: bool = True,
        lifespan: str = "auto",
        timeout: float = 5.0,
        client: tuple[str, int] = DEFAULT_CLIENT,
        http_version: str = "1.1",
        root_path: str | None = None,
        disconnect_grace: float = DISCONNECT_GRACE,
        scope_overrides: Any = None,
    ) -> None:
        self._async = ASGITestClient(
            app,
            base_url=base_url,
            headers=headers,
            cookies=cookies,
            follow_redirects=follow_redirects,
            raise_server_exceptions=raise_server_exceptions,
            validate=validate,
            lifespan=lifespan,
            timeout=timeout,
            client=client,
            http_version=http_version,
            root_path=root_path,
            disconnect_grace=disconnect_grace,
            scope_overrides=scope_overrides,
        )
        self._core = self._async._core
        self._loop = self._private_loop()
        _watch(self)

    def _private_loop(self) -> PrivateLoop:
        return PrivateLoop(type(self).__name__, "ASGITestClient", self._async.timeout)

    @property
    def app(self) -> Any:
        return self._async.app

    @property
    def state(self) -> dict[str, Any]:
        """The lifespan state dict (what startup stored); each request gets a shallow copy."""
        return self._async.state

    # -- the loop's life ------------------------------------------------------------------

    def startup(self) -> None:
        """Run lifespan startup (nothing in mode 'off' or when the app has no lifespan)."""
        self._loop.run(self._async.startup())

    def shutdown(self) -> None:
        """Run lifespan shutdown; the loop stays open for more requests until close()."""
        if self._loop.is_open:
            self._loop.run(self._async.shutdown())

    def close(self) -> None:
        """Shut down a lifespan still up, end what is left on the loop, close it. Idempotent."""
        try:
            self.shutdown()
        finally:
            self._loop.close()

    def __enter__(self) -> SyncASGITestClient:
        try:
            self.startup()
        except BaseException:
            self._loop.close()  # no __exit__ follows a failed __enter__
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        self._end_left_open()

    def _end_left_open(self) -> None:
        """Collected (or the interpreter exits) with the loop open: end it quietly, and say how to close it."""
        loop = self.__dict__.get("_loop")
        if loop is not None and loop.close_quietly() and self._warn_when_collected_open:
            msg = f"{type(self).__name__}({self.app!r:.60}) was garbage-collected with its event loop open: use `with client:` or `client.close()`"
            warn_outside_the_kit(msg, ResourceWarning)

    # -- requests (request() and the verbs come from ClientVerbs) ------------------------

    def _send(self, method: str, path: Any, arguments: Mapping[str, Any], follow: Any, stream: bool = False) -> ASGITestResponse:
        response: ASGITestResponse = self._loop.run(self._async._send(method, path, arguments, follow, stream))
        if stream:
            response._run = self._loop.run  # its iter_bytes(), iter_lines(), iter_events() and read() step this loop
        return response

    @takes_request_keywords(ClientVerbs.request)  # type: ignore[arg-type]  # (see ClientVerbs.get)
    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[ASGITestResponse]:
        """Send a request and yield the response once it started; read it with iter_bytes(), iter_lines(), iter_events() or read().

        Leaving the block sends http.disconnect and waits for the app, as ASGITestClient.stream() does.
        """
        arguments, follow = stream_arguments(kwargs)
        response = self._send(method, path, arguments, follow, stream=True)
        try:
            yield response
        finally:
            self._loop.run(_close_stream(response))

    @contextmanager
    def websocket_connect(self, path: str, subprotocols: Any = None, headers: Any = None, query: Any = None, cookies: Any = None, scope_overrides: Any = None) -> Iterator[SyncWebSocketSession]:
        """`with client.websocket_connect(path) as ws:` opens a WebSocket and yields a synchronous session once the app accepted."""
        connection = self._async.websocket_connect(path, subprotocols, headers, query, cookies, scope_overrides)
        session = self._loop.run(connection.__aenter__())
        try:
            yield SyncWebSocketSession(session, self._loop.run)
        except BaseException as exc:
            if not self._loop.run(connection.__aexit__(type(exc), exc, exc.__traceback__)):
                raise
        else:
            self._loop.run(connection.__aexit__(None, None, None))


class SyncWebSocketSession:
    """A WebSocketSession read and written from synchronous code; its other attributes are the session's."""

    __slots__ = ("_session", "_run")

    def __init__(self, session: WebSocketSession, run: Callable[[Any], Any]) -> None:
        self._session = session
        self._run = run

    if not TYPE_CHECKING:  # (a checker that saw it would take every misspelt attribute for Any)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._session, name)

    scope: Forwarded[dict[str, Any]] = Forwarded("_session", "The WebSocket scope the app was called with.")
    state: Forwarded[SessionState] = Forwarded("_session", "Where the session is: a SessionState.")
    subprotocol: Forwarded[str | None] = Forwarded("_session", "The subprotocol the app accepted with, or None.")
    accept_headers: Forwarded[Headers] = Forwarded("_session", "The headers of websocket.accept.")
    close_code: Forwarded[int | None] = Forwarded("_session", "The close code once closed (by either side), else None.")
    close_reason: Forwarded[str] = Forwarded("_session", "The close reason once closed, as the app sent it ('' before).")

    def send_text(self, data: str) -> None:
        self._run(self._session.send_text(data))

    def send_bytes(self, data: bytes) -> None:
        self._run(self._session.send_bytes(data))

    def send_json(self, data: Any, mode: str = "text") -> None:
        self._run(self._session.send_json(data, mode))

    def receive(self) -> dict[str, Any]:
        return self._run(self._session.receive())  # type: ignore[no-any-return]

    def receive_text(self) -> str:
        return self._run(self._session.receive_text())  # type: ignore[no-any-return]

    def receive_bytes(self) -> bytes:
        return self._run(self._session.receive_bytes())  # type: ignore[no-any-return]

    def receive_json(self, mode: str = "text") -> Any:
        return self._run(self._session.receive_json(mode))

    def close(self, code: int = 1000, reason: str = "") -> None:
        self._run(self._session.close(code, reason))

    def __repr__(self) -> str:
        return f"Sync{self._session!r}"
