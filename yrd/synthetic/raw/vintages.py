"""Code vintages: county codes as in force in the year of the file (real code history,
:mod:`yrd.geography`) and industry codes in the GB/T 4754 vintage of the year (1994 / 2002 /
2011, :mod:`yrd.industry`), each harmonising back to the firm's true county and division.

The reference tables are arguments: ``history`` the code history (path of
``resources/areacodes/result.csv`` or :func:`yrd.geography.code_history`) and ``crosswalks`` the
GB/T 4754 crosswalk tables (:func:`yrd.industry.load_crosswalks`)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from yrd.geography import DEFAULT_VINTAGE, History, code_history, codes_in_force, harmonise_county_codes
from yrd.industry.codes import industry_vintage
from yrd.industry.crosswalks import Crosswalks, crosswalk, harmonise_industry_codes
from yrd.synthetic import identity as ident
from yrd.synthetic.raw.panel import Panel


def county_code_candidates(
    years: Iterable[int],
    vintage: int = DEFAULT_VINTAGE,
    provinces: Iterable[str] | None = None,
    *,
    history: History,
) -> pd.DataFrame:
    """For each year, every county-level code in force and the vintage county it harmonises to.

    Columns ``county`` (vintage code), ``year``, ``code`` (code in force that year), ``name``
    and ``parent`` (its name and prefecture name in that year, from the code history). The raw
    code of a firm in vintage county ``c`` in year ``t`` is one of the rows with ``county ==
    c`` and ``year == t``.
    """
    provinces = None if provinces is None else sorted({str(p)[:2] for p in provinces})
    table = code_history(history)  # read once for all years
    parts = []
    for y in sorted({int(v) for v in years}):
        c = codes_in_force(y, "county", provinces, history=table)
        h = harmonise_county_codes(c["code"], y, vintage, history=history)
        parts.append(
            pd.DataFrame(
                {
                    "county": h.to_numpy(dtype=object),
                    "year": y,
                    "code": c["code"].to_numpy(dtype=object),
                    "name": c["name"].to_numpy(dtype=object),
                    "parent": c["parent"].to_numpy(dtype=object),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out = out[out["county"].notna()]
    return out.sort_values(["county", "year", "code"], kind="stable").reset_index(drop=True)


def reachable_counties(
    years: Iterable[int],
    vintage: int = DEFAULT_VINTAGE,
    provinces: Iterable[str] | None = None,
    *,
    history: History,
) -> set[str]:
    """Vintage counties that some code in force in every one of ``years`` harmonises to: the
    counties where the model may place firms (elsewhere a raw file of some year could not
    carry a code that harmonises back to the firm's county, e.g. 2021 相城区 was part of 吴县市,
    which harmonises to 吴中区, before 2001)."""
    years = sorted({int(v) for v in years})
    cand = county_code_candidates(years, vintage, provinces, history=history)
    n_years = cand.groupby("county")["year"].nunique()
    vint = codes_in_force(
        vintage, "county", None if provinces is None else sorted({str(p)[:2] for p in provinces}), history=history
    )
    full = set(n_years.index[n_years == len(years)])
    return {str(c) for c in vint["code"] if c in full}


def industry_code_candidates(industry4: Iterable[str], year: int, *, crosswalks: Crosswalks) -> pd.DataFrame:
    """Codes of the GB/T 4754 vintage of ``year`` that can stand for each 2002 class.

    For a 2002 four-digit class ``k`` (division ``k[:2]``): the source codes the crosswalk maps
    to ``k`` whose harmonised division (:func:`yrd.industry.harmonise_industry_codes`) is
    ``k[:2]``; if there is none (1994 3752, 3753; 2011 3663) or ``k`` is not a 2002 class,
    source codes mapping into ``k``'s three-digit group, else any source code, harmonising to
    ``k[:2]``. Columns ``industry4``, ``code``, ``rule`` (``inverse``, ``group``, ``division``).
    """
    v = industry_vintage(int(year))
    classes = sorted({str(k) for k in industry4})
    if v == 2002:
        codes = pd.Series(crosswalks.codes_2002, dtype="str")
        pairs = pd.DataFrame({"from_code": codes, "to_code": codes})
    else:
        pairs = crosswalk(v, level=4, crosswalks=crosswalks)[["from_code", "to_code"]]
    src = pd.Series(sorted(set(pairs["from_code"])), dtype=object)
    div = pd.Series(
        harmonise_industry_codes(src, int(year), crosswalks=crosswalks).to_numpy(dtype=object), index=src.to_numpy()
    )
    pairs = pairs.assign(div=pairs["from_code"].map(div))
    pairs = pairs[pairs["div"].notna() & (pairs["div"] == pairs["to_code"].str[:2])]
    rows = []
    by_target = {k: g["from_code"].tolist() for k, g in pairs.groupby("to_code")}
    by_group = {k: sorted(set(g["from_code"])) for k, g in pairs.groupby(pairs["to_code"].str[:3])}
    by_div = {k: sorted(set(g["from_code"])) for k, g in pairs.groupby("div")}
    for k in classes:
        if k in by_target:
            codes, rule = sorted(set(by_target[k])), "inverse"
        elif k[:3] in by_group:
            codes, rule = by_group[k[:3]], "group"
        elif k[:2] in by_div:
            codes, rule = by_div[k[:2]], "division"
        else:
            raise ValueError(f"no GB/T 4754-{v} code harmonises to division {k[:2]} (class {k}, year {year})")
        rows.extend((k, c, rule) for c in codes)
    return pd.DataFrame(rows, columns=["industry4", "code", "rule"])


def assign_county_codes(p: Panel, cand: pd.DataFrame, fid_u: np.ndarray) -> np.ndarray:
    """Index into ``cand`` (:func:`county_code_candidates`) of the raw county code of every row.

    A firm keeps its code while the code is still a candidate for its county (so codes change
    only with real code changes or moves); otherwise it takes the candidate drawn by its own
    stable number ``fid_u`` (one per firm). Raises ``ValueError`` when a county has no code in
    force in some year that harmonises to it."""
    key_ct = cand["county"].astype(np.int64).to_numpy() * 10_000 + cand["year"].to_numpy(dtype=np.int64)
    ct_keys, ct_start, ct_n = np.unique(key_ct, return_index=True, return_counts=True)
    code_int = cand["code"].astype(np.int64).to_numpy()
    full_key = key_ct * 1_000_000 + code_int  # (county, year, code), sorted like cand
    row_ct = p.county * 10_000 + p.year
    pos = np.minimum(np.searchsorted(ct_keys, row_ct), len(ct_keys) - 1)
    miss = ct_keys[pos] != row_ct
    if miss.any():
        i = int(np.flatnonzero(miss)[0])
        raise ValueError(
            f"county {p.county[i]} cannot be written in {p.year[i]}: no county code in force that year "
            f"harmonises to it (place firms only in reachable_counties())"
        )
    out = np.empty(p.n, dtype=np.int64)
    last = np.full(len(p.fids), -1, dtype=np.int64)  # last raw code of each firm
    for _, lo, hi in p.bounds():
        fi = p.f[lo:hi]
        start, n = ct_start[pos[lo:hi]], ct_n[pos[lo:hi]]
        fresh = start + ident.pick(fid_u[fi], n)
        prev = last[fi]
        keep_key = row_ct[lo:hi] * 1_000_000 + np.maximum(prev, 0)
        j = np.minimum(np.searchsorted(full_key, keep_key), len(full_key) - 1)
        keep = (prev >= 0) & (full_key[j] == keep_key)
        idx = np.where(keep, j, fresh)
        out[lo:hi] = idx
        last[fi] = code_int[idx]
    return out


def assign_industry_codes(p: Panel, fid_u: np.ndarray, *, crosswalks: Crosswalks) -> tuple[np.ndarray, np.ndarray]:
    """Raw industry code of every row, in the vintage of its year: a stable choice per firm
    (by its number ``fid_u``) among :func:`industry_code_candidates`. Returns (index per row,
    code strings)."""
    out = np.empty(p.n, dtype=np.int64)
    all_codes: list[str] = []
    by_vintage: dict[int, list[int]] = {}
    for y in p.years:
        by_vintage.setdefault(industry_vintage(y), []).append(y)
    for ys in by_vintage.values():
        rows = np.flatnonzero(np.isin(p.year, ys))
        present = np.unique(p.k4[rows])
        cand = industry_code_candidates(p.k4_u[present], ys[0], crosswalks=crosswalks)
        keys, c_start, c_n = np.unique(cand["industry4"].to_numpy(dtype=str), return_index=True, return_counts=True)
        # candidate block of every class index
        blk = np.searchsorted(keys, p.k4_u.astype(str))
        blk = np.minimum(blk, len(keys) - 1)
        k = p.k4[rows]
        idx = c_start[blk[k]] + ident.pick(fid_u[p.f[rows]], c_n[blk[k]])
        out[rows] = len(all_codes) + idx
        all_codes.extend(cand["code"].tolist())
    return out, np.array(all_codes, dtype=object)


def check_codes(
    p: Panel,
    cand: pd.DataFrame,
    cty_idx: np.ndarray,
    ind_idx: np.ndarray,
    ind_codes: np.ndarray,
    vintage: int,
    *,
    history: History,
    crosswalks: Crosswalks,
) -> None:
    """Every (raw code, year) of the panel must harmonise back to the true county / division;
    raises ``RuntimeError`` otherwise."""
    t = pd.DataFrame({"i": cty_idx, "y": p.year, "c": p.county}).drop_duplicates().to_numpy().T
    codes = pd.Series(cand["code"].to_numpy(dtype=object)[t[0]])
    h = harmonise_county_codes(codes, pd.Series(t[1]), vintage, history=history).to_numpy(dtype=object)
    bad = np.flatnonzero(h != np.array([str(c) for c in t[2]], dtype=object))
    if len(bad):
        ex = [(codes[i], int(t[1][i]), int(t[2][i])) for i in bad[:5]]
        raise RuntimeError(f"raw county codes (code, year, true county) do not harmonise back: {ex}")
    t = pd.DataFrame({"i": ind_idx, "y": p.year, "k": p.k4}).drop_duplicates().to_numpy().T
    codes = pd.Series(ind_codes[t[0]])
    h = harmonise_industry_codes(codes, pd.Series(t[1]), crosswalks=crosswalks).to_numpy(dtype=object)
    bad = np.flatnonzero(h != p.div_u[t[2]])
    if len(bad):
        ex = [(codes[i], int(t[1][i]), p.k4_u[t[2][i]]) for i in bad[:5]]
        raise RuntimeError(f"raw industry codes (code, year, true class) do not harmonise back: {ex}")
