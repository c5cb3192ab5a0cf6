"""Structured logging with structlog: JSON lines when not in a terminal, a request id on every line."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from core.settings import Settings


class _CurrentStderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is now (test runners swap it), never to a closed stream."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _unchanged(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    """The console renderer formats exceptions itself: leave them in the event."""
    return event


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter without its per-line copy of the record for our own lines: a line logged through
    structlog (no exception or stack on the record itself: structlog keeps those in the event) is rendered from a
    copy of its event, the record left untouched for other handlers (pytest's ``caplog``); any other line (a
    library's, through the stdlib) goes through structlog's own path. Every access-log line takes this path."""

    def format(self, record: logging.LogRecord) -> str:
        logger = getattr(record, "_logger", None)
        name = getattr(record, "_name", None)
        event = record.msg
        if logger is None or name is None or record.exc_info or record.stack_info or not isinstance(event, dict):
            return super().format(record)
        rendered: Any = {**event, "_record": record, "_from_structlog": True}
        for processor in self.processors:
            rendered = processor(logger, name, rendered)
        if not isinstance(rendered, str):  # as structlog: the last processor renders a string
            return super().format(record)
        return rendered


def configure_logging(settings: Settings) -> None:
    """Route stdlib and structlog logging through one renderer; idempotent."""
    use_json = settings.log_format == "json" or (settings.log_format == "auto" and not sys.stderr.isatty())
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = _Formatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if use_json else _unchanged,
            renderer,
        ],
    )
    # Every line is rendered from its event (above), never from where it was logged nor from its thread or process:
    # the records need not collect them (the logging HOWTO's "Optimization"), which spares each line, one per request
    # at least, a walk up the stack.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = _CurrentStderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Uvicorn's own access log duplicates ours; its error log goes through the root handler.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("neo4j").setLevel(logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
