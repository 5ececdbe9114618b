"""Running the workflow in tests: a throw-away copy of it and Snakemake of this environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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


def snakemake(
    workdir: Path, *args: str, timeout: int = 1800, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run Snakemake of this environment in ``workdir`` (with the environment ``env`` when given,
    else this process's)."""
    cmd = [sys.executable, "-m", "snakemake", *args]
    return subprocess.run(
        cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=None if env is None else dict(env)
    )
