"""ONNX Runtime execution of a checkpoint: exported when loaded, optionally int8 dynamic-quantised.

On the 2-core CPUs we serve from, ONNX Runtime's fused BERT kernels classify several times faster than
eager PyTorch at the same labels (`bosai bench classify` measures both), so it is the default runtime.
Nothing is cached on disk: export and quantisation of the compact model take about two seconds at start-up.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from classifier.early_exit import cascade_logits
from classifier.modeling import BosaiBert, heads_from_config, screen_of

log = logging.getLogger(__name__)

OPSET = 17


class _LogitsOnly(torch.nn.Module):
    """The checkpoint with plain tensor inputs and outputs, as the exporter wants it."""

    def __init__(self, model: BosaiBert) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


class _ScreenPart(torch.nn.Module):
    """A screened checkpoint's layers up to its screen: their token states and the screen's logits."""

    def __init__(self, model: BosaiBert, layer: int) -> None:
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        states = self.model.states_through(input_ids, attention_mask, self.layer)
        return states, self.model.screen_logit(states, attention_mask)


class _RestPart(torch.nn.Module):
    """A screened checkpoint's layers above its screen and its head."""

    def __init__(self, model: BosaiBert, layer: int) -> None:
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model.logits_from(states, attention_mask, self.layer)


_ID_INPUTS = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}}
_STATE_INPUTS = {"states": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}}


def export_onnx(model: BosaiBert, path: Path) -> Path:
    """Write the whole model as ONNX with dynamic batch and sequence axes (see :func:`_export`)."""
    example = torch.ones((2, 8), dtype=torch.long)
    return _export(model, _LogitsOnly(model), (example, example), _ID_INPUTS, ["logits"], path)


def _export(model: BosaiBert, part: torch.nn.Module, example: tuple[torch.Tensor, ...],
            inputs: dict[str, dict[int, str]], outputs: list[str], path: Path) -> Path:
    """Trace ``part`` of ``model`` to ONNX.

    The graph is traced with eager attention: the SDPA trace wraps each attention in NaN guards and mask
    plumbing, and int8 ONNX Runtime runs the eager one 4-13 % faster at the same scores (`bosai bench classify`,
    template and real posts, 2-vCPU Xeon with AMX).
    """
    attention = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated upstream, still the one that fits
            torch.onnx.export(
                part.eval(),
                example,
                str(path),
                input_names=list(inputs),
                output_names=outputs,
                dynamic_axes=inputs,
                opset_version=OPSET,
                dynamo=False,
            )
    finally:
        model.set_attn_implementation(attention)
    return path


class OnnxLogits:
    """Logits of padded id batches through ONNX Runtime sessions (thread-safe, like the sessions). A screened
    checkpoint runs as two graphs, the layers up to its screen and the rest (:mod:`classifier.early_exit`)."""

    def __init__(self, model: BosaiBert, *, quantize: bool, threads: int) -> None:
        model.eval()
        self.screen = screen_of(model.config)
        self.disaster_index, _ = heads_from_config(model.config)
        self.outputs = model.config.num_labels
        with tempfile.TemporaryDirectory() as tmp:
            if self.screen is None:
                self.session = _session(export_onnx(model, Path(tmp) / "model.onnx"), quantize, threads)
            else:
                layer, ids = self.screen.layer, torch.ones((2, 8), dtype=torch.long)
                states = torch.zeros((2, 8, model.config.hidden_size))
                first = _export(model, _ScreenPart(model, layer), (ids, ids), _ID_INPUTS, ["states", "screen"],
                                Path(tmp) / "first.onnx")
                rest = _export(model, _RestPart(model, layer), (states, ids), _STATE_INPUTS, ["logits"],
                               Path(tmp) / "rest.onnx")
                self.first, self.rest = _session(first, quantize, threads), _session(rest, quantize, threads)
        log.info("onnx_session_ready quantize=%s threads=%s screen=%s", quantize, threads or "default", self.screen)

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """(batch, outputs) logits."""
        ids, mask = input_ids.astype(np.int64), attention_mask.astype(np.int64)
        if self.screen is None:
            return self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        return cascade_logits(self._first, self._rest, ids, mask, screen=self.screen,
                              disaster_index=self.disaster_index, outputs=self.outputs)

    def _first(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        states, screen = self.first.run(["states", "screen"], {"input_ids": ids, "attention_mask": mask})
        return states, screen

    def _rest(self, states: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.rest.run(["logits"], {"states": states, "attention_mask": mask})[0]


def _session(path: Path, quantize: bool, threads: int):
    """An ONNX Runtime CPU session of the graph at ``path``, int8 dynamic-quantised if asked."""
    import onnxruntime as ort

    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = path.with_suffix(".int8.onnx")
        quantize_dynamic(str(path), str(quantized), weight_type=QuantType.QInt8)
        path = quantized
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.inter_op_num_threads = 1
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(path.read_bytes(), options, providers=["CPUExecutionProvider"])
