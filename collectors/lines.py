"""Bounded line reading for endless HTTP streams (JSON lines, SSE): memory stays capped per line."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp

from kernel.errors import SourceDataError


class OversizedLine(SourceDataError):
    """A line longer than the cap was dropped (its first bytes are kept in ``raw``)."""


async def iter_lines(
    content: aiohttp.StreamReader, max_line_bytes: int
) -> AsyncIterator[bytes | OversizedLine]:
    """Yield each line without its line ending; an over-long line is yielded as an OversizedLine error.

    Lines end with ``\\n`` (a preceding ``\\r`` is stripped), as in X's JSON lines and SSE.
    """
    buffer = bytearray()
    dropping = 0
    async for chunk in content.iter_any():
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if dropping:
                dropping += len(piece)
            elif len(buffer) + len(piece) > max_line_bytes:
                dropping = len(buffer) + len(piece)
                head = (bytes(buffer[:1024]) + piece[:1024])[:1024]  # the line's first bytes, kept as raw
                buffer.clear()
            else:
                buffer += piece
            if end < 0:
                break
            if dropping:
                yield OversizedLine(f"line of at least {dropping} bytes exceeds {max_line_bytes}", raw=head)
                dropping = 0
            else:
                yield bytes(buffer).rstrip(b"\r")
                buffer.clear()
            start = end + 1
    if buffer and not dropping:
        yield bytes(buffer).rstrip(b"\r")
