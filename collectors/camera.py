"""River/road camera stills: conditional GET, validated images, latest + bounded history on disk, staleness."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final, Literal

import aiohttp
from PIL import Image, UnidentifiedImageError
from pydantic import Field

from collectors.base import PollingCollector
from collectors.fetch import Conditional, fetch
from kernel import clock as process_clock
from kernel.config import Block
from kernel.errors import SourceDataError, SourceUnavailable
from kernel.records import CameraImage, Record

log = logging.getLogger(__name__)

ALLOWED_TYPES: Final = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_PIL_TYPES: Final = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class CameraSpec(Block):
    """One camera: id, name, position and the URL of its still image."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: str
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    url: str


def validate_image(body: bytes, content_type: str, max_pixels: int) -> tuple[str, tuple[int, int]]:
    """Return (content type, size) of a decodable still; raise SourceDataError otherwise."""
    if content_type not in ALLOWED_TYPES:
        raise SourceDataError(f"unexpected content type {content_type!r}", raw=body[:4096])
    try:
        with Image.open(io.BytesIO(body)) as image:
            if image.width * image.height > max_pixels:
                raise SourceDataError(f"image of {image.width}x{image.height} px is too large", raw=body[:4096])
            actual = _PIL_TYPES.get(image.format or "")
            image.load()
            size = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
        raise SourceDataError(f"image does not decode: {err}", raw=body[:4096]) from err
    if actual != content_type:
        raise SourceDataError(f"declared {content_type} but the bytes are {actual}", raw=body[:4096])
    return content_type, size


def make_thumbnail(body: bytes, width: int) -> bytes:
    """A JPEG thumbnail ``width`` pixels wide."""
    with Image.open(io.BytesIO(body)) as image:
        image.thumbnail((width, width * 4))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
        return out.getvalue()


class Camera(PollingCollector, kind="camera"):
    """Polls still-image cameras; yields a CameraImage per new image and a status record on stale/offline."""

    class Config(PollingCollector.Config):
        """Cameras, limits and staleness."""

        cameras: list[CameraSpec] = Field(min_length=1)
        interval_s: float = Field(default=120.0, gt=0)
        max_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
        max_pixels: int = Field(default=20_000_000, gt=0)
        history: int = Field(default=12, ge=1)  # images kept per camera
        thumbnail_width: int = Field(default=320, ge=16)
        stale_after_min: float = Field(default=30.0, gt=0)  # same image this long -> stale
        offline_after_failures: int = Field(default=3, ge=1)

    config: Config

    def __init__(self, config: Config, http: aiohttp.ClientSession, data_dir: Path,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(config, http, data_dir)
        self.clock = clock or process_clock.now  # the demo's scenario time in the demo
        self._conditional = {c.id: Conditional() for c in config.cameras}
        self._digest: dict[str, str] = {}
        self._changed_at: dict[str, datetime] = {}
        self._failures = dict.fromkeys(self._conditional, 0)
        self._status: dict[str, str] = dict.fromkeys(self._conditional, "ok")

    async def records(self) -> AsyncIterator[tuple[Record, bytes]]:
        """Fetch each camera; one camera failing does not stop the others (all failing raises)."""
        failures = 0
        for spec in self.config.cameras:
            record: tuple[CameraImage, bytes] | None
            try:
                record = await self._poll_camera(spec)
            except SourceUnavailable as err:
                failures += 1
                record = self._on_failure(spec, err)
            except SourceDataError as err:
                err.source_id = spec.id
                await self.reject(err)
                record = self._on_failure(spec, err)
            if record is not None:
                yield record
        if failures == len(self.config.cameras):
            raise SourceUnavailable(f"all {failures} cameras unreachable")

    async def _poll_camera(self, spec: CameraSpec) -> tuple[CameraImage, bytes] | None:
        cfg = self.config
        cond = self._conditional[spec.id]
        resp = await fetch(self.http, spec.url, timeout_s=cfg.timeout_s, allow_private=cfg.allow_private,
                           headers=cond.headers(), max_bytes=cfg.max_bytes)
        self._failures[spec.id] = 0
        if self._status[spec.id] == "offline":
            self._status[spec.id] = "ok"
        now = self.clock()
        digest = hashlib.sha256(resp.body).hexdigest() if resp.status != 304 else self._digest.get(spec.id)
        if resp.status == 304 or digest == self._digest.get(spec.id):
            return self._maybe_stale(spec, now)
        content_type, _ = validate_image(resp.body, resp.content_type, cfg.max_pixels)
        cond.update(resp)
        self._digest[spec.id] = digest or ""
        self._changed_at[spec.id] = now
        return self._store(spec, resp.body, content_type, digest or "", now), resp.body

    def _store(self, spec: CameraSpec, body: bytes, content_type: str, digest: str, now: datetime) -> CameraImage:
        folder = self.data_dir / "cameras" / spec.id
        folder.mkdir(parents=True, exist_ok=True)
        stamp = now.strftime("%Y%m%dT%H%M%S")
        ext = ALLOWED_TYPES[content_type]
        image_path = folder / f"{stamp}_{digest[:8]}.{ext}"
        image_path.write_bytes(body)
        thumb_path = folder / f"{stamp}_{digest[:8]}.thumb.jpg"
        thumb_path.write_bytes(make_thumbnail(body, self.config.thumbnail_width))
        (folder / f"latest.{ext}").write_bytes(body)
        self._prune(folder)
        self._status[spec.id] = "ok"
        return self._record(spec, f"{digest}", now, str(image_path), str(thumb_path), content_type, len(body), "ok")

    def _prune(self, folder: Path) -> None:
        images = sorted(p for p in folder.iterdir() if p.name[0].isdigit() and ".thumb." not in p.name)
        for old in images[: -self.config.history]:
            old.unlink(missing_ok=True)
            old.with_name(old.name.rsplit(".", 1)[0] + ".thumb.jpg").unlink(missing_ok=True)

    def _maybe_stale(self, spec: CameraSpec, now: datetime) -> tuple[CameraImage, bytes] | None:
        changed = self._changed_at.get(spec.id)
        if changed is None or now - changed < timedelta(minutes=self.config.stale_after_min):
            return None
        return self._status_record(spec, "stale", now)

    def _on_failure(self, spec: CameraSpec, err: Exception) -> tuple[CameraImage, bytes] | None:
        self._failures[spec.id] += 1
        log.warning("camera_fetch_failed source=%s camera=%s failures=%d error=%s",
                    self.name, spec.id, self._failures[spec.id], err)
        if self._failures[spec.id] < self.config.offline_after_failures:
            return None
        return self._status_record(spec, "offline", self.clock())

    def _status_record(
        self, spec: CameraSpec, status: Literal["stale", "offline"], now: datetime
    ) -> tuple[CameraImage, bytes] | None:
        if self._status[spec.id] == status:
            return None
        self._status[spec.id] = status
        log.warning("camera_status source=%s camera=%s status=%s", self.name, spec.id, status)
        latest = next(iter(sorted((self.data_dir / "cameras" / spec.id).glob("latest.*"))), None)
        record = self._record(spec, f"{status}:{now.isoformat()}", now, str(latest or ""), None, "image/jpeg", 0,
                              status)
        return record, json.dumps({"camera": spec.id, "status": status, "at": now.isoformat()}).encode()

    def _record(self, spec: CameraSpec, key: str, now: datetime, image_path: str, thumb: str | None,
                content_type: str, size: int, status: Literal["ok", "stale", "offline"]) -> CameraImage:
        return CameraImage(
            source=self.name, source_id=f"{spec.id}:{key}", observed_at=now, camera_id=spec.id, name=spec.name,
            lat=spec.lat, lng=spec.lng, image_path=image_path, thumbnail_path=thumb, content_type=content_type,
            size_bytes=size, status=status,
        )
