"""How posts are cut into forward passes when served: one home, because the pass changes the scores.

Dynamic int8 quantisation scales each pass's activations by that pass's range, so a post's served score
depends on the posts it shares a pass with; training chooses its served thresholds over the same passes.
"""

from __future__ import annotations

from collections.abc import Iterator

# Posts per request batch (config `classifier.batch_size` and the `predict` default).
BATCH_SIZE = 64

# Padded tokens per forward pass. Short posts vary a lot in length; cutting a request's length-sorted
# posts into passes of at most this many padded tokens wastes less on padding than one wide batch
# (bosai bench classify: about 1.3x the posts/s of one 64-post pass on a 2-core CPU).
MAX_BATCH_TOKENS = 512


def passes(lengths: list[int], batch_size: int = BATCH_SIZE, max_tokens: int = MAX_BATCH_TOKENS) -> Iterator[list[int]]:
    """The passes a set of posts of these token lengths is scored in: indices sorted by length (ties in input
    order), cut into passes of at most ``batch_size`` rows and ``max_tokens`` padded tokens (a single longer post
    still gets its own pass)."""
    chunk: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if chunk and (len(chunk) == batch_size or (len(chunk) + 1) * lengths[i] > max_tokens):
            yield chunk
            chunk = []
        chunk.append(i)
    if chunk:
        yield chunk
