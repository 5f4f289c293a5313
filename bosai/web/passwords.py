"""Operator password hashes: scrypt with a random salt, self-describing strings, constant-time checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Final

SCRYPT_N: Final = 2**14
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
SALT_BYTES: Final = 16
KEY_BYTES: Final = 32
_MAX_N: Final = 2**20  # refuse stored parameters that would eat the machine


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$key`` for a new password."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (scrypt, or pbkdf2_sha256$iterations$salt$key); False if malformed."""
    try:
        scheme, *params = stored.split("$")
        if scheme == "scrypt" and len(params) == 5:
            n, r, p = (int(v) for v in params[:3])
            if not (1 < n <= _MAX_N and 0 < r <= 32 and 0 < p <= 16):
                return False
            salt, key = _unb64(params[3]), _unb64(params[4])
            got = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(key),
                                 maxmem=256 * 1024 * 1024)
        elif scheme == "pbkdf2_sha256" and len(params) == 3:
            iterations = int(params[0])
            if not 0 < iterations <= 5_000_000:
                return False
            salt, key = _unb64(params[1]), _unb64(params[2])
            got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, len(key))
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, key)
