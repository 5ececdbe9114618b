"""Run independent jobs at once: per-file jobs on several processes (the ingest rules' files),
model fits on several threads (the gravity models), and record warnings per thread.

Python's own :mod:`concurrent.futures`; nothing hand-written beyond ordering the results,
carrying the expected per-file errors back to the caller and :func:`collect_warnings`, which
:mod:`warnings` lacks before Python 3.14 (its ``catch_warnings`` changes process-wide state, so
two threads using it at once lose or leak each other's warnings).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


def available_workers(threads: int | None) -> int:
    """Worker processes for a rule given ``threads`` (its Snakemake ``threads``; ``None``: one).
    Never more than the CPUs this process may run on."""
    n = int(threads or 1)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(n, cpus))


def map_jobs(
    fn: Callable[..., T],
    jobs: Sequence[tuple[Any, ...]],
    *,
    workers: int = 1,
    catch: tuple[type[BaseException], ...] = (),
) -> list[T | BaseException]:
    """``[fn(*job) for job in jobs]``, in the order of ``jobs``, on up to ``workers`` processes.

    Exceptions of the types in ``catch`` (a file that cannot be read) are returned in place of
    that job's result, so that the caller can report every bad file at once; any other exception
    stops the run. With ``workers <= 1`` or a single job everything runs in this process, exactly
    as a loop would.

    The processes are forked (Linux: the default start method), so ``fn`` and the reference
    tables in ``jobs`` are not re-imported or re-read, and log records go to the handlers this
    process configured (the rule's log file, opened for appending). Where ``fork`` is not
    available (macOS, Windows) the jobs run in this process.
    """
    if workers <= 1 or len(jobs) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_call(fn, job, catch) for job in jobs]
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        futures = [pool.submit(_call, fn, job, catch) for job in jobs]
        return [f.result() for f in futures]


def _call(fn: Callable[..., T], job: tuple[Any, ...], catch: tuple[type[BaseException], ...]) -> T | BaseException:
    try:
        return fn(*job)
    except catch as e:
        return e


def run_threads(calls: Sequence[Callable[[], T]], *, workers: int = 1) -> list[T]:
    """``[call() for call in calls]`` in order, on up to ``workers`` threads (``workers <= 1``:
    in this thread, as a loop). For work that releases the GIL (pyfixest's compiled demeaning,
    NumPy), in the same memory: nothing is copied. The first exception is raised once every
    call has finished. Code in ``calls`` that records warnings must use :func:`collect_warnings`."""
    if workers <= 1 or len(calls) <= 1:
        return [c() for c in calls]
    with ThreadPoolExecutor(max_workers=min(workers, len(calls))) as pool:
        futures = [pool.submit(c) for c in calls]
        return [f.result() for f in futures]


def write_in_background(items: Iterator[T], write: Callable[[T], Any], *, workers: int = 1) -> None:
    """``for item in items: write(item)``, in order, but with ``workers >= 2`` each ``write``
    runs on a second thread while this one produces the next item (at most one item waits):
    for writers that release the GIL, e.g. pyarrow's ``ParquetWriter.write_table`` while
    ``items`` builds the next piece of a table. The calls and their order are those of the loop,
    so the file written is the same. A failed ``write`` is raised when the next item is handed
    over (or at the end); a failure in ``items`` is raised after the write under way has
    finished. When both fail, the write's exception is raised with the producer's as its
    ``__context__``."""
    if workers <= 1:
        for item in items:
            write(item)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        try:
            for item in items:
                if pending is not None:
                    pending.result()
                pending = pool.submit(write, item)
                del item
        finally:
            if pending is not None:
                pending.result()


_local = threading.local()
_lock = threading.Lock()
_active = 0
_saved: tuple[list[Any], Any] | None = None


@contextmanager
def collect_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """The warnings this thread raises inside the block, each one (the ``"always"`` action),
    as ``warnings.catch_warnings(record=True)`` with ``simplefilter("always")`` gives them, but
    safe when several threads are inside at once: while any thread is inside, the process's
    filters start with ``"always"`` and each warning goes to the list of the thread that raised
    it (a thread outside every block: to the usual ``showwarning``). The filters and
    ``showwarning`` in force before the first thread entered are restored when the last leaves."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = (list(warnings.filters), warnings.showwarning)
            warnings.simplefilter("always")
            warnings.showwarning = _to_thread_list
        _active += 1
    records: list[warnings.WarningMessage] = []
    outer = getattr(_local, "records", None)
    _local.records = records
    try:
        yield records
    finally:
        _local.records = outer
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                warnings.filters[:] = _saved[0]
                warnings.showwarning = _saved[1]
                warnings._filters_mutated()  # type: ignore[attr-defined]  # as catch_warnings does
                _saved = None


def _to_thread_list(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    records = getattr(_local, "records", None)
    if records is None:
        assert _saved is not None
        _saved[1](message, category, filename, lineno, file, line)
        return
    records.append(warnings.WarningMessage(message, category, filename, lineno, file, line))
