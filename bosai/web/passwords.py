"""Operator password hashes: scrypt with a random salt, self-describing strings, constant-time checks.

New hashes use the OWASP Password Storage Cheat Sheet's scrypt setting (N=2^17, r=8, p=1: 128 MiB and a
few hundred milliseconds per hash). The parameters are part of each hash string, so hashes made with the
earlier N=2^14 still verify. A check takes long enough that it must never run on the event loop: the async
functions here run it on a small thread pool of its own (hashlib.scrypt releases the GIL), whose size also
bounds the memory that a flood of login attempts can take.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Final

SCRYPT_N: Final = 2**17
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
SALT_BYTES: Final = 16
KEY_BYTES: Final = 32
_MAX_N: Final = 2**20  # refuse stored parameters that would eat the machine
_MAXMEM: Final = 256 * 1024**2  # twice what today's cost needs (128 * N * r); stored hashes asking more fail
HASH_THREADS: Final = max(1, min(4, os.cpu_count() or 1))  # at most 4 * 128 MiB in flight
_pool: ThreadPoolExecutor | None = None


def _hash_pool() -> ThreadPoolExecutor:
    """The shared pool for password work, made on first use (threads are not kept by processes that never log in)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="password")
    return _pool


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$key`` for a new password (blocking: use :func:`hash_password_async` on the loop)."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES,
                         maxmem=_MAXMEM)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def unusable_hash() -> str:
    """A well-formed hash at today's cost that no password matches, made without hashing: checking a
    password against it costs what a real check costs, so unknown users take as long as known ones."""
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(secrets.token_bytes(SALT_BYTES))}" \
           f"${_b64(secrets.token_bytes(KEY_BYTES))}"


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` on the password pool, so the event loop keeps serving meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_hash_pool(), hash_password, password)


async def verify_password_async(password: str, stored: str) -> bool:
    """:func:`verify_password` on the password pool, so the event loop keeps serving meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_hash_pool(), verify_password, password, stored)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (scrypt, or pbkdf2_sha256$iterations$salt$key); False if
    malformed. Blocking: use :func:`verify_password_async` on the event loop."""
    try:
        scheme, *params = stored.split("$")
        if scheme == "scrypt" and len(params) == 5:
            n, r, p = (int(v) for v in params[:3])
            if not (1 < n <= _MAX_N and 0 < r <= 32 and 0 < p <= 16):
                return False
            salt, key = _unb64(params[3]), _unb64(params[4])
            got = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(key),
                                 maxmem=_MAXMEM)
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
