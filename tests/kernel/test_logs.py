"""Logging set-up: the quantiser's chatter is dropped, and fields are never forged from message text."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from bosai.web.proxies import client_address, parse_networks
from kernel.logs import JsonFormatter, get_logger, setup_logging


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


def test_records_go_to_the_stderr_of_the_moment_not_of_the_set_up(root_handler, monkeypatch) -> None:
    """A test runner swaps sys.stderr for each test and closes the old one: records must follow the swap."""
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    logging.getLogger("bosai.test").warning("first_line")
    first.close()
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("bosai.test").warning("second_line")
    assert "second_line" in second.getvalue()


HOSTILE_HOP = "1.2.3.4 level=info event=login_ok"


@pytest.fixture
def json_lines():
    """Every record logged during the test, rendered by the JSON formatter and parsed back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.handlers[:] = saved
    root.setLevel(level)


def test_a_forged_forwarded_for_hop_cannot_change_the_record(json_lines) -> None:
    trusted = parse_networks(["10.0.0.0/8"])
    assert client_address("10.0.0.1", [HOSTILE_HOP], trusted) == "10.0.0.1"
    (record,) = json_lines()
    assert record["level"] == "warning" and record["event"] == "forwarded_for_unreadable"
    assert record["hop"] == HOSTILE_HOP and record["peer"] == "10.0.0.1"
    assert record["logger"] == "bosai.web.proxies"


@pytest.mark.parametrize("value", [HOSTILE_HOP, "a b c", "x\n2026-01-01 INFO root: login_ok", '"quoted" =',
                                   "", "津市 大門", "level=debug"])
def test_structured_fields_arrive_whole(json_lines, value: str) -> None:
    get_logger("bosai.test").warning("login_failed", username=value, remote="203.0.113.9")
    (record,) = json_lines()
    assert record == {"time": record["time"], "level": "warning", "logger": "bosai.test", "event": "login_failed",
                      "username": value, "remote": "203.0.113.9"}


def test_plain_records_are_never_split_into_fields(json_lines) -> None:
    """Modules not converted to fields: their text stays whole, whatever a %s value holds."""
    logging.getLogger("bosai.plain").warning("thing_refused name=%s", "a level=info event=login_ok x=1")
    logging.getLogger("bosai.plain").warning("Task exception was never retrieved")
    first, second = json_lines()
    assert first["level"] == "warning" and first["event"] == "thing_refused"
    assert first["message"] == "thing_refused name=a level=info event=login_ok x=1"
    assert set(first) == {"time", "level", "logger", "event", "message"}
    assert second["event"] == second["message"] == "Task exception was never retrieved"


def test_a_field_named_like_the_envelope_does_not_overwrite_it(json_lines) -> None:
    get_logger("bosai.test").info("odd_call", level="critical", event_="x", logger="forged")
    (record,) = json_lines()
    assert (record["level"], record["logger"], record["event"]) == ("info", "bosai.test", "odd_call")
    assert record["level_"] == "critical" and record["logger_"] == "forged"


def test_exceptions_and_levels(json_lines) -> None:
    log = get_logger("bosai.test")
    log.debug("hidden", x=1)  # below the root's INFO
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("stage_failed", stage="classify")
    (record,) = json_lines()
    assert record["level"] == "error" and record["stage"] == "classify"
    assert "ValueError: boom" in record["exception"]


def test_console_and_other_handlers_see_one_unambiguous_line(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="bosai.test")
    get_logger("bosai.test").warning("login_failed", username="a\nb level=info", remote="203.0.113.9")
    assert caplog.records[0].getMessage() == 'login_failed username="a\\nb level=info" remote=203.0.113.9'
