"""One version, set in yrd/__init__.py: the installed package, CITATION.cff, CHANGELOG.md and
every run's provenance.json carry it."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import metadata

import pytest
import yaml

import yrd
from yrd.provenance import provenance


def test_version_is_read_from_yrd_init(root):
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)?", yrd.__version__)
    with open(root / "pyproject.toml", "rb") as fh:
        pyproject = tomllib.load(fh)
    assert "version" not in pyproject["project"], "set the version only in yrd/__init__.py"
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "yrd.__version__"}
    assert metadata.version("yrd") == yrd.__version__, "reinstall (make setup) after changing yrd.__version__"


def test_citation_and_changelog_name_the_version(root):
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == yrd.__version__
    paper = cff["references"][0]
    assert paper["title"] == "长三角一体化与苏南竞争力"
    assert [a["family-names"] for a in paper["authors"]] == ["Zhang", "Fang"]
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert f"## [{yrd.__version__}]" in changelog


def test_provenance_records_the_version(tmp_path):
    raw = tmp_path / "a.csv"
    raw.write_text("x\n1\n", encoding="utf-8")
    doc = provenance([raw], [], {"run": {"name": "t"}}, tmp_path)
    assert doc["yrd_version"] == yrd.__version__
    assert doc["code"]["version"] == yrd.__version__
    json.dumps(doc)  # JSON-ready


@pytest.mark.workflow
def test_provenance_json_of_a_run_records_the_version(tiny_run):
    doc = json.loads((tiny_run / "results" / "tiny" / "provenance.json").read_text(encoding="utf-8"))
    assert doc["yrd_version"] == yrd.__version__
