"""The demo municipality (津市) during the typhoon: evacuation information sent as CAP 1.2, the way a
municipal system passes it to L-Alert, and shelters opened, filled and closed (scenario/municipal.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from lxml import etree

from bosai.demo.scenario_loader import SCENARIO_DIR, ScenarioError

MUNICIPAL_FILE: Final = SCENARIO_DIR / "municipal.json"
CAP_NS: Final = "urn:oasis:names:tc:emergency:cap:1.2"
LEVEL_NAMES: Final = {3: "高齢者等避難", 4: "避難指示", 5: "緊急安全確保"}


@dataclass(frozen=True, slots=True)
class MunicipalEvent:
    """One thing the municipality does at a scenario time: an evacuation notice or a shelter status change."""

    at: datetime
    kind: str  # evacuation, shelter
    data: dict[str, Any]


def load_municipal(path: Path = MUNICIPAL_FILE) -> list[MunicipalEvent]:
    """The municipality's events of the day, in time order."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        events = [MunicipalEvent(datetime.fromisoformat(r["time"]), r["kind"], r) for r in rows]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ScenarioError(f"{path}: {err}") from err
    bad = [e.kind for e in events if e.kind not in ("evacuation", "shelter")]
    if bad:
        raise ScenarioError(f"{path}: unknown kinds {bad}")
    return sorted(events, key=lambda e: e.at)


def cap_message(event: MunicipalEvent, *, identifier: str, municipality: str) -> bytes:
    """The CAP 1.2 message a municipal system would send for an evacuation event (see docs/evacuations.md)."""
    d = event.data
    lifted = bool(d.get("lift"))
    name = LEVEL_NAMES.get(int(d.get("level") or 4), "避難指示")
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})

    def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        el = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
        el.text = text
        return el

    def pair(parent: etree._Element, tag: str, key: str, value: str) -> None:
        el = sub(parent, tag)
        sub(el, "valueName", key)
        sub(el, "value", value)

    sent = event.at.isoformat()
    for tag, text in (("identifier", identifier), ("sender", f"{d['municipality_code']}@demo.bosai.invalid"),
                      ("sent", sent), ("status", "Actual"), ("msgType", "Cancel" if lifted else "Alert"),
                      ("scope", "Public")):
        sub(root, tag, text)
    info = sub(root, "info")
    for tag, text in (("language", "ja-JP"), ("category", "Safety"), ("event", f"{name}解除" if lifted else name),
                      ("responseType", "AllClear" if lifted else "Evacuate"), ("urgency", "Immediate"),
                      ("severity", "Severe"), ("certainty", "Likely"), ("effective", sent),
                      ("senderName", municipality), ("headline", f"{municipality} {name}")):
        sub(info, tag, text)
    if not lifted:
        pair(info, "parameter", "警戒レベル", str(d["level"]))
    pair(info, "parameter", "発令状況", "解除" if lifted else "発令")
    pair(info, "parameter", "災害種別", str(d.get("hazard") or ""))
    if d.get("towns"):
        pair(info, "parameter", "対象地区", "、".join(d["towns"]))
    area = sub(info, "area")
    sub(area, "areaDesc", municipality)
    pair(area, "geocode", "JIS-X0402", str(d["municipality_code"]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
