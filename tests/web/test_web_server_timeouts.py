"""Slow and idle connections against a real server over raw sockets: a client trickling its request head or
body, or holding an idle keep-alive connection, is cut off after the configured time (issue 17 §4)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from bosai.context import ServiceContext
from bosai.web.app import create_app
from bosai.web.server import make_runner
from kernel.config import WebConfig

LIMIT_S = 0.5  # each of the three limits in these tests
CUT_BY_S = 4.0  # a connection still open this long after the limit was not cut


@pytest.fixture
async def serve(ctx: ServiceContext) -> AsyncIterator[Callable[..., Awaitable[int]]]:
    """Serve the web app as the service does, with the limits given (others long); return its port."""
    runners: list[web.AppRunner] = []

    async def start(*, plain_runner: bool = False, **limits: float) -> int:
        """``plain_runner``: aiohttp's own runner, as tests and other embedders of the app use, not the service's."""
        update = {"header_timeout_s": 60.0, "body_timeout_s": 60.0, "idle_timeout_s": 60.0, **limits}
        web_cfg = ctx.config.web.model_copy(update=update)
        app = create_app(dataclasses.replace(ctx, config=ctx.config.model_copy(update={"web": web_cfg})))
        runner = (web.AppRunner(app, access_log=None) if plain_runner
                  else make_runner(app, web_cfg, access_log=None))
        runners.append(runner)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return int(runner.addresses[0][1])

    yield start
    for runner in runners:
        await runner.cleanup()


async def _until_closed(reader: asyncio.StreamReader) -> tuple[bytes, float]:
    """Everything the server sent until it closed the connection, and how long that took.

    A server that closes while body bytes it never read are waiting ends the connection with a reset, not a
    FIN (TCP's rule): what it sent before still arrives first, so it is kept rather than lost with the error
    that ``reader.read()`` raises (seen once on a loaded machine, the 408 dropped with the reset)."""
    start = time.monotonic()

    async def read_all() -> bytes:
        data = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := await reader.read(65536):
                data += chunk
        return data

    return await asyncio.wait_for(read_all(), CUT_BY_S + LIMIT_S), time.monotonic() - start


async def _trickle(writer: asyncio.StreamWriter, chunks: bytes, every_s: float) -> None:
    with contextlib.suppress(ConnectionError):
        for i in range(len(chunks)):
            writer.write(chunks[i:i + 1])
            await writer.drain()
            await asyncio.sleep(every_s)


def test_the_limits_are_in_the_config_with_defaults() -> None:
    cfg = WebConfig()
    assert (cfg.header_timeout_s, cfg.body_timeout_s, cfg.idle_timeout_s) == (10.0, 30.0, 30.0)


async def test_a_slow_header_client_is_cut(serve) -> None:
    port = await serve(header_timeout_s=LIMIT_S)  # the idle limit is a minute: only the head limit can cut it
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /api/session HTTP/1.1\r\nHost: bosai.test\r\n")
    trickle = asyncio.create_task(_trickle(writer, b"X-Slow: " + b"a" * 200, 0.1))  # 20 s of header bytes
    try:
        data, took = await _until_closed(reader)
    finally:
        trickle.cancel()
        writer.close()
    assert data == b"" and LIMIT_S * 0.8 <= took < CUT_BY_S


async def test_an_idle_keep_alive_connection_is_closed(serve) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", await serve(idle_timeout_s=LIMIT_S))
    writer.write(b"GET /api/session HTTP/1.1\r\nHost: bosai.test\r\nConnection: keep-alive\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Connection: close" not in head
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    await reader.readexactly(length)
    data, took = await _until_closed(reader)  # then say nothing
    writer.close()
    assert data == b"" and took < CUT_BY_S


async def test_a_connection_that_never_sends_a_byte_is_closed(serve) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", await serve(idle_timeout_s=LIMIT_S))
    data, took = await _until_closed(reader)
    writer.close()
    assert data == b"" and took < CUT_BY_S


@pytest.mark.parametrize("plain_runner", [False, True], ids=["service runner", "aiohttp runner"])
async def test_a_slow_body_gets_408_and_a_closed_connection(serve, caplog, plain_runner: bool) -> None:
    port = await serve(body_timeout_s=LIMIT_S, plain_runner=plain_runner)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /api/subscriptions HTTP/1.1\r\nHost: bosai.test\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 400\r\n\r\n{")
    trickle = asyncio.create_task(_trickle(writer, b" " * 200, 0.1))  # 20 s for the rest of the body
    try:
        data, took = await _until_closed(reader)
    finally:
        trickle.cancel()
        writer.close()
    assert data.startswith(b"HTTP/1.1 408") and took < CUT_BY_S
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []  # a warning, not an error


async def test_late_body_bytes_after_a_408_are_drained_and_the_cut_logs_no_error(serve, caplog) -> None:
    """After the 408 the server half-closes and still reads (and drops) what the client sends for a while, so
    bytes in flight do not turn the close into a reset that can destroy the 408; the cut is a warning only."""
    reader, writer = await asyncio.open_connection("127.0.0.1", await serve(body_timeout_s=LIMIT_S))
    writer.write(b"POST /api/subscriptions HTTP/1.1\r\nHost: bosai.test\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 400\r\n\r\n{")
    await writer.drain()
    try:
        data = await asyncio.wait_for(reader.read(), CUT_BY_S + LIMIT_S)  # up to the server's FIN; a reset raises
        for _ in range(3):  # the rest of the body, as a client that has not read the 408 yet sends it
            writer.write(b" " * 10)
            await writer.drain()
            await asyncio.sleep(0.1)
    finally:
        writer.close()
    assert data.startswith(b"HTTP/1.1 408") and b"request body too slow" in data
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_prompt_client_is_served_on_one_connection(serve) -> None:
    port = await serve(header_timeout_s=LIMIT_S, body_timeout_s=LIMIT_S, idle_timeout_s=LIMIT_S)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(3):  # within the idle limit each time
        writer.write(b"GET /api/session HTTP/1.1\r\nHost: bosai.test\r\n\r\n")
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        await reader.readexactly(length)
        await asyncio.sleep(LIMIT_S / 3)
    writer.close()
