"""Early exit as served: every post runs the layers up to the screen, only the posts it passes run the rest.

Both runtimes (ONNX Runtime and torch) serve a screened checkpoint through :func:`cascade_logits`, so they
make the same decisions.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from classifier.modeling import Screen

# The category logits of a post the screen let go: sigmoid(-30) is 1e-13, so no category is reported.
EXITED_LOGIT = -30.0

# (input_ids, attention_mask) -> (states at the screen's layer, screen logits)
FirstPart = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
# (states, attention_mask) -> (batch, outputs) logits of the full model
RestPart = Callable[[np.ndarray, np.ndarray], np.ndarray]


def cascade_logits(first: FirstPart, rest: RestPart, input_ids: np.ndarray, attention_mask: np.ndarray, *,
                   screen: Screen, disaster_index: int, outputs: int) -> np.ndarray:
    """(batch, outputs) logits: the full model's for posts the screen passes; for the others the screen's
    logit as the disaster score (under the screen's threshold) and no category."""
    states, screen_logits = first(input_ids, attention_mask)
    passed = screen_logits >= math.log(screen.threshold / (1.0 - screen.threshold))
    out = np.full((len(input_ids), outputs), EXITED_LOGIT, dtype=np.float32)
    out[:, disaster_index] = screen_logits
    if passed.any():
        out[passed] = rest(states[passed], attention_mask[passed])
    return out
