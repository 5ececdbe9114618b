"""Provenance of a run: which inputs, code and configuration produced the results.

:func:`provenance` returns a JSON-ready dict with the SHA-256 of every raw input file and of
every shipped reference file, the resolved configuration, the git commit of the code (and
whether the work tree had uncommitted changes), and the versions of Python and of every
installed distribution. Nothing time-dependent is recorded, so two runs of the same inputs,
code and configuration write the same file.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from yrd.io import sha256


def git_state(repo: str | Path) -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the checkout at ``repo``."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout
        return {"commit": commit, "dirty": bool(status.strip())}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None, "note": "not a git checkout"}


def package_versions() -> dict[str, str]:
    """Version of every installed distribution, sorted by normalised name."""
    out = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            out[name.lower().replace("_", "-")] = dist.version
    return dict(sorted(out.items()))


def checksums(paths: Iterable[str | Path]) -> dict[str, str]:
    """``{path as given: sha256}`` for every file, sorted by path."""
    return {str(p): sha256(p) for p in sorted(map(str, paths))}


def provenance(
    raw_files: Iterable[str | Path],
    reference_files: Iterable[str | Path],
    config: Mapping[str, Any],
    repo: str | Path,
) -> dict[str, Any]:
    return {
        "raw_inputs": checksums(raw_files),
        "reference_inputs": checksums(reference_files),
        "config": config,
        "code": {"package": "yrd", "version": metadata.version("yrd"), **git_state(repo)},
        "python": {"version": sys.version.split()[0], "implementation": platform.python_implementation()},
        "packages": package_versions(),
    }
