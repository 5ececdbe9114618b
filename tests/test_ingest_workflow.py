"""A raw file that cannot be ingested, seen from the terminal: the workflow prints one sentence
that names the file and the fix, and the traceback goes to the rule's log file only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.workflow import copy_workflow, snakemake

CORPUS = Path(__file__).resolve().parent / "data" / "malformed"

#: The error sentence for the corpus file cut inside a Chinese character, named as configured.
MESSAGE = (
    "raw file 'raw/asif_1999.csv': truncated file: it ends inside a character (the last 2 bytes are an "
    "incomplete UTF-8 character); the copy is incomplete, copy the file again from its source"
)

USER_CONFIG = """\
run: {{name: user, synthetic: false}}
period: {{start: 1998, end: 1999}}
ingest:
  files: {{"1998": "{good}", "1999": raw/asif_1999.csv}}
  money_unit: {{"1998": qian, "1999": qian}}
# the default claims and flow scenarios name years after 1999: keep them inside the period
claims:
  c2: {{window: [1998, 1999]}}
  c3: {{start: 1998}}
flows:
  scenarios: []
"""


@pytest.mark.workflow
def test_a_truncated_raw_file_gives_one_message_and_its_traceback_only_in_the_log(tmp_path):
    work = copy_workflow(tmp_path / "work")
    (work / "raw").mkdir()
    shutil.copy(CORPUS / "truncated_utf8_char.csv", work / "raw" / "asif_1999.csv")
    # the good file stays in the repository (absolute path): the two files share only "/", so the
    # names shown are the paths as configured
    good = CORPUS / "ok_gbk_zh.csv"
    (work / "config" / "user.yaml").write_text(USER_CONFIG.format(good=good.as_posix()), encoding="utf-8")

    res = snakemake(
        work, "--cores", "1", "--configfile", "config/user.yaml", "--", "results/user/clean/records.parquet"
    )
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-4000:]
    assert out.count(MESSAGE) == 1, out[-4000:]  # once: not logged before being raised, not repeated
    assert out.count("truncated file") == 1, out[-4000:]  # (the tmp path holds "truncated" too)
    assert f"Error in rule ingest: {MESSAGE} (traceback in results/user/logs/ingest.log)" in out
    assert "unknown encoding" not in out and "pass the encoding" not in out
    assert "Traceback" not in out, out[-4000:]
    assert f"{good.as_posix()} (1998): 4 rows read" in out  # the good file, named with its leading slash

    log = (work / "results" / "user" / "logs" / "ingest.log").read_text(encoding="utf-8")
    assert "Traceback" in log
    assert MESSAGE in log
    assert not (work / "results" / "user" / "clean" / "records.parquet").exists()
