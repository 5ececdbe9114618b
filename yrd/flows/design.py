"""Design check: flows drawn from the synthetic world's location logit, for which the pooled
PPML gravity model must recover the distance and border coefficients.

:func:`simulate_logit_flows` draws, for every origin x class x year, the destinations of
``N_ogt`` reconsidering firms from a multinomial logit over staying (utility
``V_ogt + stay_premium``) and moving to each other place ``q`` (utility
``V_qgt + beta_log_distance ln d_oq + beta_border B_oq``), as
``yrd.synthetic.model.simulate`` does, and returns the moves between distinct places in the
layout of :func:`yrd.flows.gravity.gravity_frame`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from yrd.boundaries import great_circle_km
from yrd.flows.fixed_effects import add_fixed_effect_codes
from yrd.industry import RELOCATION_CLASSES


def simulate_logit_flows(
    n_places: int = 41,
    n_years: int = 16,
    n_classes: int = 5,
    beta_log_distance: float = -1.3,
    beta_border: float = -0.7,
    stay_premium: float = -1.0,
    firms: tuple[int, int] = (1000, 6000),
    attractiveness_sd: float = 1.0,
    n_provinces: int = 4,
    seed: int = 0,
    start: int = 1998,
) -> pd.DataFrame:
    """Moves by year x origin x destination x class from the logit (module docstring).

    Places are random points in a 6 x 7 degree box (about the YRD's extent) split into
    ``n_provinces`` provinces by longitude band; ``V`` is N(0, attractiveness_sd^2) per place x
    class x year; ``N_ogt`` is uniform on ``firms``. Returns ``year``, ``origin``, ``dest``,
    ``group``, ``moves``, ``distance``, ``log_distance``, ``border``, ``period`` (= year) and
    the codes ``og``, ``dg``, ``pair``, ``undirected_pair``.
    """
    rng = np.random.default_rng(seed)
    lon = rng.uniform(115.5, 122.5, n_places)
    lat = rng.uniform(28.0, 34.0, n_places)
    order = np.argsort(lon)
    prov = np.empty(n_places, dtype=np.int64)
    prov[order] = np.arange(n_places) * n_provinces // n_places
    codes = np.array([f"{31 + prov[i]}{i:02d}00" for i in range(n_places)], dtype=object)
    d = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, 1.0)
    ld = np.log(d)
    B = (prov[:, None] != prov[None, :]).astype(float)
    classes = (
        list(RELOCATION_CLASSES[:n_classes])
        if n_classes <= len(RELOCATION_CLASSES)
        else [f"class{k}" for k in range(n_classes)]
    )
    eye = np.eye(n_places, dtype=bool)
    parts = []
    for t in range(n_years):
        for g in classes:
            V = rng.normal(0.0, attractiveness_sd, n_places)
            N = rng.integers(firms[0], firms[1] + 1, n_places)
            util = V[None, :] + beta_log_distance * ld + beta_border * B
            util[eye] = V + stay_premium
            p = np.exp(util - util.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            counts = np.vstack([rng.multinomial(N[o], p[o]) for o in range(n_places)])
            oi, di = np.nonzero(~eye)
            parts.append(
                pd.DataFrame(
                    {
                        "year": start + t,
                        "origin": codes[oi],
                        "dest": codes[di],
                        "group": g,
                        "moves": counts[oi, di],
                        "distance": d[oi, di],
                        "log_distance": ld[oi, di],
                        "border": B[oi, di],
                    }
                )
            )
    f = pd.concat(parts, ignore_index=True)
    f["period"] = f["year"]
    add_fixed_effect_codes(f)
    return f
