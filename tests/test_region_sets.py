"""Region sets of the analysis (geography.region_set) for a national study area (issue 18): all of
China and the four NBS macro-regions beside the YRD's sets, the configuration checks that keep
them nested, C1 without an integration index and the K-density's kernel reach.

Known answers: the NBS division of 2011 (国家统计局, 东西中部和东北地区划分方法) puts each of the 31
mainland provincial units in exactly one macro-region, with 10, 6, 12 and 3 units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import yrd.metrics.kdensity as kd
from yrd.claims import c1_without_index
from yrd.claims.c4_measured import integration_region_set
from yrd.config_semantic import claim_errors, study_area_errors
from yrd.figures.common import codes_in_set
from yrd.regions import MACRO_REGIONS, macro_region, region_set_codes
from yrd.study_area import MAINLAND_PROVINCES, flow_prefectures

PREFECTURES = "resources/regions/prefectures.csv"
# Beijing, Shanghai, Nanjing, Hefei, Wuhan, Chengdu, Shenyang, Urumqi
CODES = ["110100", "310100", "320100", "340100", "420100", "510100", "210100", "650100"]


def test_macro_regions_partition_the_mainland_as_the_nbs_does():
    provinces = [p for ps in MACRO_REGIONS.values() for p in ps]
    assert sorted(provinces) == sorted(MAINLAND_PROVINCES)  # every unit once
    assert [len(v) for v in MACRO_REGIONS.values()] == [10, 6, 12, 3]
    assert macro_region(pd.Series(CODES)).tolist() == [
        "china_east", "china_east", "china_east", "china_central", "china_central", "china_west",
        "china_northeast", "china_west",
    ]  # fmt: skip
    assert macro_region(pd.Series(["710000"])).isna().all()  # Taiwan: not in the survey


def test_region_set_codes():
    assert len(region_set_codes("yrd16_2003", CODES, PREFECTURES)) == 16  # from the YRD table, not the codes
    assert len(region_set_codes("yrd41_2019", [], PREFECTURES)) == 41
    assert region_set_codes("china", CODES, PREFECTURES) == sorted(CODES)
    assert region_set_codes("china_central", CODES, PREFECTURES) == ["340100", "420100"]
    assert region_set_codes("china_east", CODES, PREFECTURES) == ["110100", "310100", "320100"]
    assert region_set_codes("province_42", CODES, PREFECTURES) == ["420100"]
    assert region_set_codes("province_32", CODES, PREFECTURES) == ["320100"]
    # Sunan from the YRD table's group: Nanjing, Wuxi, Changzhou, Suzhou, Zhenjiang
    assert region_set_codes("sunan", CODES, PREFECTURES) == ["320100", "320200", "320400", "320500", "321100"]
    with pytest.raises(ValueError, match="no prefecture in the boundaries"):
        region_set_codes("china_west", ["310100"], PREFECTURES)
    with pytest.raises(ValueError, match="unknown region set"):
        region_set_codes("yrd26_2016", CODES, PREFECTURES)
    # the boundaries table's way (figures, claims): a national set by province, a YRD set by its column
    bnd = pd.DataFrame({"code": CODES, "yrd16_2003": [c in {"310100", "320100"} for c in CODES]})
    assert codes_in_set(bnd, "china_northeast") == ["210100"]
    assert codes_in_set(bnd, "yrd16_2003") == ["310100", "320100"]


def test_flow_prefectures_of_a_national_set():
    assert flow_prefectures(CODES, "china", "china_west", PREFECTURES).tolist() == ["510100", "650100"]
    assert flow_prefectures(CODES, "china", None, PREFECTURES).tolist() == CODES
    assert flow_prefectures(CODES, "china", "yrd16_2003", PREFECTURES).tolist() == ["310100", "320100"]


def _config(study_area: str, region_set: str, c5: str = "yrd16_2003") -> dict:
    return {
        "run": {"synthetic": False},
        "geography": {"study_area": study_area, "region_set": region_set, "provinces": list(MAINLAND_PROVINCES)},
        "flows": {"region_set": None},
        "metrics": {"similarity": ["structural_similarity"], "similarity_levels": ["prefecture"]},
        "claims": {"c5": {"region_set": c5, "metric": "structural_similarity", "level": "prefecture"}},
    }


def test_national_sets_need_a_national_study_area_and_hold_c5s_set():
    assert list(study_area_errors(_config("china", "china_west"))) == []
    for inside_the_16 in ("sunan", "province_31"):
        assert list(study_area_errors(_config("yrd16_2003", inside_the_16))) == []
    assert list(study_area_errors(_config("yrd41_2019", "province_34"))) == []
    msgs = list(study_area_errors(_config("yrd16_2003", "province_32")))  # the 16 hold part of Jiangsu
    assert any(m.startswith("config key 'geography.region_set': region set 'province_32'") for m in msgs)
    msgs = list(study_area_errors(_config("yrd41_2019", "province_42")))
    assert any(m.startswith("config key 'geography.region_set': region set 'province_42'") for m in msgs)
    msgs = list(study_area_errors(_config("yrd41_2019", "china")))
    assert any(m.startswith("config key 'geography.region_set': region set 'china'") for m in msgs)
    assert list(claim_errors(_config("china", "china"))) == []
    assert list(claim_errors(_config("china", "china_east"))) == []  # the 16 cities are all in the east
    msgs = list(claim_errors(_config("china", "china_west")))
    assert any(m.startswith("config key 'claims.c5.region_set'") for m in msgs)
    msgs = list(claim_errors(_config("china", "china_east", c5="yrd41_2019")))  # Anhui is central
    assert any(m.startswith("config key 'claims.c5.region_set'") for m in msgs)


def test_c1_has_no_data_without_an_index_for_the_region_set(tmp_path):
    path = tmp_path / "index.parquet"
    pd.DataFrame(
        {"year": [2000, 2000], "region_set": ["yrd16_2003", "yrd41_2019"], "measure": ["travel_time_index"] * 2}
    ).assign(value=1.0, unit="").to_parquet(path)
    kw = {"measure": "travel_time_index", "cfg": {"level": "prefecture"}}
    assert c1_without_index(str(path), configured=False, region_set="yrd41_2019", **kw) is None
    assert c1_without_index(str(path), configured=True, region_set="china", **kw) is None
    row = c1_without_index(str(path), configured=False, region_set="china", **kw)
    assert row.verdict == "no data"
    assert "'china'" in row.value and "claims.c1.integration" in row.value
    assert row.details["config"] == {"level": "prefecture"}
    # C4 is about the YRD's integration: a national set reads the 41 cities' road times
    assert integration_region_set("yrd16_2003") == "yrd16_2003"
    assert integration_region_set("china_central") == "yrd41_2019"


def test_kernel_reach_leaves_the_density_unchanged(monkeypatch):
    # Sites 0-40 km apart in two clusters 2,000 km from each other: the far pairs are beyond
    # the kernel's reach. Against the sums over every pair (reach infinite).
    rng = np.random.default_rng(4)
    xy = np.vstack([rng.uniform(0, 40, (15, 2)), rng.uniform(0, 40, (15, 2)) + [2000.0, 0.0]])
    D = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))
    counts = rng.integers(0, 4, 30)
    frame = rng.integers(1, 10, 30)
    pruned = kd.k_density(D, counts, bandwidth=8.0), kd.k_density_bands(D, counts, frame, n_sim=20, seed=1)
    monkeypatch.setattr(kd, "KERNEL_REACH", np.inf)
    full = kd.k_density(D, counts, bandwidth=8.0), kd.k_density_bands(D, counts, frame, n_sim=20, seed=1)
    np.testing.assert_allclose(pruned[0], full[0], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(pruned[1].simulations, full[1].simulations, rtol=1e-12, atol=1e-300)
    assert pruned[1].bandwidth == full[1].bandwidth
