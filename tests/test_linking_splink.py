"""The Splink linker and the hybrid (optional dependency: skipped without splink)."""

from __future__ import annotations

import pytest

pytest.importorskip("splink")

from yrd.linking import compare_linkers, fake_asif_panel, link_firms, link_firms_splink  # noqa: E402
from yrd.validation import score_linking  # noqa: E402


@pytest.fixture(scope="module")
def world():
    return fake_asif_panel(600, years=(2000, 2008), seed=31)


def test_splink_linker_scores(world):
    fid = link_firms_splink(world.records)
    assert fid.index.equals(world.records.index) and fid.dtype == "int64"
    sc = score_linking(world.records.assign(firm_id=fid), world.truth_records)
    reachable = sc["n_true_links"] - sc["n_true_links_gap_gt2"]
    assert sc["precision"] >= 0.995 and sc["n_correct_links"] / reachable >= 0.99, sc
    # deterministic (seeded u sampling)
    assert link_firms_splink(world.records).equals(fid)


def test_hybrid_and_comparison(world):
    out = compare_linkers(world.records, world.truth_records)
    assert list(out["method"]) == ["bvz", "splink", "hybrid"]
    assert (out["precision"] >= 0.995).all() and (out["recall"] >= 0.9).all(), out
    hyb = link_firms(world.records, residual="splink")
    sc = score_linking(world.records.assign(firm_id=hyb), world.truth_records)
    assert sc["precision"] >= 0.995, sc
    with pytest.raises(ValueError, match="residual"):
        link_firms(world.records, residual="magic")
