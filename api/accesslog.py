"""Query strings stay out of the access log: a key passed as ``?api_key=...`` must not land in a log file.

uvicorn logs each request as ``'%s - "%s %s HTTP/%s" %d'`` on the ``uvicorn.access`` logger, the third argument
being the path with its query string. :class:`RedactQuery`, attached to that logger, keeps the path and replaces
the query with ``[redacted]``; any other record passes unchanged.

>>> record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
...                            ("127.0.0.1:5000", "GET", "/api/articles?api_key=s3cret&size=2", "1.1", 200), None)
>>> RedactQuery().filter(record), record.getMessage()
(True, '127.0.0.1:5000 - "GET /api/articles?[redacted] HTTP/1.1" 200')
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"


class RedactQuery(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            path = args[2].split("?", 1)[0]
            record.args = (*args[:2], f"{path}?{REDACTED}", *args[3:])
        return True


_FILTER = RedactQuery()


def redact_access_log() -> None:
    """Attach the filter to uvicorn's access logger (once, however many apps a process builds)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
