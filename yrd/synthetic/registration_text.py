"""Free text of the synthetic registration extracts (:mod:`yrd.synthetic.registration`):
place names in force in a year from the code history, addresses in several styles with street
noise, and dates in the formats :func:`yrd.registration.parse.parse_date` reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.geography import History, code_history
from yrd.io import write_xlsx
from yrd.synthetic import identity as ident
from yrd.synthetic.name_pools import ROADS, TOWNS, ZONES
from yrd.synthetic.raw.vintages import county_code_candidates

#: Address styles: province + prefecture + county, prefecture + county, short names (suffixes
#: dropped), county alone.
ADDRESS_STYLES = ("full", "no_province", "short", "county_only")
#: Date formats (``serial`` is the Excel 1900 serial, ``month`` gives month precision).
DATE_FORMATS = ("iso", "slash", "dots", "chinese", "compact", "datetime", "serial", "month")
DAY_FORMATS = DATE_FORMATS[:7]
_MUNICIPALITIES = {"11", "12", "31", "50"}


class Gazetteer:
    """Names in force of a vintage county in a year (code history), with its prefecture and province."""

    def __init__(self, history: History, years: list[int], vintage: int, provinces: list[str]):
        self.cand = county_code_candidates(years, vintage, provinces, history=history)
        self.by = dict(list(self.cand.groupby(["county", "year"], sort=False)))
        h = code_history(history)
        prov = h[h["level"] == "province"].sort_values("valid_to")
        self.province = dict(zip(prov["code"].str[:2], prov["name"]))
        self._memo: dict[tuple[str, int], tuple[list[tuple[str, str, str]], int]] = {}

    def place(self, county: str, year: int, u: float) -> tuple[str, str, str, str]:
        """``(code in force, county name, prefecture name, province name)``; the first candidate
        whose code is the vintage code when there is one, else a candidate by ``u``. The
        candidates of a ``(county, year)`` are looked up once and kept."""
        key = (county, year)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._candidates(county, year)
        rows, same = hit
        if not rows:  # not in the history at all (outside the world's provinces)
            return county, county, "", ""
        code, name, parent = rows[same] if same >= 0 else rows[int(u * len(rows))]
        prov = self.province.get(county[:2], "")
        parent = prov if county[:2] in _MUNICIPALITIES or parent in ("", "直辖", "市辖区") else parent
        return str(code), str(name), str(parent), prov

    def _candidates(self, county: str, year: int) -> tuple[list[tuple[str, str, str]], int]:
        """Candidates ``(code, name, parent)`` of a county in a year (the nearest year's when no
        code of that year harmonises to it) and the position of the vintage code among them (-1)."""
        g = self.by.get((county, year))
        if g is None:
            c = self.cand[self.cand["county"] == county]
            g = c[c["year"] == c["year"].iloc[(c["year"] - year).abs().argmin()]] if len(c) else None
        if g is None:
            return [], -1
        rows = list(zip(g["code"], g["name"], g["parent"]))
        same = next((i for i, r in enumerate(rows) if r[0] == county), -1)
        return rows, same


def street(rng: np.random.Generator) -> str:
    road = ROADS[rng.integers(len(ROADS))]
    num = f"{rng.integers(1, 999)}号"
    if rng.random() < 0.3:
        num = num.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    pre = TOWNS[rng.integers(len(TOWNS))] if rng.random() < 0.25 else ""
    post = f"{rng.integers(1, 30)}幢{rng.integers(101, 1200)}室" if rng.random() < 0.3 else ""
    return pre + road + num + post


def address(gaz: Gazetteer, county: str, year: int, style: str, vague: bool, rng: np.random.Generator) -> str:
    """Free-text address in ``county`` with the names in force in ``year`` (module docstring)."""
    _, cname, parent, prov = gaz.place(county, year, rng.random())
    stem = ident.place_stem
    road = street(rng)
    if vague:  # prefecture and a zone: the county is not recoverable
        return parent + ZONES[rng.integers(len(ZONES))] + road
    muni = county[:2] in _MUNICIPALITIES
    if style == "full":
        head = parent + cname if muni else prov + parent + cname
    elif style == "no_province":
        head = parent + cname
    elif style == "short":
        head = stem(parent) + (cname if len(stem(cname)) < 2 else stem(cname))
    else:  # a county alone, unless its name is generic (城区, 郊区)
        head = cname if len(cname) > 2 else parent + cname
    if rng.random() < 0.15:
        head += ZONES[rng.integers(len(ZONES))]
    return head + road


def date_text(d: dt.date, fmt: str) -> str:
    return {
        "iso": f"{d:%Y-%m-%d}",
        "slash": f"{d.year}/{d.month}/{d.day}",
        "dots": f"{d:%Y.%m.%d}",
        "chinese": f"{d.year}年{d.month}月{d.day}日",
        "compact": f"{d:%Y%m%d}",
        "datetime": f"{d:%Y-%m-%d} 00:00:00",
        "serial": str((d - dt.date(1899, 12, 30)).days),
        "month": f"{d:%Y.%m}",
    }[fmt]


def random_date(year: int, rng: np.random.Generator) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))


def write_extract_files(
    files: Mapping[str, pd.DataFrame], meta: Mapping[str, dict[str, Any]], out_dir: Path
) -> dict[str, dict[str, Any]]:
    """Write the synthetic registration extracts ``files`` (file name -> rows, canonical columns)
    into ``out_dir`` with the headers, format and encoding of ``meta`` (per file ``columns``,
    ``format`` csv or xlsx, ``encoding``): CSV in the file's encoding, GBK falling back to GB18030
    for a character GBK lacks; xlsx byte-identical on rerun (:func:`yrd.io.write_xlsx`). Returns a
    copy of ``meta`` with the encodings actually written."""
    written = {k: dict(v) for k, v in meta.items()}
    for fname, df in files.items():
        m = written[fname]
        df = df.rename(columns=m["columns"])
        if m["format"] == "xlsx":
            write_xlsx(df, out_dir / fname, creator="yrd synthetic")
            continue
        try:
            df.to_csv(out_dir / fname, index=False, encoding=m["encoding"])
        except UnicodeEncodeError:
            m["encoding"] = "gb18030"
            df.to_csv(out_dir / fname, index=False, encoding="gb18030")
    return written
