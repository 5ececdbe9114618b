"""yrd.parallel: per-file jobs on processes, model fits on threads, warnings per thread; and the
callers' results do not depend on the number of workers (ingest, registration ingest, gravity)."""

from __future__ import annotations

import pickle
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.gravity_world import small_world
from helpers.resources import dialects as repository_dialects
from helpers.resources import ingest_references
from yrd.flows.gravity import estimate_gravity
from yrd.ingest import RawFileError, RawFilesError, ingest_files
from yrd.parallel import available_workers, collect_warnings, map_jobs, run_threads, write_in_background

CORPUS = Path(__file__).resolve().parent / "data" / "malformed"


def _square_or_fail(x: int) -> int:
    if x < 0:
        raise RawFileError(f"f{x}.csv", "negative")
    if x == 99:
        raise ZeroDivisionError("not a file problem")
    return x * x


def test_map_jobs_keeps_the_order_and_returns_the_caught_errors():
    jobs = [(3,), (-1,), (2,), (-5,), (4,)]
    serial = map_jobs(_square_or_fail, jobs, workers=1, catch=(RawFileError,))
    forked = map_jobs(_square_or_fail, jobs, workers=2, catch=(RawFileError,))
    for out in (serial, forked):
        assert [o for o in out if not isinstance(o, Exception)] == [9, 4, 16]
        errs = [o for o in out if isinstance(o, RawFileError)]
        assert [(e.file, e.problem) for e in errs] == [("f-1.csv", "negative"), ("f-5.csv", "negative")]
        assert isinstance(out[1], RawFileError) and out[2] == 4
    # any other exception stops the run, in a worker as in this process
    for workers in (1, 2):
        with pytest.raises(ZeroDivisionError, match="not a file problem"):
            map_jobs(_square_or_fail, [(1,), (99,)], workers=workers, catch=(RawFileError,))


def test_raw_file_error_survives_pickling():
    e = pickle.loads(pickle.dumps(RawFileError("raw/asif_1998.csv", "empty file")))
    assert (e.file, e.problem, str(e)) == (
        "raw/asif_1998.csv",
        "empty file",
        "raw file 'raw/asif_1998.csv': empty file",
    )


def test_available_workers_is_bounded_by_the_cpus():
    assert available_workers(None) == 1 and available_workers(1) == 1
    assert 1 <= available_workers(64) <= (len(__import__("os").sched_getaffinity(0)))


def test_run_threads_order_and_first_exception():
    assert run_threads([lambda: 1, lambda: 2, lambda: 3], workers=2) == [1, 2, 3]

    def boom():
        raise KeyError("x")

    with pytest.raises(KeyError):
        run_threads([lambda: 1, boom], workers=2)


def test_write_in_background_keeps_the_order_and_overlaps_one_item():
    def items(made, written):
        for i in range(6):
            made.append(i)
            # the producer is never more than one item ahead of the writes
            assert len(made) - len(written) <= 2
            yield i

    for workers in (1, 2):
        written, made = [], []
        write_in_background(items(made, written), written.append, workers=workers)
        assert written == list(range(6))

    def write_fails(i):
        if i == 2:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_in_background(iter(range(5)), write_fails, workers=2)

    def items_fail():
        yield 0
        raise ValueError("bad piece")

    written = []
    with pytest.raises(ValueError, match="bad piece"):
        write_in_background(items_fail(), written.append, workers=2)
    assert written == [0]  # the write under way finished first

    def both_fail():  # the pending write of item 0 fails, then the producer
        yield 0
        raise ValueError("bad piece")

    def write_zero_fails(i):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full") as caught:
        write_in_background(both_fail(), write_zero_fails, workers=2)
    assert isinstance(caught.value.__context__, ValueError)  # the producer's, as the docstring says


def test_collect_warnings_gives_each_thread_its_own_and_restores_the_filters():
    before = (list(warnings.filters), warnings.showwarning)
    barrier = threading.Barrier(2)
    got: dict[str, list[str]] = {}

    def work(name: str) -> None:
        with collect_warnings() as caught:
            barrier.wait()  # both threads inside at once
            for i in range(3):
                warnings.warn(f"{name} {i}", UserWarning, stacklevel=1)  # same line: "always" keeps each
                barrier.wait()
        got[name] = [str(w.message) for w in caught]

    run_threads([lambda: work("a"), lambda: work("b")], workers=2)
    assert got == {"a": ["a 0", "a 1", "a 2"], "b": ["b 0", "b 1", "b 2"]}
    assert (list(warnings.filters), warnings.showwarning) == before
    # nested in one thread: the inner block collects, the outer one gets what is raised after it
    with collect_warnings() as outer:
        with collect_warnings() as inner:
            warnings.warn("in", UserWarning, stacklevel=1)
        warnings.warn("out", UserWarning, stacklevel=1)
    assert [str(w.message) for w in inner] == ["in"] and [str(w.message) for w in outer] == ["out"]


# ------------------------------------------------------------------ callers: same tables
def test_ingest_files_does_not_depend_on_the_workers():
    dialects = repository_dialects()
    files = {
        1998: [str(CORPUS / "duplicates.csv"), str(CORPUS / "bad_numbers.csv")],
        "2004": str(CORPUS / "ok_excel_wan_zh.xlsx"),
        1999: str(CORPUS / "ok_stata_en.dta"),
    }
    units = {1998: "qian", 1999: "qian", 2004: "wan"}
    one = ingest_files(files, units, dialects, **ingest_references(), workers=1)
    two = ingest_files(files, units, dialects, **ingest_references(), workers=2)
    for a, b in zip(one, two):
        pd.testing.assert_frame_equal(
            a.drop(columns="seconds", errors="ignore"), b.drop(columns="seconds", errors="ignore")
        )
    bad = {
        1998: str(CORPUS / "empty.csv"),
        1999: str(CORPUS / "ok_stata_en.dta"),
        2000: str(CORPUS / "corrupt.parquet"),
    }
    with pytest.raises(RawFilesError) as ei:
        ingest_files(bad, "qian", dialects, **ingest_references(), workers=2)
    assert [e.file for e in ei.value.errors] == [bad[1998], bad[2000]]


def test_gravity_models_do_not_depend_on_the_threads():
    f = small_world(seed=2, n=9, years=3, classes=("labour", "port", "urban"), zero_dest="340200")
    t1, fits1 = estimate_gravity(f, classes=["labour", "port", "urban"], workers=1)
    t2, fits2 = estimate_gravity(f, classes=["labour", "port", "urban"], workers=2)
    pd.testing.assert_frame_equal(t1, t2)
    assert list(fits1) == list(fits2) == ["pooled", "labour", "port", "urban"]
    for k in fits1:
        np.testing.assert_array_equal(fits1[k].cells["fitted"], fits2[k].cells["fitted"])
