"""The access log without tracking codes.

Why: a notice's tracking code is its notifier's only credential (no account is
needed to report), and it travels in the path (``/v1/notices/{code}``, and its
``/appeal``). An access log, kept longer and read by more people than the
store, would hand every status page and appeal to whoever reads it. The code
is replaced by ``[redacted]`` before a line is written; the route stays
visible, which is what an operator needs.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"
_TRACKING_PATH = re.compile(r"(/notices/)[^/?#\s]+", re.IGNORECASE)
_PATH_ARG = 2  # uvicorn's access line: client, method, path (with query), version, status


def redact_path(path: str) -> str:
    """``path`` with any tracking code replaced: ``/v1/notices/[redacted]/appeal``."""
    return _TRACKING_PATH.sub(lambda m: m.group(1) + REDACTED, path)


class RedactTrackingCodes(logging.Filter):
    """Rewrites the path of each ``uvicorn.access`` record before it is formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG:
            path = args[_PATH_ARG]
            if isinstance(path, str):
                record.args = (*args[:_PATH_ARG], redact_path(path), *args[_PATH_ARG + 1 :])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the redacting filter on the access log.

    Given to ``uvicorn.run``, so that every worker process installs it too.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tracking_codes"] = {
        "()": f"{__name__}.{RedactTrackingCodes.__name__}"
    }
    access = config["loggers"]["uvicorn.access"]
    access["filters"] = [*access.get("filters", []), "redact_tracking_codes"]
    return config
