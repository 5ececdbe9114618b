"""Industry classes of the 2002 divisions: the documented factor-intensity rule (OECD technology
intensity of the ISIC Rev.3 classes a division maps to) and the mutually exclusive relocation
classes (rules in :mod:`yrd.industry`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from yrd.industry.codes import MANUFACTURING_2002, Table, read_table

# OECD technology intensity of manufacturing, ISIC Rev.3 (STI Scoreboard 2001-2011 annex;
# Hatzichronoglou 1997, OECD STI Working Paper 1997/2). Keys are ISIC Rev.3 prefixes, longest
# prefix wins.
_OECD_ISIC3 = {
    "2423": "high",
    "30": "high",
    "32": "high",
    "33": "high",
    "353": "high",
    "24": "medium_high",
    "29": "medium_high",
    "31": "medium_high",
    "34": "medium_high",
    "352": "medium_high",
    "359": "medium_high",
    "23": "medium_low",
    "25": "medium_low",
    "26": "medium_low",
    "27": "medium_low",
    "28": "medium_low",
    "351": "medium_low",
    **{str(d): "low" for d in range(15, 23)},
    "36": "low",
    "37": "low",
}
#: ISIC Rev.3 divisions of the project's "capital" rule: tobacco, pulp and paper, coke and
#: refined petroleum, non-metallic mineral products, basic metals.
CAPITAL_ISIC3_DIVISIONS = ("16", "21", "23", "26", "27")


def oecd_technology_group(isic_code: str) -> str | None:
    """OECD technology-intensity group (``high``, ``medium_high``, ``medium_low``, ``low``) of
    an ISIC Rev.3 manufacturing code (2-4 digits); ``None`` outside ISIC 15-37.

    OECD (2011) ISIC Rev.3 technology intensity definition (STI Scoreboard annex, unchanged
    since the 2001 edition; Hatzichronoglou 1997): high = 2423, 30, 32, 33, 353;
    medium-high = 24 excl. 2423, 29, 31, 34, 352, 359; medium-low = 23, 25-28, 351; low =
    15-22, 36, 37.
    """
    code = str(isic_code).strip()
    for k in (4, 3, 2):
        g = _OECD_ISIC3.get(code[:k])
        if g is not None and len(code) >= k:
            return g
    return None


def isic_shares(path: Table) -> pd.DataFrame:
    """For each 2002 manufacturing division: the share of its four-digit classes (equal
    weights; a class mapped to several ISIC Rev.3 classes split equally) in each OECD
    technology group (``high``, ``medium_high``, ``medium_low``, ``low``) and in the ISIC
    divisions of the project's capital rule (``capital_isic``), from the crosswalk
    GB/T 4754-2002 -> ISIC Rev.3 at ``path`` (``resources/industry/gbcrosswalk_gb_2002_isic3.csv``).
    ISIC codes outside manufacturing (15-37), which in the source are transcription errors such
    as 3922 for GB 3521 轴承制造, are left out of the denominator; ``n_classes`` counts the
    classes used."""
    d = read_table(path, dtype=str, keep_default_na=False)
    d = d[(d["gb_level"] == "S") & (d["isic_level"] == "S")]
    d = d[d["gb_code"].str[:2].isin(MANUFACTURING_2002)].copy()
    d["group"] = d["isic_code"].map(oecd_technology_group)
    d = d[d["group"].notna()]
    d["w"] = 1.0 / d.groupby("gb_code")["isic_code"].transform("size")
    d["code"] = d["gb_code"].str[:2]
    d["capital_isic"] = d["isic_code"].str[:2].isin(CAPITAL_ISIC3_DIVISIONS)
    n = d.groupby("code")["gb_code"].nunique()
    t = d.pivot_table(index="code", columns="group", values="w", aggfunc="sum", fill_value=0.0)
    t = t.reindex(columns=["high", "medium_high", "medium_low", "low"], fill_value=0.0)
    t["capital_isic"] = d[d["capital_isic"]].groupby("code")["w"].sum()
    t = t.fillna(0.0).div(n, axis=0)
    t["n_classes"] = n
    return t.reset_index()


def factor_intensity_rule(path: Table) -> pd.Series:
    """Factor intensity of each 2002 division by the documented rule (:mod:`yrd.industry`):
    ``technology`` if the OECD high + medium-high share is >= 0.5, else ``capital`` if the
    ISIC 16/21/23/26/27 share is >= 0.5, else ``labour``, from the ISIC Rev.3 crosswalk at
    ``path`` (:func:`isic_shares`). Indexed by division code."""
    s = isic_shares(path).set_index("code")
    tech = (s["high"] + s["medium_high"]) >= 0.5
    cap = s["capital_isic"] >= 0.5
    return pd.Series(
        np.where(tech, "technology", np.where(cap, "capital", "labour")), index=s.index, name="factor_intensity"
    )


#: Mutually exclusive relocation classes, in order of precedence (see :func:`relocation_class`).
RELOCATION_CLASSES = ("port", "technology", "urban", "capital", "labour")


def relocation_class(classes: pd.DataFrame) -> pd.Series:
    """One mutually exclusive class per division, used to group relocation flows (the paper's
    labour-, capital-, technology-intensive, port-type 港口型 and urban-type 都市型 industry):
    port if port-type; else technology if technology-intensive; else urban if urban-type; else
    the factor-intensity class (capital or labour). Index: the division code.

    ``classes`` is the table of :func:`~yrd.industry.codes.industry_classes`
    (``resources/industry/classes.csv``).

    Precedence is a project rule: port-type first because the paper singles out port industry
    as what Shanghai took in; technology before urban so that electronics and instruments
    (urban-type in Shanghai's 1998 list) stay with the technology-intensive group.
    """
    c = classes
    fi = c["factor_intensity"].astype(str)
    port = c["port_type"].astype(str).str.lower().isin(["true", "1"])
    urban = c["urban_type"].astype(str).str.lower().isin(["true", "1"])
    out = fi.where(~(urban & (fi != "technology")), "urban").where(~port, "port")
    bad = set(out) - set(RELOCATION_CLASSES)
    if bad:
        raise ValueError(f"unexpected classes {bad}")
    return pd.Series(out.to_numpy(), index=c["code"].astype(str).to_numpy(), name="relocation_class")
