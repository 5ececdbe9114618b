"""The rows of one year's file: identities, look-real contact data and facts of every firm-year,
then the defects (:mod:`yrd.synthetic.raw.messes`), with the record truth of every row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from yrd.synthetic import identity as ident
from yrd.synthetic.raw import messes, salts
from yrd.synthetic.raw.context import RawContext
from yrd.synthetic.raw.geocodes import geocode_columns
from yrd.synthetic.raw.settings import MONEY_UNITS


def year_rows(ctx: RawContext, year: int, lo: int, hi: int) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """The data columns (canonical names) and the truth flags of ``year``'s file, whose firm-years
    are the panel rows ``lo:hi``; rows in file order (duplicates included). With plant points in
    the context, also ``longitude``/``latitude`` and the truth column ``geocode_defect``
    (:mod:`yrd.synthetic.raw.geocodes`)."""
    rows = np.arange(lo, hi)
    t = year
    cfg, ycfg = ctx.cfg, ctx.cfg["years"][year]
    rng = np.random.default_rng([ctx.seed % 2**63, t, 0xA5])
    data, marks = _firm_year_columns(ctx, t, rows)
    defect = None
    if ctx.points is not None:  # own generator: the draws of `rng` below are unchanged
        county = ctx.panel.county[rows]
        lon, lat = ctx.points[rows, 0], ctx.points[rows, 1]
        data["longitude"], data["latitude"], defect = geocode_columns(lon, lat, county, ctx.point_cfg, ctx.seed, t)

    invalid, reason = messes.invalidate(data, t, cfg["invalid_rate"], rng)
    code_missing = messes.drop_firm_codes(data, invalid, cfg["missing_firm_code_rate"], rng)
    if ycfg["format"] == "dta":
        data["industry_code"] = data["industry_code"].astype(np.int64)
    out_rows, duplicate = messes.file_order(data["county_code"], cfg["duplicate_rate"], rng)
    data = {k: v[out_rows] for k, v in data.items()}
    flags = pd.DataFrame(
        {
            "true_firm_id": marks["fid"][out_rows],
            "year": np.full(len(out_rows), t, dtype=np.int64),
            "invalid": invalid[out_rows],
            "invalid_reason": pd.array(reason[out_rows], dtype=object),
            "duplicate": duplicate,
            "id_reissued": marks["reissued"][out_rows],
            "id_reused": marks["reused"][out_rows],
            "name_variant": marks["variant"][out_rows],
            "renamed": marks["renamed"][out_rows],
            "firm_code_missing": code_missing[out_rows],
        }
    )
    if defect is not None:
        flags["geocode_defect"] = pd.array(defect[out_rows], dtype=object)
    return data, flags


def _firm_year_columns(
    ctx: RawContext, t: int, rows: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Canonical columns of the firm-years ``rows`` (panel order) as written before any defect,
    and per row the true firm id and the identity flags (``reissued``, ``reused``,
    ``variant``, ``renamed``)."""
    p, idt, loc, seed = ctx.panel, ctx.identities, ctx.locations, ctx.seed
    cand, ycfg, cfg = ctx.counties, ctx.cfg["years"][t], ctx.cfg
    n = len(rows)
    fi = p.f[rows]
    fid = p.fids[fi]

    # --- firm code, name, legal representative
    reissued = t >= idt.reissue_year[fi]
    code = np.where(reissued, idt.code1[fi], idt.code0[fi])
    reused = idt.reused[fi] & ~reissued
    if ycfg["firm_code_style"] == "hyphen":
        s = pd.Series(code, dtype=object)
        code = (s.str[:8] + "-" + s.str[8:]).to_numpy(dtype=object)
    renamed = t >= idt.rename_year[fi]
    name = np.where(renamed, idt.name1[fi], idt.name0[fi])
    variant = ident.uniform(seed, fid, t, salts.VARIANT) < cfg["name_variant_rate"]
    if variant.any():
        name[variant] = idt.variant_names(fi[variant], renamed[variant], fid[variant], t, seed)
    rep = np.where(t >= idt.rep_year[fi], idt.rep1[fi], idt.rep0[fi])

    # --- address, phone, postcode (look-real only)
    ci = ctx.county_idx[rows]
    cname = cand["name"].to_numpy(dtype=object)[ci]
    parent = cand["parent"].to_numpy(dtype=object)[ci]
    parent = np.where(parent == "直辖", "上海市", parent)
    parent = np.where(pd.Series(parent, dtype=object).str.endswith("市").to_numpy(), parent, "")
    sp = loc.spell[rows]
    ua = ident.uniform(seed, fid, sp, salts.ADDRESS)
    ub = ident.uniform(seed, fid, sp, salts.ADDRESS + 1000)
    uc = ident.uniform(seed, fid, sp, salts.ADDRESS + 2000)
    district = pd.Series(cname, dtype=object).str.endswith("区").to_numpy()
    pref_part = np.where(district | (ua < 0.5), parent, "")
    zone = np.array(ident.ZONES, dtype=object)[ident.pick(ub, len(ident.ZONES))]
    town = np.array(ident.TOWNS, dtype=object)[ident.pick(uc, len(ident.TOWNS))]
    middle = np.where(ua < 0.35, zone, np.where(ua < 0.65, town, ""))
    road = np.array(ident.ROADS, dtype=object)[ident.pick((ub * 7919) % 1.0, len(ident.ROADS))]
    number = ident.digits(1 + ident.pick((uc * 104729) % 1.0, 998))
    address = pref_part + cname + middle + road + number + "号"
    acode = loc.area[rows]
    phone = ident.phone_numbers(fid, loc.epoch[rows], acode, seed)
    if "area_code" in ycfg["columns_absent"]:
        phone = acode + "-" + phone
    # postcode: prefecture prefix (3 or 4 digits), county digit, then zeros or a local part
    local = ident.pick((ua * 7907) % 1.0, 100)
    local = np.where(((ua * 31) % 1.0) < 0.6, 0, local)
    pp = loc.post[rows]
    three = pd.Series(pp, dtype=object).str.len().to_numpy() == 3
    postcode = pp + loc.digit[rows] + np.where(three, ident.digits(local, 2), ident.digits(local // 10))

    # --- facts
    unit = MONEY_UNITS[ycfg["money_unit"]]
    decimals = 2 if ycfg["money_unit"] == "wan" else 1
    data: dict[str, np.ndarray] = {
        "firm_code": code.astype(object),
        "name": name.astype(object),
        "legal_rep": rep.astype(object),
        "county_code": cand["code"].to_numpy(dtype=object)[ci],
        "industry_code": ctx.industry_codes[ctx.industry_idx[rows]].astype(object),
        "founding_year": p.founding_year[rows].copy(),
        "reg_type": p.reg_u[p.reg[rows]],
        "employment": p.employment[rows].copy(),
        "output": np.round(p.output[rows] / unit, decimals),
        "sales": np.round(p.sales[rows] / unit, decimals),
        "phone": phone.astype(object),
        "area_code": acode.astype(object),
        "postcode": postcode.astype(object),
        "address": address.astype(object),
        "year": np.full(n, t, dtype=np.int64),
    }
    marks = {"fid": fid, "reissued": reissued, "reused": reused, "variant": variant, "renamed": renamed}
    return data, marks
