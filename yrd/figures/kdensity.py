"""C7: Duranton-Overman K-densities with local and global bands for contrasting industries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from yrd.figures.common import finish
from yrd.plotting import bilingual


def contrasting_industries(summary: pd.DataFrame, year: int) -> list[str]:
    """The most localised industry (largest localisation index) and the most dispersed one
    (largest dispersion index, else the least localised) among those with status ``ok`` in ``year``."""
    s = summary[(summary["year"] == year) & (summary["status"] == "ok")]
    if s.empty:
        raise ValueError(f"no K-density summary with status ok in {year}")
    loc = s.sort_values(["localisation_index", "industry"], ascending=[False, True]).iloc[0]["industry"]
    rest = s[s["industry"] != loc]
    if rest.empty:
        return [str(loc)]
    if (rest["dispersion_index"] > 0).any():
        disp = rest.sort_values(["dispersion_index", "industry"], ascending=[False, True]).iloc[0]["industry"]
    else:
        disp = rest.sort_values(["localisation_index", "industry"]).iloc[0]["industry"]
    return [str(loc), str(disp)]


def kdensity_figure(
    density: pd.DataFrame,
    summary: pd.DataFrame,
    industries: Sequence[str],
    *,
    year: int,
    industry_labels: Mapping[str, str],
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """One panel per industry: K(d) against distance, the local 90% band of the counterfactuals
    (shaded) and the global confidence band (dashed), with the localisation and dispersion
    indices of the summary."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(industries), figsize=(5.4 * len(industries), 4.6), squeeze=False, sharey=False)
    for ax, ind in zip(axes[0], industries, strict=True):
        d = density[(density["year"] == year) & (density["industry"] == ind)].sort_values("distance_km")
        ax.fill_between(
            d["distance_km"],
            d["local_lo"],
            d["local_hi"],
            color="#bbbbbb",
            alpha=0.6,
            label=bilingual("局部置信带", "local band", cjk),
        )
        ax.plot(
            d["distance_km"],
            d["global_lo"],
            color="#555",
            ls="--",
            lw=1,
            label=bilingual("全局置信带", "global band", cjk),
        )
        ax.plot(d["distance_km"], d["global_hi"], color="#555", ls="--", lw=1)
        ax.plot(d["distance_km"], d["k"], color="#D55E00", lw=1.8, label="K(d)")
        s = summary[(summary["year"] == year) & (summary["industry"] == ind)]
        if len(s):
            r = s.iloc[0]
            state = "localised" if bool(r["localised"]) else "dispersed" if bool(r["dispersed"]) else "neither"
            ax.text(
                0.98,
                0.97,
                f"{state}\nlocalisation {r['localisation_index']:.3f}\ndispersion {r['dispersion_index']:.3f}"
                f"\n{int(r['n_plants'])} plants, {int(r['n_sites'])} sites",
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=7.5,
                bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"),
            )
        ax.set_title(industry_labels.get(ind, ind), fontsize=9.5)
        ax.set_xlabel(bilingual("企业间距离（公里）", "distance between plants (km)", cjk), fontsize=8.5)
        ax.set_ylabel(bilingual("核密度 K(d)", "K-density (per km)", cjk), fontsize=8.5)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7.5, loc="best")
    title = bilingual(f"产业集聚的K密度（{year}年）", f"Duranton-Overman K-densities, {year}", cjk)
    sub = "Above the global band: localised; below: dispersed (plants at county centroids, 5%-95% bands)"
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)
