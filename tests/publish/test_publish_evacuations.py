"""Municipal evacuation information through the shared alert lifecycle: 発令 → 引き上げ → 解除 gives
Alert → Update → Cancel, audited, with the municipality as source in every language and form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from kernel.published import Evacuation
from kernel.records import EvacuationNotice
from kernel.store import Store
from kernel.store import evacuations as store
from kernel.store.models import AlertRow
from publish.atom import render_atom
from publish.cap import render_cap
from publish.catalog import LANGUAGES
from publish.evacuations import NoticeError, apply_notice, evacuations_geojson, feature, hazard_key
from publish.messages import render_alert

T0 = datetime(2026, 9, 20, 0, 0, tzinfo=UTC)
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
# The three level names in each language (the glossary's where it has one, ours otherwise).
NAMES = {"ja": ("高齢者等避難", "避難指示", "緊急安全確保"),
         "en": ("Evacuation of the elderly", "Evacuation Instruction", "Emergency Safety Measure")}


def notice(n: int, level: int | None, *, lifted: bool = False, towns: tuple[str, ...] = ("安濃町今徳",),
           code: str = "24201", minutes: int | None = None) -> EvacuationNotice:
    return EvacuationNotice(source="cap_test", source_id=f"m{n}", observed_at=T0 + timedelta(minutes=minutes or n * 10),
                            municipality_code=code, level=level, lifted=lifted, towns=towns, hazard="洪水",
                            sender="24201@city.tsu.test")


async def test_issue_raise_lift_is_alert_update_cancel_with_audit(sqlite_store: Store) -> None:
    applied = [await sqlite_store.write(lambda s, n=n: apply_notice(s, n, actor="cap:test"))
               for n in (notice(1, 3), notice(2, 4), notice(3, None, lifted=True))]
    assert [a.action for a in applied] == ["issue", "raise", "lift"]
    with sqlite_store.session() as s:
        alerts = [s.get(AlertRow, a.alert.id) for a in applied]
        assert [a.msg_type for a in alerts] == ["Alert", "Update", "Cancel"]
        assert [a.level for a in alerts] == [3, 4, None]
        assert [a.event for a in alerts] == ["高齢者等避難", "避難指示", "避難指示"]
        assert {a.source for a in alerts} == {"municipality"} and alerts[0].hazard == "flood"
        assert alerts[1].references == alerts[0].id and alerts[2].references == alerts[1].id
        assert alerts[0].ended_at == alerts[1].sent and alerts[1].ended_at == alerts[2].sent
        assert alerts[0].areas[0]["code"] == "24201" and alerts[0].areas[0]["name"] == "津市"
        rows = store.audit_log(s, "evacuation")
        assert [r.action for r in rows] == ["issue", "raise", "lift"]
        assert rows[0].before is None and rows[0].after["level"] == 3
        assert rows[1].before["level"] == 3 and rows[1].after["level"] == 4
        assert rows[2].before["lifted_at"] is None and rows[2].after["lifted_at"] is not None
        assert {r.actor for r in rows} == {"cap:test"}
        assert store.evacuations(s) == [] and len(store.evacuations(s, include_lifted=True)) == 1


async def test_restated_level_and_older_notices_change_nothing(sqlite_store: Store) -> None:
    await sqlite_store.write(lambda s: apply_notice(s, notice(2, 4), actor="a"))
    same = await sqlite_store.write(lambda s: apply_notice(s, notice(3, 4), actor="a"))
    late = await sqlite_store.write(lambda s: apply_notice(s, notice(4, 3, minutes=5), actor="a"))
    nothing = await sqlite_store.write(lambda s: apply_notice(s, notice(5, None, lifted=True, towns=()), actor="a"))
    assert (same.action, late.action, nothing.action) == ("unchanged", "stale", "nothing_to_lift")
    assert not (same.changed or late.changed or nothing.changed)
    with sqlite_store.session() as s:
        assert len(store.audit_log(s)) == 1 and s.query(AlertRow).count() == 1


@pytest.mark.parametrize(("code", "level", "error"), [("99999", 4, "municipality_code"), ("24201", 2, "level"),
                                                      ("13101", 4, "municipality_code")])
async def test_bad_notices_are_refused(sqlite_store: Store, code: str, level: int, error: str) -> None:
    with pytest.raises(NoticeError, match=error):
        await sqlite_store.write(lambda s: apply_notice(s, notice(1, level, code=code), actor="a"))


async def test_messages_cap_atom_name_the_municipality(sqlite_store: Store) -> None:
    issued = await sqlite_store.write(lambda s: apply_notice(s, notice(1, 4), actor="a"))
    lifted = await sqlite_store.write(lambda s: apply_notice(s, notice(2, None, lifted=True), actor="a"))
    alert, cancel = issued.alert, lifted.alert  # the records apply_notice returns, as committed
    assert alert is not None and cancel is not None
    for lang in LANGUAGES:
        text = render_alert(alert, lang)
        assert text.headline and text.description and text.instruction and text.source_label
        assert "%(" not in text.description + text.source_label
    ja = render_alert(alert, "ja")
    assert ja.source_label == "出典：津市" and "避難指示" in ja.headline and "警戒レベル4" in ja.headline
    assert "津市は" in ja.description and "安濃町今徳" in ja.area_desc
    assert render_alert(cancel, "ja").headline.startswith("避難指示解除")
    en = render_alert(alert, "en")
    assert "Evacuation Instruction" in en.headline and "Tsu" in en.source_label
    root = etree.fromstring(render_cap(alert, sender="bosai@test", base_url="http://t"))
    assert root.findtext(f"{CAP}msgType") == "Alert" and "出典：津市" in root.findtext(f"{CAP}note")
    assert root.find(f"{CAP}info/{CAP}area/{CAP}geocode/{CAP}value").text == "24201"
    cancel_xml = etree.fromstring(render_cap(cancel, sender="bosai@test", base_url="http://t"))
    assert cancel_xml.findtext(f"{CAP}msgType") == "Cancel"
    assert cancel_xml.findtext(f"{CAP}info/{CAP}responseType") == "AllClear"
    assert alert.id in cancel_xml.findtext(f"{CAP}references")
    assert "避難指示" in render_atom([alert], lang="ja", base_url="http://t").decode()


def test_level_names_exist_in_all_nine_languages() -> None:
    from publish.catalog import message

    for lang in LANGUAGES:
        names = [message(lang, f"term.{k}") for k in ("elderly_evacuation", "evacuation_instruction",
                                                       "emergency_safety_measure")]
        assert len(set(names)) == 3 and all(names), lang
    for lang, expected in NAMES.items():
        got = [message(lang, f"term.{k}") for k in ("elderly_evacuation", "evacuation_instruction",
                                                     "emergency_safety_measure")]
        assert all(g.startswith(e) for g, e in zip(got, expected, strict=True)), got


def test_hazard_words_and_geojson_contract() -> None:
    assert [hazard_key(w) for w in ("洪水", "土砂災害", "高潮", "flood", "")] == [
        "flood", "landslide", "storm_surge", "flood", "other"]
    fc = evacuations_geojson([], {})
    assert fc == {"type": "FeatureCollection", "features": []}


def test_the_feature_is_a_pure_function_of_the_record() -> None:
    """No session, no row: the GeoJSON of an episode comes from its frozen record and the point looked up."""
    order = Evacuation(id=7, municipality_code="24201", municipality="津市", towns=("安濃町今徳",), level=4,
                       hazard="flood", issued_at=T0, updated_at=T0, lifted_at=None, source="cap_test",
                       sender="24201@city.tsu.test", alert_id="evac-1")
    (f,) = evacuations_geojson([order], {"24201": (34.7, 136.5)})["features"]
    assert f["id"] == "evacuation-7" and f["geometry"]["coordinates"] == [136.5, 34.7]
    p = f["properties"]
    assert (p["name"], p["towns"], p["in_force"], p["source"], p["received_via"]) == (
        "避難指示", ["安濃町今徳"], True, "津市", "cap_test")
    assert feature(order)["properties"] == p and feature(order)["geometry"]["type"] == "Point"
