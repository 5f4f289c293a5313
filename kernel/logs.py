"""Logging set-up: stdlib logging as console lines or JSON objects, with structured fields kept as fields.

Values that come from clients (an ``X-Forwarded-For`` hop, a username, a webhook's error) must never be
able to add or change fields of a log record. So fields are never read back out of message text: code
that logs client-controlled values uses :func:`get_logger` (structlog, bound to the stdlib logger of the
same name) and passes them as keyword fields, which reach the JSON output as they are, whatever spaces,
``=`` or newlines they hold. A plain stdlib record keeps its rendered text whole in ``message``; its
``event`` is the first word of the format string (written by us, never by a client) when that is a
snake_case name, as in ``log.info("pipeline_resume items=%d", n)``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, Final

import structlog
from structlog.typing import EventDict, WrappedLogger

_EVENT_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_PLAIN_VALUE: Final = re.compile(r"[\w.:/@+\-\[\]]+")
RESERVED: Final = frozenset({"time", "level", "logger", "event", "message", "exception", "stack"})


class Fields(dict[str, Any]):
    """The event and fields of one structured call, carried as the stdlib record's ``msg``.

    ``str()`` renders ``event key=value ...`` with every value that is not a plain token quoted as JSON, so
    handlers that know nothing of fields (pytest's caplog, the console) still show one unambiguous line.
    """

    def __str__(self) -> str:
        items = [str(self.get("event", ""))]
        items += [f"{k}={_console_value(v)}" for k, v in self.items() if k != "event"]
        return " ".join(items)


def _console_value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if _PLAIN_VALUE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)  # quotes, and escapes newlines: one record stays one line


def _to_stdlib(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Last structlog processor: hand the fields to the stdlib logger as one :class:`Fields` message."""
    exc_info = event_dict.pop("exc_info", None)
    stack_info = bool(event_dict.pop("stack_info", False))
    if exc_info is True:
        exc_info = sys.exc_info()
    args = event_dict.pop("positional_args", None)
    if args:  # never %-formatted into the event: kept as a field
        event_dict["args"] = list(args)
    return (Fields(event_dict),), {"exc_info": exc_info or None, "stack_info": stack_info}


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A logger whose keyword arguments are fields: ``log.warning("login_failed", username=name)``.

    Records go through the stdlib logger ``name`` (levels, handlers and filters as configured by
    :func:`setup_logging`), so no global structlog configuration is needed.
    """
    logger: structlog.stdlib.BoundLogger = structlog.wrap_logger(
        logging.getLogger(name), processors=[structlog.stdlib.filter_by_level, _to_stdlib],
        wrapper_class=structlog.stdlib.BoundLogger,
    )
    return logger


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event, the call's fields, and exception if any.

    Message text is never split into fields: a structured call's fields come from its keyword arguments
    (:class:`Fields`), and a plain record's text stays whole in ``message``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as JSON."""
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        if isinstance(record.msg, Fields):
            fields = dict(record.msg)
            out["event"] = str(fields.pop("event", ""))
            for key, value in fields.items():
                out[f"{key}_" if key in RESERVED else key] = value  # a field never overwrites the envelope
        else:
            message = record.getMessage()
            head = record.msg.split(" ", 1)[0] if isinstance(record.msg, str) else ""
            out["event"] = head if _EVENT_NAME.fullmatch(head) else message
            out["message"] = message
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def _not_quantizer_chatter(record: logging.LogRecord) -> bool:
    """ONNX Runtime's quantiser logs one INFO line per tensor to the root logger at every start-up."""
    return record.levelno > logging.INFO or "onnxruntime/quantization" not in record.pathname.replace("\\", "/")


class _StderrNow(logging.StreamHandler):
    """A stream handler on whatever ``sys.stderr`` is when a record is written, not when logging was set up:
    a test runner capturing output (or a daemoniser) may swap the stream and close the old one in between, and
    a record written to a closed stream is lost with a "Logging error" traceback."""

    @property
    def stream(self) -> Any:  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def setup_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Configure the root logger once for the process."""
    handler = _StderrNow()
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
