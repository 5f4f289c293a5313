"""Write the demo scenario's data files into ``bosai/demo/scenario/`` (deterministic for a given seed)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

from bosai.demo.scenario_build.gauges import build_gauges
from bosai.demo.scenario_build.jma_day import write_telegrams
from bosai.demo.scenario_build.posts import PostComposer

JST: Final = timezone(timedelta(hours=9))
OUT: Final = Path(__file__).resolve().parent.parent / "scenario"
CAMERAS: Final = (
    ("cam_kumozu_onoki", "雲出川 大仰 河川カメラ", "river", 34.6518, 136.4041, "2499000101"),
    ("cam_suzuka_takaoka", "鈴鹿川 高岡 河川カメラ", "river", 34.9012, 136.5858, "2499000102"),
    ("cam_kushida_ryogun", "櫛田川 両郡橋 河川カメラ", "river", 34.5221, 136.5646, "2499000103"),
    ("cam_shitomo_edobashi", "志登茂川 江戸橋 河川カメラ", "river", 34.7436, 136.5188, "2499000108"),
    ("cam_r23_kurima", "国道23号 津市栗真町屋町 道路カメラ", "road", 34.7571, 136.5262, "2499000108"),
    ("cam_meihan_kameyama", "名阪国道 亀山IC付近 道路カメラ", "road", 34.8458, 136.4436, None),
)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def build(out: Path, seed: int) -> dict[str, int]:
    """Generate every file; return counts for the log line."""
    day = datetime(2026, 9, 20, tzinfo=JST)
    start, end = day.replace(hour=5, minute=30), day + timedelta(days=1)
    gauges = build_gauges(day.replace(hour=6), end, seed)
    timeline = write_telegrams(out / "telegrams", day, gauges)
    posts = PostComposer(day, seed).compose()
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "scenario.json", {
        "title": "台風第14号接近に伴う三重県の大雨（デモ用の架空シナリオ）",
        "title_en": "Typhoon No. 14 heavy rain in Mie (fictional demo scenario)",
        "fictional": True, "seed": seed, "start": start.isoformat(), "end": end.isoformat(),
        "default_replay_start": day.replace(hour=8, minute=30).isoformat(),
        "camera_interval_min": 10,
    })
    _write_json(out / "timeline.json", timeline)
    _write_json(out / "gauges.json", gauges)
    _write_json(out / "cameras.json", [
        {"id": cid, "name": name, "kind": kind, "lat": lat, "lng": lng, "gauge": gauge}
        for cid, name, kind, lat, lng, gauge in CAMERAS])
    with (out / "posts.jsonl").open("w", encoding="utf-8") as fh:
        for post in posts:
            fh.write(json.dumps(post, ensure_ascii=False) + "\n")
    return {"telegrams": len(timeline), "gauges": len(gauges["gauges"]), "posts": len(posts)}


def main(argv: list[str] | None = None) -> int:
    """CLI entry: ``python -m bosai.demo.scenario_build [--out DIR] [--seed N]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=20260920)
    args = parser.parse_args(argv)
    counts = build(args.out, args.seed)
    print(json.dumps(counts))  # noqa: T201 - CLI output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
