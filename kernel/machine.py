"""What machine a benchmark ran on: figures from two runs compare only with the CPU and its vector units known.

int8 inference is several times faster on CPUs with AVX-512 VNNI than on AVX2-only ones, so every benchmark
result carries these fields next to its numbers.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

# Vector extensions that change the int8/fp32 inference speed, best first.
SIMD_LEVELS = ("amx_int8", "avx512_vnni", "avx512f", "avx_vnni", "avx2")


def describe(cpuinfo: Path = Path("/proc/cpuinfo")) -> dict[str, object]:
    """CPU model, logical CPU count and the vector extensions that matter for inference speed."""
    model, flags = platform.processor() or platform.machine(), set()
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    return {"cpu_model": model, "cpus": os.cpu_count(), "simd": [f for f in SIMD_LEVELS if f in flags]}
