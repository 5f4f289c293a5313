"""Near-duplicate detection: 64-bit SimHash over character n-grams of normalised post text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Final

import numpy as np

NGRAM: Final = 3
BITS: Final = 64
_MASK: Final = (1 << BITS) - 1
_BIT_SHIFTS: Final = np.arange(BITS, dtype=np.uint64)
_REPOST = re.compile(r"^(?:rt|qt)\s*@\w+\s*:?\s*", re.IGNORECASE)
_NOISE = re.compile(r"https?://\S+|[#＃]\S+|@\w+|[\s\u3000、。，．,.!！?？「」『』()（）\[\]【】:：;；…・~〜ー-]+")


def normalize(text: str) -> str:
    """NFKC, lower case, without repost prefixes, URLs, mentions, spaces and punctuation."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    while _REPOST.match(text):
        text = _REPOST.sub("", text, count=1)
    return _NOISE.sub("", text.lower())


def simhash(text: str) -> int:
    """Unsigned 64-bit SimHash of the character n-grams of ``normalize(text)``."""
    norm = normalize(text)
    if not norm:
        return 0
    grams = [norm[i : i + NGRAM] for i in range(max(1, len(norm) - NGRAM + 1))]
    digests = b"".join(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest() for g in grams)
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    ones = ((hashes[:, None] >> _BIT_SHIFTS) & np.uint64(1)).sum(axis=0)
    # A bit is set where more n-grams have it than not (a tie leaves it clear).
    return int(np.packbits((2 * ones > len(grams))[::-1]).view(">u8")[0])


def to_signed(value: int) -> int:
    """Unsigned 64-bit -> signed (the store's BIGINT column)."""
    value &= _MASK
    return value - (1 << BITS) if value >= 1 << (BITS - 1) else value


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes (signed or unsigned)."""
    return ((a & _MASK) ^ (b & _MASK)).bit_count()


BANDS: Final = 4
BAND_BITS: Final = BITS // BANDS


def bands(value: int) -> tuple[int, ...]:
    """The hash cut into four 16-bit bands: hashes within Hamming distance 3 share at least one band."""
    value &= _MASK
    return tuple((value >> (i * BAND_BITS)) & ((1 << BAND_BITS) - 1) for i in range(BANDS))
