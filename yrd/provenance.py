"""Provenance of a run: which inputs, code and configuration produced the results.

:func:`provenance` returns a JSON-ready dict with the SHA-256 of every raw input file, of
every shipped reference file and of the source of every metric plugin module in the working
directory (``metrics.plugins``), the resolved configuration, the version of ``yrd``
(``yrd_version``, from :data:`yrd.__version__`), the git commit of the code (and whether the
work tree had uncommitted changes), and the versions of Python and of every installed
distribution. Nothing time-dependent is recorded, so two runs of the same inputs,
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

import yrd
from yrd.io import sha256


def git_state(repo: str | Path) -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the checkout at ``repo``."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
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
    plugin_files: Iterable[str | Path] = (),
) -> dict[str, Any]:
    """The provenance record of a run (written to ``results/<study>/provenance.json``).

    Parameters
    ----------
    raw_files : iterable of path
        The raw firm-year files read by the run.
    reference_files : iterable of path
        The shipped reference files the run read (``resources/``).
    config : mapping
        The resolved configuration of the run.
    repo : path
        The checkout of the code, for its git commit.
    plugin_files : iterable of path
        The source files of the metric plugin modules (``metrics.plugins``) the run imported
        from its working directory (:func:`yrd.metrics.registry.plugin_files`).

    Returns
    -------
    dict
        ``raw_inputs``, ``reference_inputs`` and ``plugin_inputs`` (``{path: sha256}``), ``config``,
        ``yrd_version`` (:data:`yrd.__version__`), ``code`` (package, version, git commit and
        dirty flag), ``python`` and ``packages`` (every installed distribution's version).
    """
    return {
        "raw_inputs": checksums(raw_files),
        "reference_inputs": checksums(reference_files),
        "plugin_inputs": checksums(plugin_files),
        "config": config,
        "yrd_version": yrd.__version__,
        "code": {"package": "yrd", "version": yrd.__version__, **git_state(repo)},
        "python": {"version": sys.version.split()[0], "implementation": platform.python_implementation()},
        "packages": package_versions(),
    }
