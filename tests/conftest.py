"""Shared fixtures: the repository root and the tiny world run once per session.

Helpers live in the package ``tests/helpers`` (``from helpers.workflow import copy_workflow``),
never imported from this file.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.workflow import ROOT, copy_workflow, snakemake


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spread the suite over pytest-xdist's workers (``make test``: ``-n auto --dist loadgroup``).

    A module's tests stay on one worker, as they share module fixtures (Snakemake runs), unless
    a test names its own ``xdist_group`` (each world of the truth harness is a run of its own).
    The tests in groups of their own go first, then the other modules that run Snakemake
    (marker ``workflow``), each keeping its order: the long runs start early and the many short
    unit tests fill the workers' gaps at the end.
    """
    own_group = set()
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
        else:
            own_group.add(item.nodeid)
    heavy = {item.module.__name__ for item in items if item.get_closest_marker("workflow")}
    items.sort(key=lambda item: (item.nodeid not in own_group, item.module.__name__ not in heavy))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The tiny world run end to end once per test session (Snakemake + report).

    With pytest-xdist (``make test`` runs the suite on every core) the workers share one run:
    the first to ask builds it in the session's common temporary folder while holding a lock, the
    others wait for it and read it; a failed build is reported to each of them, not retried.
    Tests read this run and never write into it (those that need to change it copy it first).
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    work, failed = shared / "tiny_shared", shared / "tiny_shared.failed"
    with open(shared / "tiny_shared.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail("the session's tiny run failed (in another worker):\n" + failed.read_text(encoding="utf-8"))
        if not (work / ".built").exists():
            problem = _build_tiny_run(work)
            if problem:
                failed.write_text(problem, encoding="utf-8")
                pytest.fail(problem)
            (work / ".built").touch()
    return work


def _build_tiny_run(work: Path) -> str:
    """Run the tiny world and its report in a fresh copy of the workflow; the failure's output, or ''."""
    copy_workflow(work)
    res = snakemake(work, "--cores", "2", "--configfile", "config/tiny.yaml")
    if res.returncode != 0:
        return "snakemake: " + res.stdout[-4000:] + res.stderr[-4000:]
    rep = snakemake(work, "--cores", "1", "--configfile", "config/tiny.yaml", "--report", "results/tiny/report.html")
    if rep.returncode != 0:
        return "snakemake --report: " + rep.stdout[-4000:] + rep.stderr[-4000:]
    # as `make report`: the report carries the subset of the CJK font its Chinese needs (yrd.webfont)
    font = subprocess.run(
        [sys.executable, "-m", "yrd.webfont", str(work / "results" / "tiny" / "report.html")],
        capture_output=True,
        text=True,
        check=False,
    )
    if font.returncode != 0:
        return "yrd.webfont: " + font.stdout[-2000:] + font.stderr[-2000:]
    return ""
