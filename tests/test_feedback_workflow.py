"""The tiny world's raw files fed back in as a user's own files (run.synthetic false) give the
same claims table, values and verdicts, as the synthetic run of the same world: no claim reads
the synthetic truth, and nothing depends on how the input was declared (issue 15)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers.workflow import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

#: Money units of the synthetic world's raw files (config.yaml synthetic.raw.money_unit).
WAN_YEARS = {2004, 2009}


def user_config(work) -> str:
    raw = sorted((work / "data").glob("asif_*.*"))
    files = {p.stem.split("_")[1]: p.relative_to(work).as_posix() for p in raw}
    assert len(files) == 16, files
    lines = [
        "run: {name: tiny_user, synthetic: false}",
        "geography: {region_set: yrd16_2003}",
        "ingest:",
        "  files: {" + ", ".join(f'"{y}": {p}' for y, p in sorted(files.items())) + "}",
        "  money_unit: {"
        + ", ".join(f'"{y}": {"wan" if int(y) in WAN_YEARS else "qian"}' for y in sorted(files))
        + "}",
        "metrics: {kdensity: {n_sim: 99}}",
        "plotting: {dpi: 80}",
    ]
    return "\n".join(lines) + "\n"


def test_user_run_of_the_tiny_raw_files_gives_the_same_claims(tiny_run, tmp_path):
    # a fresh copy of the workflow holding only the tiny world's raw files, under data/: no
    # synthetic truth exists there (a rule that needed it would make Snakemake run simulate,
    # which writes resources/raw/)
    work = copy_workflow(tmp_path / "user")
    (work / "data").mkdir()
    for p in sorted((tiny_run / "resources" / "raw" / "tiny").glob("asif_*.*")):
        shutil.copy(p, work / "data" / p.name)
    (work / "config" / "tiny_user.yaml").write_text(user_config(work), encoding="utf-8")
    res = snakemake(work, "--cores", "2", "--configfile", "config/tiny_user.yaml", "--", "results/tiny_user/claims.csv")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert not (work / "resources" / "raw").exists(), "the user's run generated the synthetic world"
    synthetic = pd.read_csv(tiny_run / "results" / "tiny" / "claims.csv", dtype=str, keep_default_na=False)
    user = pd.read_csv(work / "results" / "tiny_user" / "claims.csv", dtype=str, keep_default_na=False)
    cols = ["claim", "test", "value", "verdict"]
    pd.testing.assert_frame_equal(synthetic[cols], user[cols])
