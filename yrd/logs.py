"""Logging for workflow scripts: send records and uncaught exceptions to the rule's log."""

from __future__ import annotations

import logging
import sys
from typing import Any


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
    logging.basicConfig(
        level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s", handlers=handlers, force=True
    )
    logger = logging.getLogger(getattr(smk, "rule", "yrd"))

    def _hook(exc_type, exc, tb):
        logger.error("uncaught exception", exc_info=(exc_type, exc, tb))

    sys.excepthook = _hook
    return logger
