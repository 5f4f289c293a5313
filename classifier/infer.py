"""Fast inference over a saved checkpoint: length-sorted dynamic batches, inference mode, int8 linears.

Must not import the training stack (train, distill, datasets): the service imports this module.
"""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from transformers import AutoTokenizer, BertForSequenceClassification

from bosai.errors import ModelError
from bosai.records import Prediction
from classifier.modeling import heads_from_config

log = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")


class BertClassifier:
    """A bosai.records.Classifier over a fine-tuned BERT: disaster score plus hazard categories."""

    def __init__(
        self, model, tokenizer, *, version: str, threshold: float, category_threshold: float, max_length: int
    ) -> None:
        self.model, self.tokenizer, self.version = model, tokenizer, version
        self.threshold, self.category_threshold, self.max_length = threshold, category_threshold, max_length
        self.disaster_index, self.category_heads = heads_from_config(model.config)

    def _encode(self, texts: list[str]) -> list[list[int]]:
        clean = [_SPACE.sub(" ", t).strip() or "[UNK]" for t in texts]
        return self.tokenizer(clean, truncation=True, max_length=self.max_length)["input_ids"]

    @torch.inference_mode()
    def predict_proba(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        """(n, outputs) sigmoid probabilities in config order, computed in length-sorted padded batches."""
        ids = self._encode(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), self.model.config.num_labels), dtype=np.float32)
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(ids[i]) for i in chunk)
            batch = torch.full((len(chunk), width), pad, dtype=torch.long)
            for row, i in enumerate(chunk):
                batch[row, : len(ids[i])] = torch.tensor(ids[i])
            logits = self.model(input_ids=batch, attention_mask=(batch != pad).long()).logits
            out[chunk] = torch.sigmoid(logits).numpy()
        return out

    def to_predictions(self, probs: np.ndarray) -> list[Prediction]:
        """Turn probability rows into Predictions (categories above threshold, best first)."""
        preds = []
        for row in probs:
            score = float(row[self.disaster_index])
            label = "disaster" if score >= self.threshold else "other"
            cats = sorted(((name, round(float(row[j]), 4)) for j, name in self.category_heads), key=lambda c: -c[1])
            kept = tuple(c for c in cats if c[1] >= self.category_threshold) if label == "disaster" else ()
            preds.append(Prediction(label=label, score=round(score, 4), categories=kept))
        return preds

    def predict(self, texts: list[str], *, batch_size: int = 64) -> list[Prediction]:
        """Return one prediction per text, in order."""
        if not texts:
            return []
        return self.to_predictions(self.predict_proba(texts, batch_size=batch_size))


def _version(model_dir: Path) -> str:
    """Stable model version: directory name plus a short hash of the weights file."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.glob("*.safetensors")):
        digest.update(path.read_bytes())
    return f"{model_dir.name}-{digest.hexdigest()[:12]}"


def load_classifier(
    model_dir: Path,
    *,
    threshold: float = 0.5,
    category_threshold: float = 0.4,
    quantize: bool = True,
    threads: int = 0,
    max_length: int = 96,
) -> BertClassifier:
    """Load a checkpoint once (fp16 on disk, fp32 in memory, optionally int8 dynamic-quantised linears)."""
    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise ModelError(f"classifier model not found: {model_dir} has no config.json (train one with `bosai train`)")
    if threads:
        torch.set_num_threads(threads)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        model = BertForSequenceClassification.from_pretrained(str(model_dir), dtype=torch.float32)
        model.eval()
        heads_from_config(model.config)
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as exc:
        raise ModelError(f"classifier model in {model_dir} cannot be loaded: {exc}") from exc
    if quantize:
        with warnings.catch_warnings():  # torch.ao eager quantisation is deprecated upstream, still the fastest here
            warnings.simplefilter("ignore")
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    log.info("classifier_loaded dir=%s quantize=%s outputs=%d", model_dir, quantize, model.config.num_labels)
    return BertClassifier(
        model,
        tokenizer,
        version=_version(model_dir),
        threshold=threshold,
        category_threshold=category_threshold,
        max_length=max_length,
    )
