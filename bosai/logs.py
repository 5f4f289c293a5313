"""Logging set-up: stdlib logging with event-style messages, as console lines or JSON objects."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and the message's key=value fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as JSON."""
        message = record.getMessage()
        event, _, rest = message.partition(" ")
        fields = dict(p.split("=", 1) for p in rest.split() if "=" in p)
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": event,
            **fields,
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def _not_quantizer_chatter(record: logging.LogRecord) -> bool:
    """ONNX Runtime's quantiser logs one INFO line per tensor to the root logger at every start-up."""
    return record.levelno > logging.INFO or "onnxruntime/quantization" not in record.pathname.replace("\\", "/")


def setup_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Configure the root logger once for the process."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    handler.addFilter(_not_quantizer_chatter)
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("apscheduler", "aiohttp.access", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
