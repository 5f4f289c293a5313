"""Fixtures: a tiny BERT checkpoint built locally from fixture text, and a small labelled corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.modeling import Arch, new_model
from classifier.tokenization import build_vocab, make_tokenizer

FIXTURE_POSTS = [
    ("川が氾濫して家が浸水してる、助けて", "disaster", ["flood", "casualty_rescue"]),
    ("津市で停電、信号も消えてる", "disaster", ["power_water_outage"]),
    ("裏山が崩れて道がふさがった", "disaster", ["landslide", "road_blocked"]),
    ("揺れた！棚から食器が落ちた", "disaster", ["earthquake"]),
    ("津波警報、すぐ高台へ逃げて", "disaster", ["tsunami", "evacuation_shelter"]),
    ("近所で火事、煙がすごい", "disaster", ["fire"]),
    ("避難所の体育館に来ました", "disaster", ["evacuation_shelter"]),
    ("強風で屋根が飛んだ", "disaster", ["other_damage"]),
    ("テスト範囲広すぎて地獄", "other", []),
    ("上司のメールで社内が炎上", "other", []),
    ("今日は防災訓練で起震車に乗った", "other", []),
    ("伊勢湾台風から六十年、慰霊祭に行った", "other", []),
    ("大雨警報出てるけど小雨", "other", []),
    ("台風明日来るから備蓄しよう", "other", []),
    ("映画の津波シーンがすごかった", "other", []),
    ("防災セール開催中、非常食が安い", "other", []),
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Write rows as JSON lines."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~50-example corpus (train/dev/test + unlabelled) made from the fixture posts with small variations."""
    root = tmp_path_factory.mktemp("corpus")
    rows = []
    for i in range(3):
        for text, label, cats in FIXTURE_POSTS:
            rows.append({"text": text + ("" if i == 0 else "！" * i), "label": label, "categories": cats})
    write_jsonl(root / "train.jsonl", rows)
    write_jsonl(root / "dev.jsonl", rows[:16])
    write_jsonl(root / "test.jsonl", rows[:16])
    import gzip

    with gzip.open(root / "unlabelled.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(t for t, _, _ in FIXTURE_POSTS) + "\n")
    return root


def _tiny(root: Path, pooling: str) -> Path:
    build_vocab([t for t, _, _ in FIXTURE_POSTS], root / "vocab.txt", size=2000, min_count=1)
    tok = make_tokenizer(root / "vocab.txt")
    arch = Arch(layers=2, hidden=32, heads=2, intermediate=64, max_positions=128)
    new_model(tok.vocab_size, arch, pooling=pooling).save_pretrained(root)
    tok.save_pretrained(root)
    return root


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer, hidden-32 BERT with our head, saved like a trained checkpoint."""
    return _tiny(tmp_path_factory.mktemp("tiny"), "cls")


@pytest.fixture(scope="session")
def tiny_mean_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny checkpoint with mean pooling of the token states instead of the [CLS] pooler."""
    return _tiny(tmp_path_factory.mktemp("tiny_mean"), "mean")
