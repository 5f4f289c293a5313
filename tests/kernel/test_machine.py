"""Benchmark machine description: the CPU model and the vector extensions read from cpuinfo."""

from __future__ import annotations

from pathlib import Path

from kernel.machine import describe


def test_reads_model_and_simd_levels_best_first(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n"
        "processor\t: 1\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n",
        encoding="utf-8",
    )
    got = describe(info)
    assert got["cpu_model"] == "AMD EPYC 9R14"
    assert got["simd"] == ["avx512_vnni", "avx512f", "avx2"]
    assert isinstance(got["cpus"], int) and got["cpus"] >= 1


def test_avx2_only_machine_has_no_vnni(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("model name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2\n", encoding="utf-8")
    assert describe(info)["simd"] == ["avx2"]


def test_missing_cpuinfo_still_describes(tmp_path: Path) -> None:
    got = describe(tmp_path / "absent")
    assert got["simd"] == [] and got["cpu_model"]
