"""The context of one raw world: everything the rows of every year's file are drawn from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yrd.geography import History
from yrd.industry.crosswalks import Crosswalks
from yrd.ingest.headers import HeaderDialects
from yrd.synthetic import identity as ident
from yrd.synthetic.raw import salts
from yrd.synthetic.raw.geocodes import POINT_COLUMNS
from yrd.synthetic.raw.identities import Identities, Locations
from yrd.synthetic.raw.panel import FirmOrder, Panel
from yrd.synthetic.raw.settings import resolve_raw_config
from yrd.synthetic.raw.vintages import (
    assign_county_codes,
    assign_industry_codes,
    check_codes,
    county_code_candidates,
)


@dataclass(frozen=True)
class RawContext:
    """The true panel with its raw codes, identities and settings, shared by every year's file.

    Build it with :meth:`build`. ``cfg`` is the resolved ``synthetic.raw`` configuration
    (:func:`~yrd.synthetic.raw.settings.resolve_raw_config`); ``counties`` the county code
    candidates (:func:`~yrd.synthetic.raw.vintages.county_code_candidates`) and ``county_idx``
    the row of ``counties`` of every panel row; ``industry_idx`` indexes ``industry_codes``
    (the raw industry code of every panel row); ``identities`` the firms' codes, names and
    people, ``locations`` the location spells and phone epochs of every row.
    """

    panel: Panel
    firms: FirmOrder
    cfg: Mapping[str, Any]
    seed: int
    vintage: int
    dialects: HeaderDialects
    counties: pd.DataFrame
    county_idx: np.ndarray
    industry_idx: np.ndarray
    industry_codes: np.ndarray
    identities: Identities
    locations: Locations
    #: true plant point (lon, lat) of every panel row, or None when the files carry no geocodes
    points: np.ndarray | None = None
    #: the ``synthetic.plant_points`` block (geocode defects) when ``points`` is given
    point_cfg: Mapping[str, Any] | None = None

    @classmethod
    def build(
        cls,
        panel: pd.DataFrame,
        raw_cfg: Mapping[str, Any],
        seed: int,
        vintage: int,
        *,
        dialects: HeaderDialects,
        history: History,
        crosswalks: Crosswalks,
        points: pd.DataFrame | None = None,
        point_cfg: Mapping[str, Any] | None = None,
    ) -> RawContext:
        """Check the true ``panel`` and the configuration, draw the raw county and industry codes of
        every row (checked to harmonise back) and the firms' identities.

        Reference tables: ``dialects`` the header-dialect table
        (:func:`yrd.ingest.headers.load_dialects`), ``history`` the code history (path of
        ``resources/areacodes/result.csv`` or :func:`yrd.geography.code_history`), ``crosswalks``
        the GB/T 4754 crosswalk tables (:func:`yrd.industry.load_crosswalks`).

        Raises ``ValueError`` for a bad panel or configuration, a dialect the table lacks, or a
        county that cannot be written in some year; ``RuntimeError`` if a raw code would not
        harmonise back to the truth.

        ``points``: the true plant points (``true_firm_id``, ``year``, ``lon``, ``lat``,
        :func:`yrd.synthetic.points.plant_points`) to write as geocode columns with the defects
        of ``point_cfg`` (:mod:`yrd.synthetic.raw.geocodes`); None: no geocode columns."""
        p = Panel(panel)
        cfg = resolve_raw_config(raw_cfg, p.years)
        table = dialects
        needed = sorted({y["dialect"] for y in cfg["years"].values()} | {"zh"})  # zh: Stata variable labels
        absent = [d for d in needed if d not in table.dialects]
        if absent:
            raise ValueError(f"{table.source}: dialects {absent} missing (needed by synthetic.raw.dialects)")
        if points is not None:
            lack = [d for d in needed if any(c not in table.dialects[d] for c in POINT_COLUMNS)]
            if lack:
                raise ValueError(f"{table.source}: dialects {lack} lack longitude/latitude (needed by plant points)")
        seed = int(seed)
        fo = FirmOrder(p.f, p.year, len(p.fids))
        provinces = sorted({str(c)[:2] for c in np.unique(p.county // 10_000)})
        cand = county_code_candidates(p.years, vintage, provinces, history=history)
        cty_idx = assign_county_codes(p, cand, ident.uniform(seed, p.fids, salts.COUNTY))
        ind_idx, ind_codes = assign_industry_codes(
            p, ident.uniform(seed, p.fids, salts.INDUSTRY), crosswalks=crosswalks
        )
        check_codes(p, cand, cty_idx, ind_idx, ind_codes, vintage, history=history, crosswalks=crosswalks)
        idt = Identities(p=p, fo=fo, cand=cand, cty_idx=cty_idx, cfg=cfg, seed=seed)
        loc = Locations.draw(p=p, fo=fo, phone_year=idt.phone_year, seed=seed)
        return cls(
            panel=p,
            firms=fo,
            cfg=cfg,
            seed=seed,
            vintage=vintage,
            dialects=table,
            counties=cand,
            county_idx=cty_idx,
            industry_idx=ind_idx,
            industry_codes=ind_codes,
            identities=idt,
            locations=loc,
            points=None if points is None else _align_points(p, points),
            point_cfg=point_cfg,
        )


def _align_points(p: Panel, points: pd.DataFrame) -> np.ndarray:
    """``(lon, lat)`` of every row of the panel ``p`` (its order) from the table ``points``;
    ``ValueError`` when a firm-year has no point."""
    key = points["true_firm_id"].to_numpy(np.int64) * 10_000 + points["year"].to_numpy(np.int64)
    xy = pd.DataFrame({"lon": points["lon"].to_numpy(float), "lat": points["lat"].to_numpy(float)}, index=key)
    out = xy.reindex(p.fid * 10_000 + p.year).to_numpy(float)
    if np.isnan(out).any():
        raise ValueError(f"{int(np.isnan(out[:, 0]).sum())} firm-years of the panel have no plant point")
    return out
