"""Shared fixtures: the repository root and a throw-away copy of the workflow."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_PARTS = ["Snakefile", "config", "workflow", "resources", "profiles", "environment.yml"]


def copy_workflow(dest: Path) -> Path:
    """Copy what a run needs (not results/) into ``dest`` so tests never touch the user's results."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("generated", "raw", "__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def snakemake(workdir: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run Snakemake of this environment in ``workdir``."""
    cmd = [sys.executable, "-m", "snakemake", *args]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The tiny world run end to end once per test session (Snakemake + report)."""
    work = copy_workflow(tmp_path_factory.mktemp("tiny"))
    res = snakemake(work, "--cores", "2", "--configfile", "config/tiny.yaml")
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    rep = snakemake(work, "--cores", "1", "--configfile", "config/tiny.yaml", "--report", "results/report.html")
    assert rep.returncode == 0, rep.stdout[-4000:] + rep.stderr[-4000:]
    return work
