"""The links and signatures a subscriber's messages carry, derived from the subscription's own key.

Only the key is stored: a confirm or unsubscribe link is an HMAC of the subscription id under it, so every
message can carry a working one-click link without keeping any link token in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final
from urllib.parse import quote

PURPOSES: Final = frozenset({"confirm", "unsubscribe"})
SIGNATURE_HEADER: Final = "X-Bosai-Signature"  # sha256=<hex of HMAC(key, timestamp + "." + body)>
TIMESTAMP_HEADER: Final = "X-Bosai-Timestamp"  # Unix seconds, so a receiver can refuse replays


def new_secret() -> str:
    """A fresh subscription key (256 bits, hex)."""
    return secrets.token_hex(32)


def link_token(secret: str, purpose: str, sub_id: int) -> str:
    """The token of a confirm or unsubscribe link for one subscription."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return hmac.new(secret.encode(), f"{purpose}:{sub_id}".encode(), hashlib.sha256).hexdigest()


def check_link_token(secret: str | None, purpose: str, sub_id: int, token: str) -> bool:
    """Whether ``token`` is this subscription's link token for ``purpose`` (constant time)."""
    return bool(secret) and hmac.compare_digest(link_token(secret or "", purpose, sub_id), token)


def link_url(base_url: str, purpose: str, sub_id: int, secret: str) -> str:
    """Absolute URL of a subscription's confirm or unsubscribe page (GET shows a button; POST acts)."""
    token = quote(link_token(secret, purpose, sub_id), safe="")
    return f"{base_url.rstrip('/')}/api/subscriptions/{sub_id}/{purpose}?token={token}"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value of a webhook post, as the service's own webhook source checks them."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
