"""CAP 1.2 evacuation information from municipal systems (the form L-Alert passes 避難情報 on), pushed to
POST /webhook/{source_name} and signed exactly like the JSON webhook (collectors.webhook: HMAC-SHA256 over
``timestamp.body`` in ``X-Bosai-Signature``, timestamp in ``X-Bosai-Timestamp``, replay window).

Unlike the JSON webhook, every refused request is kept with the rejects (oversized, unsigned, badly signed,
malformed or not an evacuation message), because a municipality's evacuation order must never vanish
without a trace; the sender gets a 4xx that says why. Accepted messages become ``EvacuationNotice`` records,
stored as raw items (idempotent on the CAP identifier) before the 200, and applied by the observe stage.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Final

from aiohttp import web
from lxml import etree

from collectors.webhook import Webhook, _error
from collectors.xml_safety import parse_xml, text_of
from kernel.errors import SourceDataError
from kernel.logs import get_logger
from kernel.records import EvacuationNotice, time_problem

log = get_logger(__name__)

CAP_NS: Final = "urn:oasis:names:tc:emergency:cap:1.2"
STATUSES: Final = ("Actual", "Exercise")  # Test, Draft and System messages are not relayed to residents
MSG_TYPES: Final = ("Alert", "Update", "Cancel")
# Geocode valueNames that carry a municipality code (5-digit JIS X 0402, or the 6-digit 地方公共団体コード).
CODE_NAMES: Final = ("JIS-X0402", "JIS", "LocalGovernmentCode", "全国地方公共団体コード", "市区町村コード")
LEVEL_PARAMS: Final = ("警戒レベル", "EvacuationLevel", "AlertLevel")
TOWN_PARAMS: Final = ("対象地区", "Towns", "TargetArea")
HAZARD_PARAMS: Final = ("災害種別", "発令理由", "Hazard", "Reason")
STATE_PARAMS: Final = ("発令状況", "発令・解除", "Status")
LIFT_WORDS: Final = ("解除",)
_SPLIT: Final = re.compile(r"[、,，・\s]+")
MAX_ID: Final = 200


def _q(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _time(value: str, field: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise SourceDataError(f"{field}: not a CAP dateTime: {value[:40]!r}") from err
    if dt.tzinfo is None:
        raise SourceDataError(f"{field}: needs a UTC offset")
    problem = time_problem(dt, datetime.now(UTC))
    if problem:  # 0001-01-01 or 9999-12-31 would overflow later: refused (400) and kept with the rejects
        raise SourceDataError(f"{field}: {value[:40]!r} {problem}")
    return dt


def _pairs(parent: etree._Element, tag: str) -> dict[str, str]:
    """valueName -> value of the <parameter> or <geocode> children (the first of each name)."""
    out: dict[str, str] = {}
    for el in parent.iter(_q(tag)):
        out.setdefault(text_of(el.find(_q("valueName"))), text_of(el.find(_q("value"))))
    return out


def _first(pairs: dict[str, str], names: tuple[str, ...]) -> str:
    return next((pairs[n] for n in names if pairs.get(n)), "")


def _info(root: etree._Element) -> etree._Element:
    """The Japanese <info> block (L-Alert sends ja-JP), else the first."""
    infos = root.findall(_q("info"))
    if not infos:
        raise SourceDataError("CAP alert has no <info>")
    return next((i for i in infos if text_of(i.find(_q("language"))).lower().startswith("ja")), infos[0])


def _level(event: str, params: dict[str, str]) -> int | None:
    from publish.evacuations import LEVEL_BY_NAME

    stated = _first(params, LEVEL_PARAMS)
    digits = re.sub(r"\D", "", stated.translate(str.maketrans("０１２３４５", "012345")))
    if digits:
        return int(digits[:1])
    return next((lvl for name, lvl in sorted(LEVEL_BY_NAME.items(), key=lambda kv: -kv[1]) if name in event), None)


def parse_cap(body: bytes, *, source: str) -> EvacuationNotice:
    """An evacuation notice from a CAP 1.2 message; SourceDataError naming the field that is wrong."""
    from publish.evacuations import NoticeError, check_notice
    from publish.municipalities import by_code, by_name

    root = parse_xml(body)
    if root.tag != _q("alert"):
        raise SourceDataError(f"not a CAP 1.2 alert (root element {root.tag!r})")
    identifier = text_of(root.find(_q("identifier")))
    if not identifier or len(identifier) > MAX_ID:
        raise SourceDataError(f"identifier: required, at most {MAX_ID} characters")
    status, msg_type = text_of(root.find(_q("status"))), text_of(root.find(_q("msgType")))
    if status not in STATUSES:
        raise SourceDataError(f"status: {status!r} is not relayed (expected Actual or Exercise)", source_id=identifier)
    if msg_type not in MSG_TYPES:
        raise SourceDataError(f"msgType: expected one of {', '.join(MSG_TYPES)}", source_id=identifier)
    info = _info(root)
    event = text_of(info.find(_q("event")))
    params, geocodes = _pairs(info, "parameter"), _pairs(info, "geocode")
    code = _first(geocodes, CODE_NAMES)
    office = by_code(code) if code else by_name(text_of(info.find(_q("senderName"))))
    if office is None:
        raise SourceDataError(f"area/geocode: no municipality of Mie (JIS-X0402) in {code or 'the message'}",
                              source_id=identifier)
    state = _first(params, STATE_PARAMS)
    lifted = (msg_type == "Cancel" or any(w in event for w in LIFT_WORDS) or any(w in state for w in LIFT_WORDS)
              or text_of(info.find(_q("responseType"))) == "AllClear")
    level = _level(event, params)
    if not lifted and level is None:
        raise SourceDataError(f"event: {event[:40]!r} names no evacuation level (高齢者等避難, 避難指示, "
                              "緊急安全確保)", source_id=identifier)
    towns = _first(params, TOWN_PARAMS)
    area_desc = text_of(info.find(f"{_q('area')}/{_q('areaDesc')}"))
    if not towns and area_desc and area_desc not in (office.name, f"三重県{office.name}"):
        towns = area_desc.removeprefix("三重県").removeprefix(office.name)
    stamp = text_of(info.find(_q("effective"))) or text_of(root.find(_q("sent")))
    hazard = _first(params, HAZARD_PARAMS) or text_of(info.find(_q("headline")))
    notice = EvacuationNotice(
        source=source, source_id=identifier, observed_at=_time(stamp, "sent/effective"),
        municipality_code=office.code, level=None if lifted else level, lifted=lifted,
        towns=tuple(t for t in _SPLIT.split(towns) if t), hazard=hazard[:200],
        sender=text_of(root.find(_q("sender")))[:128], status=status,
    )
    try:
        check_notice(notice)
    except NoticeError as err:
        raise SourceDataError(str(err), source_id=identifier) from err
    return notice


class CapEvacuation(Webhook, kind="cap_evacuation"):
    """Receives signed CAP 1.2 evacuation messages; answers once the notice is stored, or says why not."""

    async def handler(self, request: web.Request) -> web.Response:
        """POST handler: 413 oversized, 401 unsigned/bad signature, 400 not usable CAP, 503 not stored."""
        limit = self.config.max_body_bytes
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > limit:
                await self._refuse(bytes(body[:limit]), f"body larger than {limit} bytes (first {limit} kept)")
                return _error(413, f"body larger than {limit} bytes")
        raw = bytes(body)
        problem = self._check_signature(request, raw)
        if problem:
            log.warning("cap_rejected", source=self.name, reason=problem)
            await self._refuse(raw, f"signature refused: {problem}")
            return _error(401, problem)
        try:
            notice = parse_cap(raw, source=self.name)
        except SourceDataError as err:
            await self._refuse(raw, f"CAP refused: {err}", err.source_id)
            return _error(400, str(err))
        future = await self._enqueue(notice, raw)
        if isinstance(future, web.Response):
            return future
        return web.json_response({"accepted": 1, "identifier": notice.source_id,
                                  "lifted": notice.lifted, "level": notice.level})

    async def _enqueue(self, notice: EvacuationNotice, raw: bytes) -> web.Response | None:
        """Queue the notice for the runner and wait until it is stored (a 503 response when it is not)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((notice, raw, future))
        except asyncio.QueueFull:
            return _error(503, "queue is full; retry later")
        try:
            await asyncio.wait_for(future, timeout=self.config.timeout_s)
        except Exception as err:  # any failure to store is a 503 the sender retries
            log.warning("cap_not_stored", source=self.name, error=str(err)[:500])
            return _error(503, "not stored; retry later")
        return None

    async def _refuse(self, raw: bytes, reason: str, source_id: str | None = None) -> None:
        """Keep a refused request with the rejects, so that nothing a municipality sent is lost."""
        await self.reject(SourceDataError(reason, raw=raw, source_id=source_id))
