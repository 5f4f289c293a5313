"""JMA disaster XML Atom feeds: conditional GET, each entry's telegram fetched once, raw bytes kept."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import aiohttp
from pydantic import Field

from collectors.base import PollingCollector
from collectors.fetch import Conditional, fetch
from collectors.jma_common import child, children, ctext
from collectors.jma_xml import parse_report
from collectors.xml_safety import parse_xml
from kernel.errors import SourceDataError, UnsafeURLError
from kernel.records import Record

log = logging.getLogger(__name__)

ATOM: Final = "http://www.w3.org/2005/Atom"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One Atom entry pointing at a telegram."""

    id: str
    title: str
    updated: datetime | None
    url: str
    author: str
    content: str

    @property
    def data_type(self) -> str:
        """The dataType part of ``YYYYMMDDhhmmss_0_<dataType>_<office>.xml`` ('' when named otherwise)."""
        parts = self.url.rsplit("/", 1)[-1].removesuffix(".xml").split("_")
        return parts[2] if len(parts) >= 4 else ""

    @property
    def office(self) -> str:
        """The office/area code of the file name ('' when named otherwise)."""
        parts = self.url.rsplit("/", 1)[-1].removesuffix(".xml").split("_")
        return parts[3] if len(parts) >= 4 else ""


def parse_feed(data: bytes) -> list[FeedEntry]:
    """Entries of an Atom feed (both the urn:uuid/http and the URL/https id forms), newest last."""
    root = parse_xml(data)
    if root.tag != f"{{{ATOM}}}feed":
        raise SourceDataError(f"not an Atom feed: root element {root.tag}", raw=data)
    entries = []
    for entry in children(root, "entry"):
        link = next((ln.get("href") for ln in children(entry, "link") if ln.get("href")), None)
        entry_id = ctext(entry, "id")
        url = link or (entry_id if entry_id.startswith("http") else "")
        if not url:
            continue
        updated = ctext(entry, "updated")
        entries.append(FeedEntry(
            id=entry_id or url,
            title=ctext(entry, "title"),
            updated=_updated(updated) if updated else None,
            url=url,
            author=ctext(child(entry, "author"), "name"),
            content=ctext(entry, "content"),
        ))
    entries.sort(key=lambda e: (e.updated is None, e.updated or _EPOCH))
    return entries


def _updated(text: str) -> datetime | None:
    """An entry's <updated> time; None (sorted last, still fetched) when unreadable, UTC when without offset."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        log.warning("jma_feed_bad_updated value=%r", text[:64])
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class JmaFeed(PollingCollector, kind="jma_feed"):
    """Polls one JMA Atom feed and yields each new telegram as an OfficialReport."""

    class Config(PollingCollector.Config):
        """Feed URL and which entries to fetch."""

        url: str
        # The long feed (extra_l.xml ...), read once at start-up and once after the source has been failing,
        # so that telegrams which left the short feed meanwhile are not missed; empty: no catch-up.
        catch_up_url: str = ""
        interval_s: float = Field(default=60.0, gt=0)
        data_types: list[str] = Field(default_factory=list)  # e.g. ["VPWW54", "VXWW50"]; empty: all
        offices: list[str] = Field(default_factory=list)  # e.g. ["240000"]; empty: all
        max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
        remember: int = Field(default=5000, gt=0)  # entry ids kept in memory to fetch each once

    config: Config

    def __init__(self, config: Config, http: aiohttp.ClientSession, data_dir: Path) -> None:
        super().__init__(config, http, data_dir)
        self._conditional = Conditional()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._catch_up = bool(config.catch_up_url)  # at start-up

    def _wanted(self, entry: FeedEntry) -> bool:
        cfg = self.config
        if entry.id in self._seen:
            return False
        if cfg.data_types and entry.data_type and entry.data_type not in cfg.data_types:
            return False
        return not (cfg.offices and entry.office and entry.office not in cfg.offices)

    def _remember(self, entry_id: str) -> None:
        self._seen[entry_id] = None
        while len(self._seen) > self.config.remember:
            self._seen.popitem(last=False)

    async def records(self) -> AsyncIterator[tuple[Record, bytes]]:
        """Yield reports of entries not fetched before; a 304 yields nothing.

        After a start or a failed poll the long feed is read first; entries already fetched are skipped, and
        the store drops any telegram it already holds (a restart forgets what was fetched).
        """
        try:
            if self._catch_up:
                log.info("jma_feed_catch_up source=%s url=%s", self.name, self.config.catch_up_url)
                async for pair in self._telegrams(self.config.catch_up_url, conditional=None):
                    yield pair
                self._catch_up = False
            async for pair in self._telegrams(self.config.url, conditional=self._conditional):
                yield pair
        except Exception:
            self._catch_up = bool(self.config.catch_up_url)  # the short feed may move on while we fail
            raise

    async def _telegrams(self, url: str, conditional: Conditional | None) -> AsyncIterator[tuple[Record, bytes]]:
        cfg = self.config
        resp = await fetch(self.http, url, timeout_s=cfg.timeout_s, allow_private=cfg.allow_private,
                           headers=conditional.headers() if conditional else {}, max_bytes=cfg.max_bytes)
        if resp.status == 304:
            return
        entries = parse_feed(resp.body)
        for entry in entries:
            if not self._wanted(entry):
                continue
            try:
                telegram = await fetch(self.http, entry.url, timeout_s=cfg.timeout_s,
                                       allow_private=cfg.allow_private, max_bytes=cfg.max_bytes)
                report = parse_report(telegram.body, source=self.name, source_id=entry.id)
            except (SourceDataError, UnsafeURLError) as err:
                self._remember(entry.id)
                data_err = err if isinstance(err, SourceDataError) else SourceDataError(str(err))
                data_err.source_id = entry.id
                await self.reject(data_err)
                continue
            self._remember(entry.id)
            yield report, telegram.body
        if conditional is not None:
            conditional.update(resp)  # only once every entry was handled, so a fault retries them
