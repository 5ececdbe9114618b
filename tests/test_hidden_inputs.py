"""Every repository file a job opens is an input of its rule (issue "One clear house", item 1).

The library ``yrd`` holds no path into the repository: each reference table, the header-dialect
table and its schema, and the config schema are arguments, and the rules pass their declared
inputs. Checked here:

* statically, that no module of ``yrd/`` locates files through ``__file__`` (the CJK font of the
  installed mplfonts package aside);
* that this audited run, a second clean run of the tiny world, gives every table of the session's
  run byte for byte;
* with a Python audit hook in every job process of one run of the tiny world, that no job opens
  a repository file (in the work dir or in the repository itself, where the editable ``yrd``
  lives) that is not among its rule's inputs, outputs or logs;
* with dry runs after editing every shipped table, that exactly the rules declaring a table rerun
  because of it, and that these are exactly the rules whose jobs opened it;
* that a metric plugin module in the working directory is an input of the metric rules and of
  the provenance, which records its checksum.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers.open_audit import audit_env, opened_by_rule, read_records, undeclared_reads
from helpers.workflow import ROOT, assert_same_results, copy_workflow, snakemake
from yrd.metrics.registry import plugin_files
from yrd.provenance import provenance

TINY = ("--configfile", "config/tiny.yaml")
#: Shipped files the rules read besides resources/ (which is walked).
CONFIG_FILES = ("config/header_dialects.yaml", "config/schemas/header_dialects.schema.yaml")
PLUGIN = '''"""A metric plugin of the study, in the working directory."""
from yrd.metrics.registry import register


@register("toy_top_share_hidden", kind="concentration")
def top_share(X):
    return X.max() / X.sum()
'''


# ----------------------------------------------------------------------------- without Snakemake
def test_the_library_holds_no_repository_paths():
    offenders = []
    for path in sorted((ROOT / "yrd").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ("__file__" in line or "parents[" in line) and "mplfonts.__file__" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "module-level paths into the repository:\n" + "\n".join(offenders)


def test_readers_of_shipped_files_require_the_file():
    from yrd.config import load_schema, validate_config
    from yrd.geography import code_history
    from yrd.ingest import load_dialects
    from yrd.linking import place_names
    from yrd.regions import prefectures

    for call in (load_schema, code_history, prefectures, place_names, lambda: validate_config({})):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError):
        load_dialects(ROOT / "config" / "header_dialects.yaml")  # and its JSON Schema


def test_plugin_files_are_the_modules_in_the_working_directory(tmp_path):
    (tmp_path / "my_metrics.py").write_text(PLUGIN, encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "extra.py").write_text("", encoding="utf-8")
    modules = ["my_metrics", "pkg.extra", "numpy", "my_metrics"]
    assert plugin_files(modules, tmp_path) == [str(tmp_path / "my_metrics.py"), str(tmp_path / "pkg" / "extra.py")]
    assert plugin_files([], tmp_path) == []


def test_provenance_records_the_plugin_checksums(tmp_path):
    plugin = tmp_path / "my_metrics.py"
    plugin.write_text(PLUGIN, encoding="utf-8")
    doc = provenance([], [], {}, tmp_path, plugin_files=[plugin])
    assert list(doc["plugin_inputs"]) == [str(plugin)] and len(doc["plugin_inputs"][str(plugin)]) == 64
    assert provenance([], [], {}, tmp_path)["plugin_inputs"] == {}


# ----------------------------------------------------------------------------- helpers of the runs
def detailed_summary(work: Path, *configfiles: str) -> dict[str, dict[str, set[str]]]:
    """``{rule: {"output": {...}, "input": {...}}}`` of the jobs of the default target, without the
    rule ``all`` (``snakemake --detailed-summary``: the inputs are those recorded when the job ran,
    after a complete run the declared ones)."""
    res = snakemake(work, "--detailed-summary", "--configfile", *configfiles)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    lines = [ln for ln in res.stdout.splitlines() if ln.count("\t") >= 7]
    header = lines[0].split("\t")
    out: dict[str, dict[str, set[str]]] = {}
    for ln in lines[1:]:
        row = dict(zip(header, ln.split("\t")))
        if row["rule"] == "all":
            continue
        job = out.setdefault(row["rule"], {"output": set(), "input": set()})
        job["output"].add(row["output_file"])
        job["input"] |= {p for p in row["input-file(s)"].split(",") if p and p != "-"}
    return out


def updated_inputs(work: Path, rule: str, targets: set[str], *configfiles: str) -> set[str]:
    """The files a dry run names as "Updated input files" of the jobs of ``rule``, with only
    that rule allowed (so the reason is not hidden behind an upstream job that reruns too)."""
    res = snakemake(
        work, "-n", "--configfile", *configfiles, "--allowed-rules", rule, "--", *sorted(targets), timeout=600
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    files: set[str] = set()
    for m in re.finditer(r"^Reason: (.*)$", res.stdout + res.stderr, re.MULTILINE):
        for part in m.group(1).split("; "):
            if part.startswith("Updated input files: "):
                files |= set(part.removeprefix("Updated input files: ").split(", "))
    return files


def shipped_files(work: Path) -> list[str]:
    """Shipped tables and texts of resources/ (not the raw worlds) and the header-dialect files."""
    res = sorted(
        p.relative_to(work).as_posix()
        for p in (work / "resources").rglob("*")
        if p.is_file() and not {"raw", "generated"} & set(p.relative_to(work).parts)
    )
    return res + list(CONFIG_FILES)


def edited(work: Path, files: list[str]):
    """Context: every file gets one more byte (a newline: Snakemake does not rerun a job for a
    newer file whose checksum it recorded unchanged) and an mtime 10 s in the future; contents
    and times are restored afterwards."""

    class _Edit:
        def __enter__(self):
            self.saved = {f: ((work / f).read_bytes(), (work / f).stat()) for f in files}
            future = time.time() + 10
            for f in files:
                with open(work / f, "ab") as fh:
                    fh.write(b"\n")
                os.utime(work / f, (future, future))
            return self

        def __exit__(self, *exc):
            for f, (data, st) in self.saved.items():
                (work / f).write_bytes(data)
                os.utime(work / f, ns=(st.st_atime_ns, st.st_mtime_ns))

    return _Edit()


# ----------------------------------------------------------------------------- with Snakemake
@pytest.fixture(scope="module")
def audited_run(tmp_path_factory):
    """The tiny world run once with the open() audit hook in every job process."""
    base = tmp_path_factory.mktemp("hidden_inputs")
    work = copy_workflow(base / "work")
    env, records = audit_env(base / "audit")
    res = snakemake(work, "--cores", "2", *TINY, env=env)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    return work, read_records(records), detailed_summary(work, "config/tiny.yaml")


@pytest.mark.workflow
def test_two_clean_runs_are_byte_identical(tiny_run, audited_run):
    """The audited run is a second clean run of the tiny world, in a fresh copy of the workflow
    (the audit hook only records which files are opened): every table and the generated world
    are byte-identical to the session's run. First in this module, before the tests below edit
    its files and rerun its provenance."""
    assert_same_results(tiny_run, audited_run[0])


@pytest.mark.workflow
def test_jobs_open_only_their_declared_inputs(audited_run):
    work, docs, summary = audited_run
    assert {d["rule"] for d in docs} == set(summary), "every job must be recorded by the audit hook"
    hidden = undeclared_reads(docs, work)
    assert not hidden, "jobs opened repository files that are not inputs of their rule:\n" + json.dumps(
        hidden, indent=1
    )


@pytest.mark.workflow
def test_editing_a_shipped_file_reruns_exactly_the_rules_reading_it(audited_run):
    work, docs, summary = audited_run
    files = shipped_files(work)
    opened = opened_by_rule(docs, work)
    with edited(work, files), ThreadPoolExecutor(max_workers=4) as pool:
        reasons = dict(
            zip(
                summary,
                pool.map(lambda r: updated_inputs(work, r, summary[r]["output"], "config/tiny.yaml"), summary),
            )
        )
    problems = []
    for f in files:
        declared = {r for r, job in summary.items() if f in job["input"]}
        rerun = {r for r, names in reasons.items() if f in names}
        readers = {r for r, names in opened.items() if f in names}
        if not (rerun == declared == readers):
            problems.append(f"{f}: rerun {sorted(rerun)}, declared by {sorted(declared)}, opened by {sorted(readers)}")
    assert not problems, "\n".join(problems)
    # nothing to do once the files are back as they were
    res = snakemake(work, "-n", *TINY)
    assert "Nothing to be done" in res.stdout + res.stderr


@pytest.mark.workflow
def test_a_metric_plugin_is_an_input_of_the_metric_rules_and_the_provenance(audited_run):
    work, _, summary = audited_run
    rule_of = {out: rule for rule, job in summary.items() for out in job["output"]}
    (work / "my_metrics.py").write_text(PLUGIN, encoding="utf-8")
    (work / "config" / "plugin.yaml").write_text(
        "run:\n  name: tiny\nmetrics:\n  plugins: [my_metrics]\n", encoding="utf-8"
    )
    configs = ("config/tiny.yaml", "config/plugin.yaml")
    try:
        # the outputs whose set of inputs the plugin changes: those of the rules declaring it
        res = snakemake(work, "--list-changes", "input", "--configfile", *configs)
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
        changed = {rule_of[ln.strip()] for ln in res.stdout.splitlines() if ln.strip() in rule_of}
        assert changed == {"concentration", "specialisation", "similarity", "provenance"}
        with edited(work, ["my_metrics.py"]):
            for rule in sorted(changed):
                assert "my_metrics.py" in updated_inputs(work, rule, summary[rule]["output"], *configs), rule
        # its checksum goes into the provenance
        res = snakemake(
            work,
            "--cores",
            "1",
            "--configfile",
            *configs,
            "--allowed-rules",
            "provenance",
            "--",
            "results/tiny/provenance.json",
        )
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
        doc = json.loads((work / "results" / "tiny" / "provenance.json").read_text(encoding="utf-8"))
        assert doc["plugin_inputs"] == {"my_metrics.py": hashlib.sha256(PLUGIN.encode()).hexdigest()}
    finally:
        (work / "my_metrics.py").unlink()
        (work / "config" / "plugin.yaml").unlink()
