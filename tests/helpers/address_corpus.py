"""Test corpus of free-text addresses with known vintage county codes, built from the county
lists of Shanghai, Jiangsu, Zhejiang and Anhui (31-34) in the shipped code history.

Each county in force in the vintage appears in several writing styles; each county-level name
of 1995-2020 that is no longer in force appears with its province and prefecture of the time
(old-name style) and its truth is the project's harmonisation of that record."""

from __future__ import annotations

import pandas as pd

from yrd.geography import code_history, harmonisation_table

STREETS = ("人民路88号", "解放大道1号", "中山北路200号", "建设街5号3楼", "金山路18号", "长江路9号")
NOISE = ("经济开发区", "工业园区A座", "高新技术产业开发区", "科技园1号楼")
PROVINCE_NAMES = {"31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省"}
STYLES = ("full", "no_province", "no_suffix", "noise", "county_only", "old_name", "old_short", "old_no_prefecture")


def _strip(name: str, sufs: tuple[str, ...]) -> str:
    for s in sufs:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def build_corpus(history: str, vintage: int = 2021) -> pd.DataFrame:
    """Columns ``address``, ``truth`` (vintage county code), ``style``, ``name``."""
    t = code_history(history)
    t = t[(t["level"] == "county") & t["code"].str[:2].isin(list(PROVINCE_NAMES))]
    cur = t[(t["valid_from"] <= vintage) & (t["valid_to"] > vintage)].reset_index(drop=True)
    rows: list[dict[str, str]] = []
    for i, r in enumerate(cur.itertuples(index=False)):
        prov = PROVINCE_NAMES[r.code[:2]]
        pref = "" if r.parent == "直辖" else r.parent
        st, nz = STREETS[i % len(STREETS)], NOISE[i % len(NOISE)]
        short_prov, short_pref = _strip(prov, ("省", "市")), _strip(pref, ("市",))
        short_cty = _strip(r.name, ("自治县", "新区", "县", "区", "市"))
        styles = {
            "full": f"{prov}{pref}{r.name}{st}",
            "no_province": f"{pref or prov}{r.name}{st}",
            "no_suffix": f"{short_prov}{short_pref}{short_cty}{st}",
            "noise": f"{short_pref or short_prov}{short_cty}{nz}",
            "county_only": f"{r.name}{st}",
        }
        for style, addr in styles.items():
            rows.append({"address": addr, "truth": r.code, "style": style, "name": r.name})
    old = t[(t["valid_to"] <= vintage) & (t["valid_to"] >= 1996)].reset_index(drop=True)
    harm = harmonisation_table(old["code"], old["valid_to"] - 1, vintage, history=history)
    for i, (r, truth) in enumerate(zip(old.itertuples(index=False), harm["code_vintage"])):
        if pd.isna(truth):
            continue
        pref = "" if r.parent == "直辖" else r.parent
        prov, st = PROVINCE_NAMES[r.code[:2]], STREETS[i % len(STREETS)]
        short_cty = _strip(r.name, ("自治县", "新区", "县", "区", "市"))
        styles = {
            "old_name": f"{prov}{pref}{r.name}{st}",
            "old_short": f"{_strip(pref, ('市', '地区')) or _strip(prov, ('市',))}{short_cty}{st}",
            "old_no_prefecture": f"{prov}{r.name}{st}",
        }
        for style, addr in styles.items():
            rows.append({"address": addr, "truth": str(truth), "style": style, "name": r.name})
    return pd.DataFrame(rows)


def accuracy_by_style(corpus: pd.DataFrame, parsed: pd.DataFrame) -> pd.DataFrame:
    """Per style: ``n``, ``exact`` (share whose county equals the truth), ``wrong`` (a county
    other than the truth) and the share of each resolution kind."""
    d = corpus.assign(county=parsed["county"].to_numpy(), resolution=parsed["resolution"].to_numpy())
    d["exact"] = d["county"] == d["truth"]
    d["wrong"] = d["county"].notna() & ~d["exact"]
    out = d.groupby("style").agg(n=("exact", "size"), exact=("exact", "mean"), wrong=("wrong", "mean"))
    kinds = pd.crosstab(d["style"], d["resolution"], normalize="index")
    return out.join(kinds).fillna(0.0)
