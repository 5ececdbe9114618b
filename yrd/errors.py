"""Errors caused by the user's input or configuration, and how they reach the terminal.

A user error (a config key that is wrong, a raw file that cannot be read) is shown as one
message that names the key or file and the fix; the Python traceback is for developers and
goes to the rule's log file only (:func:`yrd.logs.configure_logging`). Everything else is a
bug: its traceback is logged too, and the terminal line says so.
"""

from __future__ import annotations

import sys
from typing import NoReturn


class UserError(Exception):
    """Base class of errors that a user fixes in the config or the input files (not bugs)."""


def user_error(err: BaseException, stream=None) -> NoReturn:
    """Print ``err`` as one clean message (no traceback) and exit with status 1.

    Used where no log file exists yet (the Snakefile's config checks)."""
    print(f"Error: {err}", file=stream or sys.stderr, flush=True)
    raise SystemExit(1)
