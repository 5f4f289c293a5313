"""Fast inference over a saved checkpoint: length-sorted dynamic batches, int8 weights, ONNX Runtime or torch.

Must not import the training stack (train, distill, datasets): the service imports this module.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from transformers import AutoTokenizer, PretrainedConfig

from classifier.batching import BATCH_SIZE, MAX_BATCH_TOKENS, passes
from classifier.modeling import BosaiBert, heads_from_config
from classifier.onnx_runtime import OnnxLogits
from classifier.scoring import category_decisions
from classifier.textnorm import normalise
from classifier.tokenization import batch_encoder
from kernel.errors import ModelError
from kernel.records import Prediction

log = logging.getLogger(__name__)


RUNTIMES = ("onnxruntime", "torch")


class TorchLogits:
    """Logits of padded id batches through the torch model (int8 dynamic-quantised linears if asked)."""

    def __init__(self, model: BosaiBert, *, quantize: bool) -> None:
        if quantize:
            with warnings.catch_warnings():  # torch.ao eager quantisation is deprecated upstream
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.model = model

    @torch.inference_mode()
    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """(batch, outputs) logits."""
        out = self.model(input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(attention_mask))
        return out.logits.numpy()


class BertClassifier:
    """A kernel.records.Classifier over a fine-tuned BERT: disaster score plus hazard categories."""

    def __init__(
        self,
        logits: Callable[[np.ndarray, np.ndarray], np.ndarray],
        config: PretrainedConfig,
        tokenizer,
        *,
        version: str,
        threshold: float,
        category_threshold: float,
        max_length: int,
    ) -> None:
        self.logits, self.config, self.tokenizer, self.version = logits, config, tokenizer, version
        self.threshold, self.category_threshold, self.max_length = threshold, category_threshold, max_length
        self.disaster_index, self.category_heads = heads_from_config(config)
        self.max_batch_tokens = MAX_BATCH_TOKENS
        self._encoder = batch_encoder(tokenizer, max_length)
        # One MeCab tagger serves every thread: the service runs several classify batches at once, and a
        # MeCab tagger used by two threads at a time sometimes returns nothing (seen in a 10-minute soak).
        self._tokenizer_lock = threading.Lock()

    def _encode(self, texts: list[str]) -> list[list[int]]:
        clean = [normalise(t) or "[UNK]" for t in texts]
        with self._tokenizer_lock:
            return self._encoder(clean)

    def predict_proba(self, texts: list[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """(n, outputs) sigmoid probabilities in config order, computed in length-sorted padded batches."""
        ids = self._encode(texts)
        out = np.zeros((len(ids), self.config.num_labels), dtype=np.float32)
        pad = self.tokenizer.pad_token_id
        for chunk in passes([len(x) for x in ids], batch_size, self.max_batch_tokens):
            width = len(ids[chunk[-1]])
            batch = np.full((len(chunk), width), pad, dtype=np.int64)
            for row, i in enumerate(chunk):
                batch[row, : len(ids[i])] = ids[i]
            logits = self.logits(batch, (batch != pad).astype(np.int64))
            out[chunk] = 1.0 / (1.0 + np.exp(-logits))
        return out

    def to_predictions(self, probs: np.ndarray) -> list[Prediction]:
        """Turn probability rows into Predictions (categories of disaster posts, best first)."""
        columns = [j for j, _ in self.category_heads]
        chosen = category_decisions(probs[:, columns], self.category_threshold)
        preds = []
        for row, picks in zip(probs, chosen, strict=True):
            score = float(row[self.disaster_index])
            label = "disaster" if score >= self.threshold else "other"
            cats: tuple[tuple[str, float], ...] = ()
            if label == "disaster":
                heads = zip(self.category_heads, picks, strict=True)
                kept = [(name, round(float(row[j]), 4)) for (j, name), pick in heads if pick]
                cats = tuple(sorted(kept, key=lambda c: -c[1]))
            preds.append(Prediction(label=label, score=round(score, 4), categories=cats))
        return preds

    def predict(self, texts: list[str], *, batch_size: int = BATCH_SIZE) -> list[Prediction]:
        """Return one prediction per text, in order."""
        if not texts:
            return []
        return self.to_predictions(self.predict_proba(texts, batch_size=batch_size))


def model_version(model_dir: Path) -> str:
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
    runtime: str = "onnxruntime",
) -> BertClassifier:
    """Load a checkpoint once (fp16 on disk, fp32 in memory, int8 weights if quantize) on the given runtime."""
    model_dir = Path(model_dir)
    if runtime not in RUNTIMES:
        raise ModelError(f"unknown classifier runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
    if not (model_dir / "config.json").is_file():
        raise ModelError(f"classifier model not found: {model_dir} has no config.json (train one with `bosai train`)")
    if threads:
        torch.set_num_threads(threads)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        model = BosaiBert.from_pretrained(str(model_dir), dtype=torch.float32)
        model.eval()
        heads_from_config(model.config)
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as exc:
        raise ModelError(f"classifier model in {model_dir} cannot be loaded: {exc}") from exc
    if runtime == "onnxruntime":
        logits: Callable[[np.ndarray, np.ndarray], np.ndarray] = OnnxLogits(model, quantize=quantize, threads=threads)
    else:
        logits = TorchLogits(model, quantize=quantize)
    log.info("classifier_loaded dir=%s runtime=%s quantize=%s", model_dir, runtime, quantize)
    return BertClassifier(
        logits,
        model.config,
        tokenizer,
        version=model_version(model_dir),
        threshold=threshold,
        category_threshold=category_threshold,
        max_length=max_length,
    )
