"""Claims C2 and C3 on the events of each flow source (yrd.claims.sources): counts, shares,
trends and the disagreements between sources, on hand-made events."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from helpers.source_world import class_industries
from yrd.claims.sources import c2_source_conditions, c2_source_shares, c3_source_trends, disagreements

GROUPS = {"310100": "shanghai", "320500": "sunan", "330100": "zhejiang", "330200": "zhejiang", "340100": "anhui"}
C2 = {
    "window": [2000, 2004],
    "partners": ["sunan", "rest_of_jiangsu", "zhejiang"],
    "outflow_classes": ["labour"],
    "inflow_classes": ["port"],
    "min_moves": 10,
}
C3 = {"provinces": ["31", "32", "33"], "start": 2000, "end": None, "min_years": 4, "break_year": 2011}


def _events(rows):
    """rows: (n, year, origin, dest, class) -> n identical events."""
    ind = class_industries()
    out = [(y, o, d, ind[c]) for n, y, o, d, c in rows for _ in range(n)]
    return pd.DataFrame(out, columns=["year", "origin_prefecture", "dest_prefecture", "industry"])


@pytest.fixture(scope="module")
def events():
    asif = _events(
        [
            (12, 2001, "310100", "320500", "labour"),  # out, labour, window
            (12, 2002, "320500", "310100", "port"),  # in, port, window
            (4, 2008, "310100", "340100", "labour"),  # Shanghai outflow outside the window, to Anhui
            *[(k, 2000 + k, "330100", "320500", "labour") for k in range(1, 14)],  # Zhejiang, rising
        ]
    )
    changes = _events(
        [
            (12, 2001, "320500", "310100", "labour"),  # in: the labour condition is contradicted
            (12, 2002, "320500", "310100", "port"),
            (4, 2008, "310100", "320500", "labour"),
            *[(5, 2000 + k, "330100", "330200", "labour") for k in range(1, 14)],  # flat, within Zhejiang
        ]
    )
    return {"asif": asif, "changes": changes}


def test_c2_conditions_by_source(events):
    from helpers.resources import CLASSES_CSV
    from yrd.industry import industry_classes, relocation_class

    classes = relocation_class(industry_classes(CLASSES_CSV))
    c = c2_source_conditions(events, GROUPS, classes, C2, 0.05).set_index(["source", "class"])
    assert (c.loc[("asif", "labour"), ["out", "in", "status"]].tolist()) == [12, 0, "holds"]
    assert (c.loc[("asif", "port"), ["out", "in", "status"]].tolist()) == [0, 12, "holds"]
    assert (c.loc[("changes", "labour"), ["out", "in", "status"]].tolist()) == [0, 12, "contradicted"]
    assert c.loc[("changes", "port"), "status"] == "holds"


def test_c2_shares_and_c3_trends_by_source_and_the_disagreements(events):
    from helpers.resources import CLASSES_CSV
    from yrd.industry import industry_classes, relocation_class

    s = c2_source_shares(events, GROUPS, C2["window"], ["sunan", "zhejiang"]).set_index(["source", "target"])
    a = s.loc[("asif", "sunan")]
    assert (a["to_target_window"], a["out_window"], a["to_target_other"], a["out_other"]) == (12, 12, 0, 4)
    assert a["change_pp"] == pytest.approx(100.0)
    assert a["p"] == pytest.approx(stats.fisher_exact([[12, 0], [0, 4]])[1])
    c = s.loc[("changes", "sunan")]
    assert (c["out_window"], c["to_target_other"], c["out_other"]) == (0, 4, 4) and pd.isna(c["p"])
    t = c3_source_trends(events, range(1998, 2014), C3, 0.05).set_index("source")
    assert t.loc["asif", "moves"] == sum(range(1, 14)) and t.loc["asif", "trend"] == "rising"
    assert t.loc["changes", "moves"] == 65 and t.loc["changes", "trend"] == "flat"
    assert (t.loc["asif", ["between", "within"]].tolist()) == [12 + 12 + 91, 0]  # SH-SZ both ways and ZJ-SZ
    assert (t.loc["changes", ["between", "within"]].tolist()) == [12 + 12 + 4, 65]
    classes = relocation_class(industry_classes(CLASSES_CSV))
    notes = disagreements(
        c2_source_conditions(events, GROUPS, classes, C2, 0.05), s.reset_index(), t.reset_index(), 0.05
    )
    assert any(n.startswith("C2 labour: asif holds, changes contradicted") for n in notes)
    assert not any(n.startswith("C2 port") for n in notes)
    assert any(n.startswith("C3 trend") and "asif rising" in n for n in notes)
