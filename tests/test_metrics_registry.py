"""The metric registry: built-in names call the library, a registered metric reaches the tables,
plugins are imported by name, and mistakes are named."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from yrd.metrics import (
    ellison_glaeser,
    gini,
    herfindahl,
    hoover,
    krugman_dissimilarity,
    krugman_specialisation,
    location_quotient,
    locational_gini,
    maurel_sedillot,
    registry,
    structural_similarity,
)
from yrd.metrics.apply import concentration_table

X = pd.DataFrame(
    {"13": [120.0, 30.0, 0.0, 50.0], "26": [10.0, 200.0, 40.0, 5.0], "39": [60.0, 60.0, 60.0, 20.0]},
    index=pd.Index(["310100", "320100", "320500", "330100"], name="region"),
)
PLANTS = pd.DataFrame(
    {
        "region": ["310100", "310100", "320100", "320500", "330100", "320100", "310100", "320500"],
        "industry": ["13", "13", "13", "26", "26", "39", "39", "39"],
        "employment": [50.0, 70.0, 30.0, 40.0, 5.0, 60.0, 60.0, 60.0],
    }
)


@pytest.fixture()
def toy():
    """A toy concentration metric, removed again after the test."""

    @registry.register("toy_top_share", kind="concentration")
    def top_share(X):
        """Share of each industry in its largest region."""
        return X.max() / X.sum()

    yield top_share
    registry.unregister("toy_top_share")
    assert "toy_top_share" not in registry.available()


def test_builtins_by_kind():
    assert registry.available("concentration") == ["herfindahl_industry", "hoover", "locational_gini"]
    assert registry.available("plant_concentration") == ["ellison_glaeser", "maurel_sedillot"]
    assert registry.available("specialisation") == [
        "herfindahl_region",
        "krugman_specialisation",
        "krugman_specialisation_rest",
    ]
    assert registry.available("similarity") == ["krugman_dissimilarity", "structural_similarity"]
    assert len(registry.available()) == 10


@pytest.mark.parametrize(
    ("name", "direct"),
    [
        ("hoover", lambda: hoover(X)),
        ("locational_gini", lambda: locational_gini(X)),
        ("herfindahl_industry", lambda: herfindahl(X, by="industry")),
        ("krugman_specialisation", lambda: krugman_specialisation(X)),
        ("krugman_specialisation_rest", lambda: krugman_specialisation(X, reference="rest")),
        ("herfindahl_region", lambda: herfindahl(X, by="region")),
    ],
)
def test_matrix_builtins_call_the_library(name, direct):
    got = registry.get(name)(X)
    pd.testing.assert_series_equal(got, direct(), check_names=False)


@pytest.mark.parametrize(("name", "func"), [("ellison_glaeser", ellison_glaeser), ("maurel_sedillot", maurel_sedillot)])
def test_plant_builtins_call_the_library(name, func):
    pd.testing.assert_series_equal(registry.get(name)(PLANTS), func(PLANTS))


@pytest.mark.parametrize(
    ("name", "func"),
    [("structural_similarity", structural_similarity), ("krugman_dissimilarity", krugman_dissimilarity)],
)
def test_similarity_builtins_call_the_library(name, func):
    pd.testing.assert_frame_equal(registry.get(name)(X), func(X))


def test_gini_of_location_quotients_weighted_by_activity_is_the_locational_gini():
    # Why no separate "gini_lq" is registered (module docstring of yrd.metrics.registry).
    w = X.sum(axis=1).to_numpy()
    lq = location_quotient(X)
    for industry in X.columns:
        assert gini(lq[industry].to_numpy(), weights=w) == pytest.approx(locational_gini(X)[industry], abs=1e-12)


def test_registered_toy_metric_reaches_the_concentration_table(toy):
    assert "toy_top_share" in registry.available("concentration")
    assert registry.get("toy_top_share").description == "Share of each industry in its largest region."
    fy = pd.DataFrame(
        {
            "year": 2005,
            "county": ["310101", "310104", "320102", "320505", "320505", "330102"],
            "industry": ["13", "13", "13", "13", "26", "26"],
            "employment": [10, 30, 20, 40, 5, 15],
        }
    )
    fy["prefecture"] = fy["county"].str[:4] + "00"
    fy["province"] = fy["county"].str[:2] + "0000"
    table = concentration_table(fy, ["toy_top_share"], levels=["prefecture"])
    got = table.set_index("industry")["value"]
    # Industry 13: prefectures 310100 (40), 320100 (20), 320500 (40): top share 0.4.
    assert got["13"] == pytest.approx(0.4)
    assert got["26"] == pytest.approx(0.75)
    assert set(table["metric"]) == {"toy_top_share"}


def test_register_rejects_taken_names_bad_kinds_and_bad_names(toy):
    with pytest.raises(ValueError, match="already registered"):
        registry.register("toy_top_share", lambda X: X.sum(), kind="concentration")
    registry.register("toy_top_share", toy, kind="concentration")  # the same function again is fine
    with pytest.raises(ValueError, match="unknown metric kind 'regional'"):
        registry.register("x_metric", toy, kind="regional")
    with pytest.raises(ValueError, match="lower-case identifier"):
        registry.register("Top Share", toy, kind="concentration")
    with pytest.raises(TypeError, match="not callable"):
        registry.register("x_metric", 3, kind="concentration")
    assert "x_metric" not in registry.available()


def test_replace_swaps_the_function(toy):
    registry.register("toy_top_share", lambda X: X.min() / X.sum(), kind="concentration", replace=True)
    assert registry.get("toy_top_share")(X)["13"] == pytest.approx(0.0)


def test_get_names_unknown_metrics_and_wrong_kinds():
    with pytest.raises(KeyError, match="unknown metric 'hover'; available: .*hoover"):
        registry.get("hover")
    with pytest.raises(ValueError, match="'krugman_specialisation' is of kind 'specialisation'"):
        registry.get("krugman_specialisation", ["concentration", "plant_concentration"])
    with pytest.raises(KeyError, match="unknown metric 'hover'"):
        concentration_table(pd.DataFrame(), ["hover"])


def test_a_metric_of_the_wrong_shape_is_named(toy):
    registry.register("toy_bad", lambda X: X.sum(axis=1), kind="concentration")  # by region, not industry
    try:
        fy = pd.DataFrame(
            {"year": 2005, "county": ["310101", "320102"], "industry": ["13", "26"], "employment": [1, 2]}
        )
        fy["prefecture"] = fy["county"].str[:4] + "00"
        fy["province"] = fy["county"].str[:2] + "0000"
        with pytest.raises(ValueError, match="metric 'toy_bad' returned labels that are not industries"):
            concentration_table(fy, ["toy_bad"], levels=["prefecture"])
    finally:
        registry.unregister("toy_bad")


def test_load_plugins_imports_modules_from_the_search_path(tmp_path):
    (tmp_path / "yrd_test_plugin_metrics.py").write_text(
        "from yrd.metrics.registry import register\n\n"
        "@register('plugin_n_industries', kind='specialisation')\n"
        "def n_industries(X):\n"
        "    return (X > 0).sum(axis=1).astype(float)\n",
        encoding="utf-8",
    )
    try:
        assert registry.load_plugins(["yrd_test_plugin_metrics"], search_path=tmp_path) == ["plugin_n_industries"]
        np.testing.assert_array_equal(registry.get("plugin_n_industries")(X).to_numpy(), [3.0, 3.0, 2.0, 3.0])
        with pytest.raises(ImportError, match="metrics plugin 'no_such_metrics_module' cannot be imported"):
            registry.load_plugins(["no_such_metrics_module"])
    finally:
        registry.unregister("plugin_n_industries")
        sys.modules.pop("yrd_test_plugin_metrics", None)
        if str(tmp_path.resolve()) in sys.path:
            sys.path.remove(str(tmp_path.resolve()))
