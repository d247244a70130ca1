"""JSON logging with the request id of the request being served.

`configure_logging` installs one JSON formatter on the root logger; `request_id_var` carries the
current request's id into every record logged while serving it. Even at DEBUG, libraries that would
log payloads (query parameters, request bodies) are held at INFO, so no token, receipt or email
address reaches the log (tests/e2e/test_log_secrets.py).
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# Libraries whose DEBUG output carries request or query data (the Neo4j driver logs every query's
# parameters — receipts, emails — and the HTTP clients log what they send): never below INFO.
PAYLOAD_LOGGERS = ("neo4j", "httpx", "httpcore", "hpack", "multipart", "python_multipart")


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(root.level, logging.INFO))
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs each request
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
