"""Logging set-up: the console handler drops the ONNX quantiser's per-tensor INFO lines and nothing else."""

from __future__ import annotations

import logging

import pytest

from bosai.logs import setup_logging


@pytest.fixture
def root_handler():
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    setup_logging("INFO")
    yield root.handlers[0]
    root.handlers[:] = saved
    root.setLevel(level)


def _record(level: int, path: str) -> logging.LogRecord:
    return logging.LogRecord("root", level, path, 1, "Quantization parameters for tensor x not specified", None, None)


def test_quantizer_info_lines_are_dropped(root_handler: logging.Handler) -> None:
    quantizer = "/venv/lib/python3.11/site-packages/onnxruntime/quantization/onnx_quantizer.py"
    assert not root_handler.filter(_record(logging.INFO, quantizer))
    assert root_handler.filter(_record(logging.WARNING, quantizer))  # its warnings still show


def test_other_info_lines_pass(root_handler: logging.Handler) -> None:
    assert root_handler.filter(_record(logging.INFO, "/work/main/classifier/onnx_runtime.py"))
