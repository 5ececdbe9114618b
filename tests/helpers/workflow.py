"""Running the workflow in tests: a throw-away copy of it and Snakemake of this environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from yrd.io import sha256

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


#: What two runs of a study must have byte for byte the same: its tables and the generated world.
TABLES = ["results/**/*.parquet", "results/**/*.csv", "results/**/*.json", "resources/raw/**/*"]
VOLATILE = {"results/tiny/provenance.json"}  # records the work dir's git state


def table_checksums(work: Path) -> dict[str, str]:
    """SHA-256 of every table of a run (work dir relative path -> digest), benchmarks and the
    provenance aside."""
    files = {p for pat in TABLES for p in work.glob(pat) if p.is_file()}
    rels = {str(p.relative_to(work)): p for p in files}
    return {r: sha256(p) for r, p in sorted(rels.items()) if r not in VOLATILE and "/benchmarks/" not in r}


def assert_same_results(a_dir: Path, b_dir: Path) -> None:
    """Every table of the two runs byte-identical (PPML estimates included: the Snakefile fixes
    PYTHONHASHSEED for all jobs, which fixes the order pyfixest projects out fixed effects)."""
    a, b = table_checksums(a_dir), table_checksums(b_dir)
    assert len(a) > 40 and a.keys() == b.keys(), sorted(a.keys() ^ b.keys())
    assert [k for k in a if a[k] != b[k]] == []
