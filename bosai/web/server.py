"""How the web app is served: time limits on request heads, bodies and idle keep-alive connections.

Without them a client holds a socket (and, for bodies, a handler) for as long as it likes: 50 clients sending
one header byte a minute, or a body byte a minute, or opening keep-alive connections and saying nothing,
stayed connected for 400 s and more. aiohttp has an idle (keep-alive) timeout; it has no time limit on the
request head or body, so the head limit is kept by the connection handler below and the body limit by a
middleware.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Final

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from kernel.config import WebConfig
from kernel.logs import get_logger

log = get_logger(__name__)

LINGER_S: Final = 2.0  # how long a connection cut for a slow body still reads (and drops) what the client sends


class BodyTimeoutError(Exception):
    """The request body did not arrive in time; raised in the handler's read."""


class _HeadTimedHandler(RequestHandler):  # type: ignore[misc]
    """aiohttp's connection handler, closing a connection whose request line and headers take longer than
    ``head_timeout`` from their first byte (a slow-header client)."""

    __slots__ = ("_closed", "_discarding", "_head_timeout", "_head_timer")

    def __init__(self, manager: web.Server, *, head_timeout: float, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._head_timeout = head_timeout
        self._head_timer: asyncio.TimerHandle | None = None
        self._discarding = False
        self._closed: asyncio.Event | None = None  # made by a linger only, not for every connection

    def _reading_head(self) -> bool:
        """Bytes have come, no complete request is waiting and none is being handled (its body then runs
        under the body limit)."""
        return not self._request_in_progress and not self._messages

    def data_received(self, data: bytes) -> None:
        """Feed aiohttp's parser; start the head clock at a request's first byte, stop it at its last."""
        if self._discarding:
            return  # a lingering close: late bytes are read from the socket and dropped
        super().data_received(data)
        if self._reading_head():
            if self._head_timer is None:
                self._head_timer = self._loop.call_later(self._head_timeout, self._head_expired)
        elif self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if self._reading_head() and self.transport is not None:
            log.warning("request_head_timeout", peer=str(self.transport.get_extra_info("peername")),
                        timeout_s=self._head_timeout)
            self.force_close()

    async def linger(self, seconds: float) -> None:
        """Half-close, then read and drop what the client still sends until it closes or ``seconds`` pass.

        Closing a socket while received bytes wait unread makes TCP send a reset, and a reset can destroy a
        response the client has not read yet (RFC 9112 §9.6, "tear-down").
        """
        if self.transport is None:
            return  # already closed
        self._discarding = True
        self._closed = asyncio.Event()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)

    def connection_lost(self, exc: BaseException | None) -> None:
        """Stop the head clock, and end a linger, with the connection."""
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if self._closed is not None:
            self._closed.set()
        super().connection_lost(exc)


class _HeadTimedServer(web.Server):
    """aiohttp's server, making the connection handlers above."""

    head_timeout: float = 10.0

    def __call__(self) -> RequestHandler:
        return _HeadTimedHandler(self, loop=self._loop, head_timeout=self.head_timeout, **self._kwargs)


class TimedAppRunner(web.AppRunner):
    """An AppRunner whose connections close when idle (``keepalive_timeout``) or when a request head is slow."""

    def __init__(self, app: web.Application, *, head_timeout: float, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._head_timeout = head_timeout

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = _HeadTimedServer  # the app's own server, making our connection handlers
        server.head_timeout = self._head_timeout
        return server


def make_runner(app: web.Application, config: WebConfig, **kwargs: Any) -> TimedAppRunner:
    """The runner the service serves ``app`` with: the head and idle limits of ``config`` (the body limit is
    the app's middleware)."""
    return TimedAppRunner(app, head_timeout=config.header_timeout_s, keepalive_timeout=config.idle_timeout_s,
                          **kwargs)


def body_deadline(seconds: float):  # type: ignore[no-untyped-def]
    """Middleware: a request body must have arrived ``seconds`` after its head, or the read in the handler
    fails and the client gets 408, then the connection closes after a linger (a slow-body client)."""

    @web.middleware
    async def middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
        content = request.content
        if not request.body_exists or content.is_eof():
            return await handler(request)
        expired = False

        def expire() -> None:
            nonlocal expired
            if not content.is_eof():
                expired = True
                content.set_exception(BodyTimeoutError(f"request body not received within {seconds} s"))

        timer = asyncio.get_running_loop().call_later(seconds, expire)
        try:
            response = await handler(request)
        except BodyTimeoutError:
            response = web.json_response({"error": "request body too slow"}, status=408)
        finally:
            timer.cancel()
        if expired:
            log.warning("request_body_timeout", remote=request.remote, path=request.path[:200], timeout_s=seconds)
            await _send_and_close(request, response)
        return response

    return middleware


async def _send_and_close(request: web.Request, response: web.StreamResponse) -> None:
    """Send the response, linger (with our connection handler), then close the connection here: left to aiohttp,
    the connection would try to read the failed body once more and log that as an unhandled error."""
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    protocol = request.protocol
    if isinstance(protocol, _HeadTimedHandler):
        await protocol.linger(LINGER_S)
    protocol.force_close()
