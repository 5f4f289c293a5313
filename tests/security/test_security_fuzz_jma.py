"""Fuzzing the JMA telegram parser and the Atom feed parser with mutated real telegrams: the only
failure a hostile or broken document may cause is a SourceDataError with a message."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from security_support import seed_telegrams

from bosai.demo.fake_sources import FakeSources, _Entry
from collectors.jma_feed import parse_feed
from collectors.jma_xml import parse_report
from kernel.errors import SourceDataError

SEEDS = seed_telegrams()
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
HOSTILE_VALUES = ["", " ", "-1", "1e400", "-1e400", "NaN", "inf", "99999999999999999999999", "５", "6+", "震度７",
                  "+99.9+999.9-99999999/", "2026-13-45T99:99:99+09:00", "2026-09-12T10:00:00", "&<>\"'", "\u202e"]
JMA_TAGS = ["Item", "Area", "Code", "Name", "Kind", "Status", "Property", "Coordinate", "Magnitude", "DateTime",
            "ReportDateTime", "Headline", "Information", "WaterLevel", "Significancy", "MaxInt", "Category"]


def assert_only_data_errors(data: bytes) -> None:
    """Parse ``data``: it either parses or raises a SourceDataError that says why and keeps the bytes."""
    try:
        parse_report(data, source="fuzz", source_id="fuzz")
    except SourceDataError as err:
        assert str(err).strip(), "a rejection must say why"
        assert err.raw == data or not err.raw, "the raw bytes kept must be the input"


def _feed(n: int) -> bytes:
    at = datetime(2026, 9, 12, 1, 0, tzinfo=UTC)
    entries = [_Entry("extra", f"20260912010000_{i}_VPWW54_240000.xml", f"三重県気象警報{i}", "津地方気象台", at)
               for i in range(n)]
    return FakeSources()._atom("extra", False, entries, "https://www.data.jma.go.jp").encode("utf-8")


seed = st.sampled_from(SEEDS) if SEEDS else st.nothing()


@FUZZ
@given(data=seed, flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1,
                                 max_size=8))
def test_byte_flips(data: bytes, flips: list[tuple[float, int]]) -> None:
    mutated = bytearray(data)
    for where, value in flips:
        mutated[int(where * len(mutated))] = value
    assert_only_data_errors(bytes(mutated))


@FUZZ
@given(data=seed, keep=st.floats(0, 1, exclude_max=True))
def test_truncation(data: bytes, keep: float) -> None:
    closing = data.rfind(b"</Report>") + len(b"</Report>") - 1  # cut at least the final '>'
    cut = data[: int(keep * closing)]
    with pytest.raises(SourceDataError):
        parse_report(cut, source="fuzz", source_id="cut")


@FUZZ
@given(data=seed, edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3), st.sampled_from(JMA_TAGS),
                                           st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=30))),
                                 min_size=1, max_size=6))
def test_random_elements_and_values(data: bytes, edits: list[tuple[int, int, str, str]]) -> None:
    root = etree.fromstring(data)
    for index, op, tag, value in edits:
        elements = list(root.iter(etree.Element))
        target = elements[index % len(elements)]
        parent = target.getparent()
        value = "".join(c for c in value if c.isprintable())  # XML 1.0 cannot carry control characters
        if op == 0:
            target.text = value
        elif op == 1:
            etree.SubElement(target, f"{{{etree.QName(target).namespace or ''}}}{tag}").text = value
        elif op == 2 and parent is not None:
            parent.remove(target)
        elif op == 3 and parent is not None:
            parent.append(copy.deepcopy(target))
    assert_only_data_errors(etree.tostring(root, encoding="utf-8", xml_declaration=True))


@FUZZ
@given(data=seed, encoding=st.sampled_from(["utf-16", "utf-16-be", "utf-32", "cp932", "euc_jp", "iso-2022-jp",
                                            "latin-1", "cp1252"]),
       declared=st.sampled_from(["keep", "drop", "lie"]))
def test_wrong_encodings(data: bytes, encoding: str, declared: str) -> None:
    text = data.decode("utf-8")
    if declared == "drop":
        text = text.replace(' encoding="UTF-8"', "").replace(' encoding="utf-8"', "")
    elif declared == "lie":
        text = text.replace('encoding="UTF-8"', 'encoding="EUC-JP"').replace('encoding="utf-8"', 'encoding="EUC-JP"')
    assert_only_data_errors(text.encode(encoding, errors="replace"))


def test_undeclared_shift_jis_still_parses() -> None:
    """The lenient path the fuzzing must not break: a Shift_JIS telegram without a declaration."""
    original = parse_report(SEEDS[0], source="jma", source_id="a")
    text = SEEDS[0].decode("utf-8").replace(' encoding="UTF-8"', "").replace(' encoding="utf-8"', "")
    assert parse_report(text.encode("cp932"), source="jma", source_id="a").items == original.items


def test_infinite_numbers_are_dropped_not_fatal() -> None:
    """A water level or magnitude of 1e400 used to raise OverflowError (and inf is not valid JSON)."""
    for data in SEEDS:
        if b"WaterLevel" in data or b"Magnitude" in data:
            break
    else:
        pytest.skip("no seed with water levels or a magnitude")
    root = etree.fromstring(data)
    for element in root.iter("{*}WaterLevel", "{*}Magnitude"):
        element.text = "1e400"
    report = parse_report(etree.tostring(root, encoding="utf-8"), source="jma", source_id="inf")
    numbers = [v for item in report.items for v in _numbers(item)]
    assert all(v == v and v not in (float("inf"), float("-inf")) for v in numbers)


def _numbers(value: object) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list | tuple):
        return [n for v in value for n in _numbers(v)]
    return []


@FUZZ
@given(n=st.integers(0, 5), flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                                           max_size=6),
       updated=st.sampled_from(["2026-09-12T01:00:00Z", "2026-09-12T01:00:00", "yesterday", "", "9999-99-99"]))
def test_feed_parser_only_raises_data_errors(n: int, flips: list[tuple[float, int]], updated: str) -> None:
    data = bytearray(_feed(n).replace(b"2026-09-12T01:00:00Z", updated.encode(), 1))
    for where, value in flips:
        data[int(where * len(data))] = value
    try:
        entries = parse_feed(bytes(data))
    except SourceDataError as err:
        assert str(err).strip()
    else:
        assert all(e.updated is None or e.updated.tzinfo is not None for e in entries)


def test_feed_entries_with_bad_times_are_kept() -> None:
    """An unreadable or offset-less <updated> used to crash the whole feed (ValueError / TypeError)."""
    feed = _feed(3).replace(b"2026-09-12T01:00:00Z", b"yesterday", 1).replace(b"2026-09-12T01:00:00Z",
                                                                              b"2026-09-12T01:00:00", 1)
    entries = parse_feed(feed)
    assert len(entries) == 3
    assert entries[-1].updated is None  # unreadable: kept, sorted last
    assert all(e.updated is None or e.updated.tzinfo is not None for e in entries)
