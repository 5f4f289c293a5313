"""Camera collector against the fake still server: validation, 304, history on disk, stale and offline."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from kernel.errors import SourceUnavailable
from kernel.records import CameraImage

T0 = datetime(2026, 9, 12, 10, tzinfo=UTC)


def still(color: tuple[int, int, int], fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def clock():
    return {"t": T0}


@pytest.fixture
def cams(fake, build, clock, bad_items):
    fs, base = fake
    cam = build(kind="camera", name="mie_cameras", history=3, stale_after_min=20, offline_after_failures=2,
                timeout_s=0.3, cameras=[
                    {"id": "kumo1", "name": "試験橋", "lat": 34.6, "lng": 136.5, "url": f"{base}/cameras/kumo1.jpg"},
                    {"id": "kumo2", "name": "試験堤", "lat": 34.7, "lng": 136.4, "url": f"{base}/cameras/kumo2.jpg"},
                ])
    cam.clock = lambda: clock["t"]
    rejected = []

    async def reject(source, err):
        rejected.append(err)

    cam.bind(reject=reject)
    return fs, cam, rejected


async def poll(cam) -> list[tuple[CameraImage, bytes]]:
    return [pair async for pair in cam.records()]


async def test_images_stored_with_thumbnail_then_304(cams, tmp_path: Path) -> None:
    fs, cam, _ = cams
    fs.set_camera_image("kumo1", still((200, 0, 0)))
    fs.set_camera_image("kumo2", still((0, 0, 200), "PNG"), "image/png")
    got = await poll(cam)
    assert [(r.camera_id, r.status, r.content_type) for r, _ in got] == [
        ("kumo1", "ok", "image/jpeg"), ("kumo2", "ok", "image/png")]
    record, raw = got[0]
    assert Path(record.image_path).read_bytes() == raw == still((200, 0, 0))
    assert Path(record.image_path).is_relative_to(tmp_path / "cameras" / "kumo1")
    with Image.open(record.thumbnail_path) as thumb:
        assert thumb.format == "JPEG"
    assert (tmp_path / "cameras" / "kumo1" / "latest.jpg").exists()
    assert await poll(cam) == []  # 304 on both


async def test_history_is_bounded(cams, clock, tmp_path: Path) -> None:
    fs, cam, _ = cams
    fs.set_camera_image("kumo2", still((0, 0, 0)))
    for i in range(5):
        fs.set_camera_image("kumo1", still((i * 40, 10, 10)))
        clock["t"] = T0 + timedelta(minutes=i)
        await poll(cam)
    folder = tmp_path / "cameras" / "kumo1"
    images = [p for p in folder.iterdir() if p.name[0].isdigit() and ".thumb." not in p.name]
    thumbs = [p for p in folder.iterdir() if ".thumb." in p.name]
    assert len(images) == 3 and len(thumbs) == 3


async def test_stale_once_when_the_image_stops_changing(cams, clock) -> None:
    fs, cam, _ = cams
    fs.set_camera_image("kumo1", still((1, 2, 3)))
    fs.set_camera_image("kumo2", still((3, 2, 1)))
    await poll(cam)
    clock["t"] = T0 + timedelta(minutes=25)
    stale = await poll(cam)
    assert sorted((r.camera_id, r.status) for r, _ in stale) == [("kumo1", "stale"), ("kumo2", "stale")]
    assert stale[0][0].image_path.endswith("latest.jpg")
    assert await poll(cam) == []
    fs.set_camera_image("kumo1", still((9, 9, 9)))
    fresh = await poll(cam)
    assert [(r.camera_id, r.status) for r, _ in fresh] == [("kumo1", "ok")]


@pytest.mark.parametrize(
    ("image", "content_type", "message"),
    [(b"<html>login</html>", "text/html", "content type"), (b"\xff\xd8garbage", "image/jpeg", "does not decode"),
     (None, "image/png", "bytes are image/jpeg")],
)
async def test_invalid_images_are_rejected(cams, image, content_type, message) -> None:
    fs, cam, rejected = cams
    fs.set_camera_image("kumo1", image or still((5, 5, 5)), content_type)
    fs.set_camera_image("kumo2", still((0, 9, 0)))
    got = await poll(cam)
    assert [r.camera_id for r, _ in got] == ["kumo2"]
    assert len(rejected) == 1 and message in str(rejected[0]) and rejected[0].source_id == "kumo1"


async def test_giant_image_is_refused(cams, build, fake) -> None:
    fs, cam, rejected = cams
    fs.set_camera_image("kumo1", still((5, 5, 5), size=(64, 48)) + b"\0" * 5_000_000)
    fs.set_camera_image("kumo2", still((0, 9, 0)))
    await poll(cam)
    assert "limit" in str(rejected[0])


async def test_offline_after_failures_and_all_down_raises(cams) -> None:
    fs, cam, _ = cams
    fs.set_camera_image("kumo1", still((1, 1, 1)))
    fs.set_camera_image("kumo2", still((2, 2, 2)))
    await poll(cam)
    fs.faults["camera"].status = 503
    with pytest.raises(SourceUnavailable, match="all 2 cameras"):
        await poll(cam)
    offline = []
    with pytest.raises(SourceUnavailable):
        async for record, _ in cam.records():
            offline.append(record)
    assert sorted((r.camera_id, r.status) for r in offline) == [("kumo1", "offline"), ("kumo2", "offline")]
    fs.faults["camera"].status = None
    assert await poll(cam) == []  # back online, same image: nothing new
    assert cam._status == {"kumo1": "ok", "kumo2": "ok"}
