"""Prefilter, HTML-to-text and bounded line reading shared by the social collectors."""

from __future__ import annotations

import asyncio

import pytest

from collectors.html_text import html_to_text
from collectors.lines import OversizedLine, iter_lines
from collectors.prefilter import Prefilter


@pytest.mark.parametrize(
    ("text", "matched"),
    [("津市で道路が冠水、停電も", ("冠水", "停電")), ("ﾃｲﾃﾞﾝ中", ("テイデン",)), ("いい天気", ()),
     ("ＡＢＣ地震", ("abc", "地震"))],
)
def test_prefilter_folds_width_and_case(text: str, matched: tuple) -> None:
    assert Prefilter(["冠水", "停電", "テイデン", "abc", "地震", "冠水"]).match(text) == matched


@pytest.mark.parametrize(
    ("markup", "text"),
    [("<p>a<br/>b</p><p>c</p>", "a\nb\nc"), ("&lt;script&gt;x", "<script>x"),
     ("<style>p{}</style><script>evil()</script>ok", "ok"), ('<a href="javascript:x">#大雨</a>', "#大雨"),
     ("<p>  many   spaces </p>", "many spaces")],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


class _Chunks:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    async def iter_any(self):
        for chunk in self.chunks:
            await asyncio.sleep(0)
            yield chunk


async def test_lines_across_chunks_with_cap() -> None:
    chunks = [b"ab", b"c\r\n\r\nde", b"f" * 30, b"g\nlast"]
    out = [line async for line in iter_lines(_Chunks(chunks), max_line_bytes=10)]
    assert out[:2] == [b"abc", b""]
    assert isinstance(out[2], OversizedLine) and out[2].raw.startswith(b"de")
    assert out[3] == b"last"
