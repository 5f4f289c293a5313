"""Entity bombs, external entities and oversized bodies, for JMA feeds and telegrams: each is refused with
a clear error, nothing is fetched or expanded, and the good telegrams next to a bad one still arrive."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from security_support import FIXTURES

from collectors.jma_feed import JmaFeed, parse_feed
from collectors.jma_xml import parse_report
from collectors.registry import build_collectors
from kernel.errors import SourceDataError

AT = datetime(2026, 9, 12, 1, 0, tzinfo=UTC)
ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">'
JMA_ROOT = '<Report xmlns="http://xml.kishou.go.jp/jmaxml1/">'


def _laughs(root: str) -> str:
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY l0 "lol">{levels}]>\n{root}&l9;</{_tag(root)}>'


def _quadratic(root: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "{"a" * 50_000}">]>\n'
            f"{root}{'&a;' * 20_000}</{_tag(root)}>")


def _external(root: str, target: str) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{target}">]>\n{root}&x;</{_tag(root)}>'


def _parameter(root: str, target: str) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM "{target}"> %p;]>\n{root}</{_tag(root)}>'


def _tag(root: str) -> str:
    return root[1:].split(" ", 1)[0]


def _attacks(root: str, url: str) -> dict[str, bytes]:
    attacks = {
        "billion_laughs": _laughs(root),
        "quadratic": _quadratic(root),
        "xxe_file": _external(root, "file:///etc/passwd"),
        "xxe_http": _external(root, url),
        "parameter_entity": _parameter(root, url),
    }
    out = {name: text.encode("utf-8") for name, text in attacks.items()}
    for name in ("billion_laughs", "xxe_http"):  # the markers hidden by a two-byte encoding
        out[f"{name}_utf16"] = attacks[name].replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode(
            "utf-16")
    return out


@pytest.mark.parametrize("parse", ["telegram", "feed"])
def test_entity_attacks_are_refused_without_fetching(parse: str, listener) -> None:
    port, connections = listener
    url = f"http://127.0.0.1:{port}/"
    root = JMA_ROOT if parse == "telegram" else ATOM_ROOT
    for name, data in _attacks(root, url).items():
        with pytest.raises(SourceDataError, match="DTD") as info:
            if parse == "telegram":
                parse_report(data, source="jma", source_id=name)
            else:
                parse_feed(data)
        assert info.value.raw == data, name
    assert connections() == 0


def _collector(http: aiohttp.ClientSession, tmp_path: Path, url: str, **block: object) -> JmaFeed:
    built = build_collectors([{"kind": "jma_feed", "name": "jma_extra", "url": url, "allow_private": True,
                               **block}], http, tmp_path)
    assert isinstance(built[0], JmaFeed)
    return built[0]


async def _poll(collector: JmaFeed) -> tuple[list[str], list[SourceDataError]]:
    rejected: list[SourceDataError] = []

    async def reject(_source: str, error: SourceDataError) -> None:
        rejected.append(error)

    collector.bind(reject=reject)
    got = [record.source_id async for record, _ in collector.records()]
    return got, rejected


async def test_hostile_telegram_is_rejected_and_its_neighbours_arrive(fake, http, tmp_path, listener) -> None:
    fs, base = fake
    port, connections = listener
    url = f"http://127.0.0.1:{port}/"
    good = (FIXTURES / "mie_vpww54_warnings.xml").read_bytes()
    first = fs.publish_jma(good, at=AT)
    bomb = fs.publish_jma(_laughs(JMA_ROOT).encode(), at=AT.replace(minute=1))
    xxe = fs.publish_jma(_external(JMA_ROOT, url).encode(), at=AT.replace(minute=2))
    last = fs.publish_jma(good.replace(b"<Serial>", b"<Serial>9"), at=AT.replace(minute=3))
    got, rejected = await _poll(_collector(http, tmp_path, f"{base}/jma/feed/extra.xml"))
    assert [g.rsplit("/", 1)[-1] for g in got] == [first, last]
    assert [r.source_id.rsplit("/", 1)[-1] for r in rejected] == [bomb, xxe]
    assert all("DTD" in str(r) and r.raw for r in rejected)
    assert connections() == 0


async def test_hostile_feed_fails_the_poll_with_a_data_error(fake, http, tmp_path) -> None:
    fs, base = fake
    fs.publish_jma((FIXTURES / "mie_vpww54_warnings.xml").read_bytes(), at=AT)
    fs.faults["jma_feed"].body = _quadratic(ATOM_ROOT).encode()
    with pytest.raises(SourceDataError, match="DTD"):
        await _poll(_collector(http, tmp_path, f"{base}/jma/feed/extra.xml"))
    assert fs.hits["jma_data"] == 0


async def test_oversized_feed_and_telegram_are_refused(fake, http, tmp_path) -> None:
    fs, base = fake
    good = (FIXTURES / "mie_vpww54_warnings.xml").read_bytes()
    huge = good.replace(b"</Report>", b"<!--" + b"x" * 70_000 + b"--></Report>")
    fs.publish_jma(huge, at=AT)
    kept = fs.publish_jma(good, at=AT.replace(minute=1))
    collector = _collector(http, tmp_path, f"{base}/jma/feed/extra.xml", max_bytes=64 * 1024)
    got, rejected = await _poll(collector)
    assert [g.rsplit("/", 1)[-1] for g in got] == [kept]
    assert len(rejected) == 1 and "limit" in str(rejected[0])

    fs.publish_jma(good, at=AT.replace(minute=2))
    fs.faults["jma_feed"].body = b"<feed>" + b" " * 200_000 + b"</feed>"
    with pytest.raises(SourceDataError, match="limit"):
        await _poll(collector)


async def test_slow_drip_feed_times_out_instead_of_hanging(fake, http, tmp_path) -> None:
    fs, base = fake
    fs.faults["jma_feed"].delay_s = 5.0
    collector = _collector(http, tmp_path, f"{base}/jma/feed/extra.xml", timeout_s=0.3)
    with pytest.raises(Exception, match="timeout") as info:
        async with asyncio.timeout(3):
            await _poll(collector)
    assert type(info.value).__name__ == "SourceUnavailable"
