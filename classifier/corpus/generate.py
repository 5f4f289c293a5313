"""Build the labelled corpus and the unlabelled distillation text from the phrase banks.

Run: ``python -m classifier.corpus.generate`` (deterministic for a seed). Splits are by template
family, so the test split holds sentence frames the training split never saw. Train-only frames
(``train_frames``) come last, so adding them leaves every draw of the dev and test families unchanged.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from classifier.corpus import places as P
from classifier.corpus.disaster_frames import DISASTER_FRAMES, SECONDARY_CLAUSES, Frame
from classifier.corpus.negative_frames import NEGATIVE_FRAMES
from classifier.corpus.news_frames import NEWS_DISASTER_FRAMES, NEWS_NEGATIVE_FRAMES
from classifier.corpus.quotes import OFFICIAL_IN_FORCE, OFFICIAL_NOT_IN_FORCE
from classifier.corpus.reach_frames import (
    EN_PLACES,
    EN_RIVERS,
    ENGLISH_DISASTER_FRAMES,
    ENGLISH_NEGATIVE_FRAMES,
    PLAIN_DISASTER_FRAMES,
    PLAIN_NEGATIVE_FRAMES,
)
from classifier.corpus.style import QUESTION_TAILS, RUMOUR_PREFIXES, decorate, has_kanji, plain_kana
from classifier.corpus.train_frames import TRAIN_DISASTER_FRAMES, TRAIN_NEGATIVE_FRAMES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SPLITS = ("train", "dev", "test")
TRAIN_ONLY = "t"  # index prefix of train-only families, e.g. "flood:t03", "flood:tj03", "flood:te03", "flood:tn03"
KANA_SHARE = 0.06  # share of train posts rewritten in kana, as children and some elderly writers post


@dataclass(frozen=True)
class Family:
    """One sentence frame: its id, label, categories and how many posts to draw from it."""

    family: str
    kind: str
    frame: str
    label: str
    categories: tuple[str, ...]


def _disaster_families(banks: dict[str, list[Frame]], tag: str = "") -> list[Family]:
    """Families of a disaster bank; ``tag`` prefixes the index so train-only frames keep their own ids."""
    return [
        Family(f"{cat}:{tag}{i:02d}", cat, frame, "disaster", (cat, *extra))
        for cat, frames in banks.items()
        for i, (frame, extra) in enumerate(frames)
    ]


def _negative_families(banks: dict[str, list[str]], tag: str = "") -> list[Family]:
    """Families of a negative bank, ids tagged like the disaster ones."""
    return [
        Family(f"neg_{kind}:{tag}{i:02d}", kind, frame, "other", ())
        for kind, frames in banks.items()
        for i, frame in enumerate(frames)
    ]


def families() -> list[Family]:
    """Every sentence frame of the banks, as families with stable ids; train-only frames last."""
    out = _disaster_families(DISASTER_FRAMES)
    for i, (frame, cats) in enumerate(OFFICIAL_IN_FORCE):
        out.append(Family(f"official:{i:02d}", "official", frame, "disaster", cats))
    out += _negative_families(NEGATIVE_FRAMES)
    for i, frame in enumerate(OFFICIAL_NOT_IN_FORCE):
        out.append(Family(f"neg_official:{i:02d}", "official_lifted", frame, "other", ()))
    out += _disaster_families(TRAIN_DISASTER_FRAMES, TRAIN_ONLY)
    out += _negative_families(TRAIN_NEGATIVE_FRAMES, TRAIN_ONLY)
    out += _disaster_families(PLAIN_DISASTER_FRAMES, TRAIN_ONLY + "j")
    out += _negative_families(PLAIN_NEGATIVE_FRAMES, TRAIN_ONLY + "j")
    out += _disaster_families(ENGLISH_DISASTER_FRAMES, TRAIN_ONLY + "e")
    out += _negative_families(ENGLISH_NEGATIVE_FRAMES, TRAIN_ONLY + "e")
    out += _disaster_families(NEWS_DISASTER_FRAMES, TRAIN_ONLY + "n")
    return out + _negative_families(NEWS_NEGATIVE_FRAMES, TRAIN_ONLY + "n")


def split_of(family: str) -> str:
    """Fixed split for a family: every 7th frame of a kind goes to test, the next-but-one to dev.

    Train-only families never go to dev or test: their frames add ways of writing, not held-out cases.
    """
    index = family.rsplit(":", 1)[1]
    if index.startswith(TRAIN_ONLY):
        return "train"
    return {3: "test", 5: "dev"}.get(int(index) % 7, "train")


def _place(rng: random.Random) -> str:
    pool = rng.choice((P.MIE_CITIES, P.MIE_CITIES, P.MIE_TOWNS, P.MIE_SPOTS, P.NEAR_PLACES))
    place = rng.choice(pool)
    if pool is P.MIE_TOWNS and rng.random() < 0.4:
        place = rng.choice(P.MIE_CITIES) + place
    return place


def fill(rng: random.Random, frame: str) -> str:
    """Fill every slot of a frame with a random value from the banks."""
    slots = {
        "p": lambda: _place(rng),
        "r": lambda: rng.choice(P.MIE_RIVERS),
        "rd": lambda: rng.choice(P.MIE_ROADS),
        "t": lambda: rng.choice(P.TIMES),
        "h": lambda: rng.choice(P.HOUSES),
        "who": lambda: rng.choice(P.PEOPLE),
        "n": lambda: str(rng.randint(1, 9)),
        "far": lambda: rng.choice(P.FAR_PLACES),
        "d": lambda: rng.choice(P.DAYS),
        "ep": lambda: rng.choice(EN_PLACES),
        "er": lambda: rng.choice(EN_RIVERS),
    }
    return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), frame)


def draw(rng: random.Random, fam: Family) -> tuple[str, tuple[str, ...], list[str]]:
    """One post from a family: filled frame, maybe a second hazard, a rumour or question form, styles."""
    text, cats, styles = fill(rng, fam.frame), list(fam.categories), []
    if fam.label == "disaster":
        if rng.random() < 0.2:
            extra = rng.choice([c for c in SECONDARY_CLAUSES if c not in cats])
            text, cats = f"{text}、{rng.choice(SECONDARY_CLAUSES[extra])}", [*cats, extra]
            styles.append("multi_hazard")
        if "casualty_rescue" in cats and rng.random() < 0.4:
            town = rng.choice(P.MIE_CITIES) + rng.choice(P.MIE_TOWNS)
            text += f" 住所：{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
            styles.append("address")
        roll = rng.random()
        if roll < 0.1:
            text, styles = rng.choice(RUMOUR_PREFIXES) + text, [*styles, "rumour"]
        elif roll < 0.17:
            text = re.sub(r"[。！!]*$", "", text) + rng.choice(QUESTION_TAILS)
            styles.append("question")
    elif fam.kind == "official_lifted" or (fam.kind == "warning_calm" and rng.random() < 0.3):
        styles.append("quoted_official")
    if fam.kind in ("official", "official_lifted") and rng.random() < 0.6:
        text = rng.choice(("「{}」だって", "RT {}", "{} ←これ", "市のメール来た：{}")).format(text)
    text, used = decorate(rng, text, hazard=fam.label == "disaster")
    return text, tuple(dict.fromkeys(cats)), styles + used


def near_dup_key(text: str) -> str:
    """Text reduced to its skeleton (no places, digits, tags, emoji, punctuation) to spot paraphrases."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"#\S+|@\S+", "", text)
    for name in sorted(
        {*P.MIE_CITIES, *P.MIE_TOWNS, *P.MIE_SPOTS, *P.FAR_PLACES, *P.NEAR_PLACES, *P.MIE_RIVERS, *P.MIE_ROADS},
        key=len,
        reverse=True,
    ):
        text = text.replace(name.lower(), "")
    return re.sub(r"[\W\d_]+", "", text)


def generate(seed: int, per_frame: int) -> Iterator[dict]:
    """Yield unique labelled posts, ``per_frame`` tries per family, with their split and provenance.

    The kana rewrite draws from its own generator and only for train posts, so dev and test stay put.
    """
    rng, kana_rng, seen = random.Random(seed), random.Random(seed + 2), set()
    for fam in families():
        split = split_of(fam.family)
        for _ in range(per_frame):
            text, cats, styles = draw(rng, fam)
            if split == "train" and has_kanji(text) and kana_rng.random() < KANA_SHARE:
                text, styles = plain_kana(text, spaced=kana_rng.random() < 0.5), [*styles, "kana"]
            if text in seen:
                continue
            seen.add(text)
            yield {
                "text": text,
                "label": fam.label,
                "categories": list(cats),
                "family": fam.family,
                "kind": fam.kind,
                "styles": styles,
                "split": split,
            }


def write(out_dir: Path, seed: int, per_frame: int, unlabelled: int) -> dict[str, int]:
    """Write train/dev/test JSONL and the gzipped unlabelled text (train families only); return counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = list(generate(seed, per_frame))
    counts = {}
    for split in SPLITS:
        part = [r for r in rows if r["split"] == split]
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for i, row in enumerate(part):
                fh.write(json.dumps({"id": f"{split}-{i:05d}", **row}, ensure_ascii=False) + "\n")
        counts[split] = len(part)
    train_fams = [f for f in families() if split_of(f.family) == "train"]
    rng = random.Random(seed + 1)
    with gzip.open(out_dir / "unlabelled.txt.gz", "wt", encoding="utf-8") as fh:
        for _ in range(unlabelled):
            fh.write(draw(rng, rng.choice(train_fams))[0].replace("\n", " ") + "\n")
    counts["unlabelled"] = unlabelled
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: regenerate the corpus files."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    ap.add_argument("--seed", type=int, default=20260611)
    ap.add_argument("--per-frame", type=int, default=24)
    ap.add_argument("--unlabelled", type=int, default=20000)
    args = ap.parse_args(argv)
    print(json.dumps(write(args.out, args.seed, args.per_frame, args.unlabelled)))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
