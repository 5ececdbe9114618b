"""Logging for workflow scripts: send records and uncaught exceptions to the rule's log."""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

from yrd.errors import UserError

#: Format of every rule's log lines; yrd.benchmark.FIT_LINE reads lines in it.
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def configure_logging(smk: Any, level: int = logging.INFO) -> logging.Logger:
    """Route logging of a Snakemake script to ``smk.log[0]`` (and stderr), and log uncaught
    exceptions there too, as PyPSA-Eur's ``configure_logging`` does.

    ``smk`` is the ``snakemake`` object of a script (duck-typed: only ``.log`` and ``.rule``
    are used), so this module does not import Snakemake.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    logfile = list(getattr(smk, "log", []) or [])
    if logfile:
        handlers.append(logging.FileHandler(logfile[0], mode="w", encoding="utf-8"))
    logging.basicConfig(level=level, format=LOG_FORMAT, handlers=handlers, force=True)
    logger = logging.getLogger(getattr(smk, "rule", "yrd"))
    file_handlers = [h for h in handlers if isinstance(h, logging.FileHandler)]
    where = f" (traceback in {logfile[0]})" if logfile else ""

    def _hook(exc_type, exc, tb):
        # The traceback goes to the log file; the terminal gets one line for a user error
        # (a config or input problem: yrd.errors.UserError) and the traceback only for a bug.
        record = logger.makeRecord(logger.name, logging.ERROR, "", 0, "uncaught exception", (), (exc_type, exc, tb))
        for h in file_handlers:
            h.handle(record)
        if issubclass(exc_type, UserError):
            print(f"Error in rule {getattr(smk, 'rule', '?')}: {exc}{where}", file=sys.stderr, flush=True)
        else:
            print(f"Error in rule {getattr(smk, 'rule', '?')} (a bug, please report it){where}:", file=sys.stderr)
            traceback.print_exception(exc_type, exc, tb, file=sys.stderr)

    sys.excepthook = _hook
    return logger
