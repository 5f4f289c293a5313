"""The ONNX export: traced with eager attention, the caller's model left as it was."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import onnx

from classifier.modeling import BosaiBert
from classifier.onnx_runtime import export_onnx


def _ops(model: BosaiBert, path: Path) -> Counter[str]:
    return Counter(node.op_type for node in onnx.load(str(export_onnx(model, path))).graph.node)


def test_export_traces_eager_attention_and_restores_the_model(tiny_checkpoint: Path, tmp_path: Path) -> None:
    sdpa = BosaiBert.from_pretrained(tiny_checkpoint, attn_implementation="sdpa")
    eager = BosaiBert.from_pretrained(tiny_checkpoint, attn_implementation="eager")
    # The SDPA trace adds NaN guards and mask plumbing around each attention; the eager one has none of them.
    assert _ops(sdpa, tmp_path / "sdpa.onnx") == _ops(eager, tmp_path / "eager.onnx")
    assert sdpa.config._attn_implementation == "sdpa"
