"""Structured JSON logs with an allow-list of fields, so no content can slip into a log line.

Only the names in SAFE_FIELDS are ever written from a record's `extra`: ids,
routes, status codes, timings and service names. Submitted text, contacts,
receipts, headers and client addresses have no field to travel in.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

SAFE_FIELDS = (
    "request_id", "route", "method", "status", "latency_ms", "report_id",
    "service", "event", "deadline", "count",
)  # fmt: skip
# Other loggers whose lines can quote a request: python-multipart names a bad part header,
# Chalice logs a failing path with its traceback. Their level and error type are kept,
# their text never.
QUOTING_LOGGERS = ("python_multipart", "vdp")
WITHHELD = "(text withheld: it may quote the request)"
_configured = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: getattr(record, k) for k in SAFE_FIELDS if hasattr(record, k)})
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception messages can quote input.
            line["error"] = record.exc_info[0].__name__
        return json.dumps(line, separators=(",", ":"), default=str)


class WithheldFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(logging.makeLogRecord({**vars(record), "msg": WITHHELD, "args": ()}))


def configure(stream: Any = None) -> None:
    """JSON lines on stderr (CloudWatch in Lambda) for vdp's loggers, once per process."""
    global _configured
    if _configured:
        return
    _own(logging.getLogger("chalicelib"), JsonFormatter(), stream).setLevel(logging.INFO)
    for name in QUOTING_LOGGERS:
        _own(logging.getLogger(name), WithheldFormatter(), stream)
    _configured = True


def _own(logger: logging.Logger, formatter: logging.Formatter, stream: Any) -> logging.Logger:
    """The logger writes through our handler alone (not the root's, which prints text as is)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    logger.handlers = [handler]
    logger.propagate = False
    return logger


def request_logged(
    request: Any, status: int, started: float, report_id: str | None, lambda_request_id: str | None
) -> None:
    """One line per request: route template (never the raw path), status, latency."""
    context = getattr(request, "context", None) or {}
    logging.getLogger("chalicelib.requests").info(
        "request",
        extra={
            "request_id": context.get("requestId") or lambda_request_id,
            "route": context.get("resourcePath"),
            "method": getattr(request, "method", None),
            "status": status,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "report_id": report_id,
        },
    )
