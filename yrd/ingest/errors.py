"""Errors of the ingestion stage."""

from __future__ import annotations

import os

from yrd.errors import UserError


class RawFileError(UserError, ValueError):
    """A raw file that cannot be ingested at all (a file-level problem).

    The message is one sentence that names the file and says what is wrong, e.g.
    ``raw file 'raw/asif_1998.csv': required column missing: county_code; headers found: ...``.
    ``file`` and ``problem`` are kept as attributes.
    """

    def __init__(self, file: str | os.PathLike, problem: str):
        self.file = os.fspath(file)
        self.problem = problem
        super().__init__(f"raw file '{self.file}': {problem}")

    def __reduce__(self):
        # rebuilt from its two fields when it comes back from a worker process
        return (type(self), (self.file, self.problem))


class RawFilesError(UserError, ValueError):
    """Several raw files could not be ingested (:func:`yrd.ingest.ingest_files` tries every file
    and reports all file-level problems at once). ``errors`` holds the :class:`RawFileError` s."""

    def __init__(self, errors: list[RawFileError]):
        self.errors = list(errors)
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(f"{len(self.errors)} raw files cannot be ingested:\n{lines}")


class ReconciliationError(RuntimeError):
    """The row accounting of a file does not balance (a bug, never a data problem):
    ``rows_read != rows_clean + rows_quarantined + exact_duplicates_removed``."""
