"""Shared fixtures: the repository root and the tiny world run once per session.

Helpers live in the package ``tests/helpers`` (``from helpers.workflow import copy_workflow``),
never imported from this file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers.workflow import ROOT, copy_workflow, snakemake


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The tiny world run end to end once per test session (Snakemake + report)."""
    work = copy_workflow(tmp_path_factory.mktemp("tiny"))
    res = snakemake(work, "--cores", "2", "--configfile", "config/tiny.yaml")
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    rep = snakemake(work, "--cores", "1", "--configfile", "config/tiny.yaml", "--report", "results/tiny/report.html")
    assert rep.returncode == 0, rep.stdout[-4000:] + rep.stderr[-4000:]
    # as `make report`: the report carries the subset of the CJK font its Chinese needs (yrd.webfont)
    font = subprocess.run(
        [sys.executable, "-m", "yrd.webfont", str(work / "results" / "tiny" / "report.html")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert font.returncode == 0, font.stdout[-2000:] + font.stderr[-2000:]
    return work
