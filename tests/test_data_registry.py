"""Shipped reference data against the registry ``resources/versions.csv`` (PyPSA-Eur's
``data/versions.csv`` pattern): every row's file exists with the recorded size and SHA-256, every
shipped data file has a row, and every dataset has its licence beside it."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = pd.read_csv(ROOT / "resources" / "versions.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("row", REGISTRY.to_dict("records"), ids=list(REGISTRY["path"]))
def test_shipped_copy_matches_registry_checksum(row):
    data = (ROOT / row["path"]).read_bytes()
    assert len(data) == int(row["bytes"]), f"{row['path']}: size changed"
    assert hashlib.sha256(data).hexdigest() == row["sha256"], f"{row['path']}: content differs from the registry"


def test_every_shipped_data_file_is_registered():
    shipped = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "resources").rglob("*.csv")
        if "raw" not in p.relative_to(ROOT / "resources").parts[:1] and p.name != "versions.csv"
    }
    assert shipped == set(REGISTRY["path"])


def test_registry_rows_are_complete():
    cols = ["name", "path", "kind", "version", "source", "licence", "citation", "used_by", "bytes", "sha256"]
    assert list(REGISTRY.columns) == cols
    assert (REGISTRY[cols] != "").all().all()
    assert set(REGISTRY["kind"]) <= {"real public", "project"}


@pytest.mark.parametrize(
    "folder",
    ["areacodes", "census", "cpca", "transport_times", "dose", "ionet", "worldbank", "gapminder", "industry"],
)
def test_every_real_dataset_has_its_licence_beside_it(folder):
    names = {p.name for p in (ROOT / "resources" / folder).iterdir()}
    assert names & {"LICENSE", "LICENSE-NOTICE.txt", "METADATA", "gbcrosswalk_LICENSE", "README.md"}
    text = " ".join(
        (ROOT / "resources" / folder / n).read_text(errors="ignore") for n in names if not n.endswith(".csv")
    )
    assert "icen" in text or "PDDL" in text  # licence or licensed named in the shipped notes


def test_data_sources_table_of_a_synthetic_and_a_user_run():
    import yaml

    from yrd.data_sources import data_sources

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    t = data_sources(ROOT / "resources" / "versions.csv", config)
    assert t.iloc[0]["kind"] == "synthetic" and "SYNTHETIC" in t.iloc[0]["used_by"]
    assert set(t["dataset"]) >= {"ma_tang_road_times", "dose", "worldbank", "gapminder"}
    assert "C4" in t.set_index("dataset").loc["dose", "used_by"]
    user = {**config, "run": {"name": "mine", "synthetic": False}}
    user["ingest"] = {**config["ingest"], "files": {"2000": "data/a.csv", "2001": ["data/b1.csv", "data/b2.csv"]}}
    user["claims"] = {**config["claims"], "c1": {**config["claims"]["c1"], "integration": "data/lambda.csv"}}
    u = data_sources(REGISTRY, user)
    assert (u["kind"] == "synthetic").sum() == 0
    assert u.iloc[0]["files"] == "data/a.csv; data/b1.csv; data/b2.csv"
    assert "claims.c1.integration (user-supplied)" in set(u["dataset"])
    assert not any("registration" in d for d in u["dataset"])  # no extracts listed
    user["registration"] = {**config["registration"], "changes": ["data/c1.csv", "data/c2.xlsx"]}
    r = data_sources(REGISTRY, user).set_index("dataset")
    assert r.loc["business-registration change records (user-supplied)", "files"] == "data/c1.csv; data/c2.xlsx"
    assert "business-registration investment records (user-supplied)" not in r.index
    assert "business-registration extracts: synthetic world 'default'" in set(t["dataset"])
