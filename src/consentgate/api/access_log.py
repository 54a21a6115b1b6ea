"""The access log without tracking codes.

Why: a notice's tracking code is its notifier's only credential (no account is
needed to report), and it travels in the path (``/v1/notices/{code}``, its
``/appeal``, and the console's ``/console/status/{code}``). An access log, kept
longer and read by more people than the store, would hand every status page and
appeal to whoever reads it. The code is replaced by ``[redacted]`` before a line
is written; the route stays visible, which is what an operator needs.

The gateway's log also drops every query string (``?[redacted]``): its clients
send an image API's credentials, and some APIs take a key in the query
(``?key=…``); the gateway forwards no query, so the log loses nothing useful.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"
_TRACKING_PATH = re.compile(r"(/notices/|/console/status/)[^/?#\s]+", re.IGNORECASE)
_PATH_ARG = 2  # uvicorn's access line: client, method, path (with query), version, status


def redact_path(path: str) -> str:
    """``path`` with any tracking code replaced: ``/v1/notices/[redacted]/appeal``."""
    return _TRACKING_PATH.sub(lambda m: m.group(1) + REDACTED, path)


def redact_query(path: str) -> str:
    """``path`` with its query string replaced: ``/v1/images/edits?[redacted]``."""
    route, sep, _ = path.partition("?")
    return f"{route}?{REDACTED}" if sep else route


class RedactTrackingCodes(logging.Filter):
    """Rewrites the path of each ``uvicorn.access`` record before it is formatted."""

    redact = staticmethod(redact_path)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG:
            path = args[_PATH_ARG]
            if isinstance(path, str):
                record.args = (*args[:_PATH_ARG], self.redact(path), *args[_PATH_ARG + 1 :])
        return True


class RedactQueries(RedactTrackingCodes):
    """Also drops the query string (the gateway's access log)."""

    redact = staticmethod(lambda path: redact_query(redact_path(path)))


def log_config(*, redact_queries: bool = False) -> dict[str, Any]:
    """uvicorn's own logging configuration, with the redacting filter on the access log.

    Given to ``uvicorn.run``, so that every worker process installs it too.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    chosen = RedactQueries if redact_queries else RedactTrackingCodes
    config.setdefault("filters", {})["redact_tracking_codes"] = {
        "()": f"{__name__}.{chosen.__name__}"
    }
    access = config["loggers"]["uvicorn.access"]
    access["filters"] = [*access.get("filters", []), "redact_tracking_codes"]
    return config
