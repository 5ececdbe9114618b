"""Which files each Snakemake job opens: a Python audit hook in every job process.

:func:`audit_env` writes a ``sitecustomize.py`` into a folder and returns an environment with that
folder first on ``PYTHONPATH``. Python imports ``sitecustomize`` at start-up, so every process
started with the environment runs it; it installs an audit hook (:func:`sys.addaudithook`, event
``open``) only in the processes of Snakemake script jobs (``sys.argv[0]`` is the job's copy of its
script under ``.snakemake/scripts/``). At exit it writes ``<records>/<pid>.json`` with the rule,
the paths the job opened (absolute, with whether the open could write) and the job's
``snakemake.input``, ``.output`` and ``.log``; a worker process the job forks through
:mod:`multiprocessing` writes a record of its own (same rule) when it ends. :func:`read_records` reads them back and
:func:`undeclared_reads` lists what a job opened in the repository without declaring it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from helpers.workflow import ROOT

#: The environment variable naming the folder of the records.
RECORDS_VAR = "YRD_OPEN_AUDIT_DIR"

SITECUSTOMIZE = f'''"""Test helper (tests/helpers/open_audit.py): record the files a Snakemake script job opens."""
import sys

if ".snakemake/scripts/" in (sys.argv[0] if sys.argv else "").replace("\\\\", "/"):
    import atexit
    import json
    import os

    _opened = []
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def _hook(event, args):
        if event != "open" or not args:
            return
        path, mode, flags = (tuple(args) + (None, None))[:3]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return  # a file descriptor or a path-like object already reported as str
        if isinstance(mode, str):
            write = any(c in mode for c in "wax+")
        else:
            write = bool((flags or 0) & _WRITE)
        _opened.append((os.path.abspath(path), write))

    sys.addaudithook(_hook)

    def _dump():
        smk = getattr(sys.modules.get("__main__"), "snakemake", None)
        if smk is None:
            return
        doc = {{
            "rule": smk.rule,
            "cwd": os.getcwd(),
            "script": os.path.abspath(sys.argv[0]),
            "input": [os.path.abspath(str(f)) for f in smk.input],
            "output": [os.path.abspath(str(f)) for f in smk.output],
            "log": [os.path.abspath(str(f)) for f in smk.log],
            "opened": sorted(set(_opened)),
        }}
        out = os.path.join(os.environ["{RECORDS_VAR}"], f"{{os.getpid()}}.json")
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)

    atexit.register(_dump)

    # A job may fork worker processes (yrd.parallel.map_jobs: rule ingest reads its files in
    # them). A forked worker starts with its own empty list and writes its own record when it
    # ends: multiprocessing runs its finalizers before os._exit, atexit handlers are not run.
    class _Anchor:  # multiprocessing keeps a weak reference to it
        pass

    _anchor = _Anchor()

    def _in_child(_obj):
        global _opened
        _opened = []
        import multiprocessing.util as mpu

        mpu.Finalize(None, _dump, exitpriority=0)

    import multiprocessing.util as _mpu

    _mpu.register_after_fork(_anchor, _in_child)
'''


def audit_env(folder: Path, base: Mapping[str, str] | None = None) -> tuple[dict[str, str], Path]:
    """``(environment, records folder)``: ``base`` (default ``os.environ``) with a sitecustomize
    in ``folder/site`` first on ``PYTHONPATH``; the job records go to ``folder/records``."""
    site, records = folder / "site", folder / "records"
    site.mkdir(parents=True, exist_ok=True)
    records.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH", "")) if p)
    env[RECORDS_VAR] = str(records)
    return env, records


def read_records(records: Path) -> list[dict]:
    """The records of the job processes, sorted by rule."""
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(records.glob("*.json"))]
    return sorted(docs, key=lambda d: d["rule"])


def _real(p: str | Path) -> Path:
    return Path(os.path.realpath(p))


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def repository_reads(doc: Mapping, workdir: Path, root: Path = ROOT) -> set[Path]:
    """The repository files a job opened: under the work dir (the copy of the workflow) or the
    repository ``root`` (the editable ``yrd``), leaving aside directories, ``.snakemake/``, the
    environment in ``root/.venv``, ``.git``, the Python source of imported modules of ``yrd`` and
    the package's own metadata (``yrd.egg-info/``, read by importlib.metadata when the repository
    root is on ``sys.path``)."""
    workdir, root = _real(workdir), _real(root)
    skip = [workdir / ".snakemake", root / ".venv", root / ".git", workdir / ".git", root / "yrd.egg-info"]
    out = set()
    for path, _write in doc["opened"]:
        p = _real(path)
        if not (_under(p, workdir) or _under(p, root)) or any(_under(p, s) for s in skip) or p.is_dir():
            continue
        if _under(p, root / "yrd") and (p.suffix in (".py", ".pyc") or "__pycache__" in p.parts):
            continue
        out.add(p)
    return out


def undeclared_reads(docs: Iterable[Mapping], workdir: Path, root: Path = ROOT) -> dict[str, list[str]]:
    """``{rule: [path, ...]}``: repository files a job opened that are neither its inputs, outputs
    nor logs (paths relative to the work dir, or to ``root`` when outside it)."""
    workdir = _real(workdir)
    out: dict[str, set[str]] = {}
    for doc in docs:
        allowed = {_real(p) for key in ("input", "output", "log") for p in doc[key]} | {_real(doc["script"])}
        for p in repository_reads(doc, workdir, root) - allowed:
            rel = p.relative_to(workdir) if _under(p, workdir) else Path("<ROOT>") / p.relative_to(_real(root))
            out.setdefault(doc["rule"], set()).add(rel.as_posix())
    return {rule: sorted(paths) for rule, paths in sorted(out.items())}


def opened_by_rule(docs: Iterable[Mapping], workdir: Path, root: Path = ROOT) -> dict[str, set[str]]:
    """``{rule: {repository path}}``: the repository files each rule's jobs opened, as paths
    relative to the work dir, or to ``root`` for the repository's own copy (a library that reads
    ``root/resources/x.csv`` reads the same table as a job given ``resources/x.csv``)."""
    workdir, root = _real(workdir), _real(root)
    out: dict[str, set[str]] = {}
    for doc in docs:
        for p in repository_reads(doc, workdir, root):
            rel = p.relative_to(workdir) if _under(p, workdir) else p.relative_to(root)
            out.setdefault(doc["rule"], set()).add(rel.as_posix())
    return out
