"""The Splink linker and the hybrid (optional dependency: skipped without splink)."""

from __future__ import annotations

import pytest

pytest.importorskip("splink")

from helpers.fake_firms import fake_asif_panel  # noqa: E402
from helpers.resources import place_names  # noqa: E402
from yrd.linking import compare_linkers, link_firms_splink, link_records  # noqa: E402
from yrd.validation import score_linking  # noqa: E402

pytestmark = pytest.mark.slow  # fits Splink models: in `make test`, not in `make test-fast`


@pytest.fixture(scope="module")
def world():
    return fake_asif_panel(600, years=(2000, 2008), seed=31)


def test_splink_linker_scores(world):
    fid = link_firms_splink(world.records, places=place_names())
    assert fid.index.equals(world.records.index) and fid.dtype == "int64"
    sc = score_linking(world.records.assign(firm_id=fid), world.truth_records)
    reachable = sc["n_true_links"] - sc["n_true_links_gap_gt2"]
    assert sc["precision"] >= 0.995 and sc["n_correct_links"] / reachable >= 0.99, sc
    # deterministic (seeded u sampling)
    assert link_firms_splink(world.records, places=place_names()).equals(fid)


def test_hybrid_and_comparison(world):
    out = compare_linkers(world.records, world.truth_records, places=place_names())
    assert list(out["method"]) == ["bvz", "splink", "hybrid"]
    assert (out["precision"] >= 0.995).all() and (out["recall"] >= 0.9).all(), out
    hyb = link_records(world.records, places=place_names(), residual="splink")[1]
    sc = score_linking(world.records.assign(firm_id=hyb), world.truth_records)
    assert sc["precision"] >= 0.995, sc
    with pytest.raises(ValueError, match="residual"):
        link_records(world.records, places=place_names(), residual="magic")
