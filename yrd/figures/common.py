"""Shared pieces of the claim figures: header and footer, the SYNTHETIC DATA mark, labels, saving.

Every figure function of :mod:`yrd.figures` returns a Matplotlib figure finished by
:func:`finish`: a title, an optional subtitle, a source line at the bottom and, when the input
is synthetic, a red "SYNTHETIC DATA / 合成数据" badge at the top right plus a faint diagonal
watermark, so that a figure copied out of the report still says what it is.

Fonts: call :func:`yrd.plotting.setup_fonts` first (the scripts do); it returns ``cjk``, which
every function here takes to choose Chinese-and-English labels or the pinyin/English fallback.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from yrd.plotting import GROUP_COLOURS, bilingual  # noqa: E402
from yrd.regions import GROUPS, codes_in_set, mapping_of  # noqa: E402, F401 (re-exported)

SYNTHETIC_EN = "SYNTHETIC DATA"
SYNTHETIC_ZH = "合成数据"

#: Relocation classes (yrd.industry.relocation_class) with the paper's words.
CLASS_LABELS = {
    "labour": ("劳动密集型", "labour-intensive"),
    "capital": ("资本密集型", "capital-intensive"),
    "technology": ("技术密集型", "technology-intensive"),
    "port": ("港口型", "port-type"),
    "urban": ("都市型", "urban-type"),
    "total": ("合计", "total"),
}

CLASS_SHORT = {
    "labour": ("劳动", "labour"),
    "capital": ("资本", "capital"),
    "technology": ("技术", "techn."),
    "port": ("港口", "port"),
    "urban": ("都市", "urban"),
    "total": ("合计", "total"),
}

#: Colours of the relocation classes (Okabe-Ito, colour-blind safe).
CLASS_COLOURS = {
    "labour": "#E69F00",
    "capital": "#56B4E9",
    "technology": "#009E73",
    "port": "#0072B2",
    "urban": "#CC79A7",
    "total": "#444444",
}

#: Province (2-digit code) labels.
PROVINCE_LABELS = {
    "31": ("上海", "Shanghai"),
    "32": ("江苏", "Jiangsu"),
    "33": ("浙江", "Zhejiang"),
    "34": ("安徽", "Anhui"),
}

#: Colour of the synthetic-data badge.
SYNTHETIC_COLOUR = "#B2182B"


def class_label(cls: str, cjk: bool) -> str:
    """``"劳动密集型 labour-intensive"`` (or the English part only without a CJK font)."""
    zh, en = CLASS_LABELS.get(cls, (cls, cls))
    return bilingual(zh, en, cjk)


def class_short(cls: str, cjk: bool) -> str:
    """Short two-line class label for crowded axes (``劳动\\nlabour``)."""
    zh, en = CLASS_SHORT.get(cls, (cls, cls))
    return f"{zh}\n{en}" if cjk else en


def province_label(code: str, cjk: bool) -> str:
    """Label of a province given by its 2- or 6-digit code."""
    zh, en = PROVINCE_LABELS.get(str(code)[:2], (str(code), str(code)))
    return bilingual(zh, en, cjk)


def group_label(group: str, cjk: bool) -> str:
    """Label of a region group (``sunan`` -> ``苏南 Sunan``)."""
    row = GROUPS[GROUPS["group"] == group]
    if row.empty:
        return group
    return bilingual(row["label_zh"].iloc[0], row["label_en"].iloc[0], cjk)


def group_colour(group: str) -> str:
    return GROUP_COLOURS.get(group, "#999999")


def industry_labels(cjk: bool, industries: pd.DataFrame) -> dict[str, str]:
    """Short label of every 2-digit industry code (GB/T 4754-2002), e.g. ``"23 印刷 Printing"``.

    ``industries``: the table of :func:`yrd.industry.industries`
    (``resources/industry/gb2002_2digit.csv``)."""
    out = {}
    for r in industries.itertuples():
        name = f"{r.name_short_zh} {r.name_short_en}" if cjk else r.name_short_en
        out[str(r.code)] = f"{r.code} {name}"
    return out


def prefecture_labels(prefectures: pd.DataFrame, cjk: bool) -> dict[str, str]:
    """Short name of each prefecture code: ``苏州`` with a CJK font, else ``Suzhou``."""
    out = {}
    for r in prefectures.itertuples():
        out[str(r.code)] = str(r.name_zh).removesuffix("市") if cjk else str(r.name_pinyin)
    return out


def synthetic_subtitle(synthetic: bool, cjk: bool) -> str:
    if not synthetic:
        return ""
    return (
        f"{SYNTHETIC_ZH} {SYNTHETIC_EN}" if cjk else SYNTHETIC_EN
    ) + ": embedded synthetic world, not facts about the YRD"


def add_synthetic_mark(fig, cjk: bool) -> None:
    """Red badge in the top strip at the right and a faint diagonal watermark."""
    label = f"{SYNTHETIC_EN} · {SYNTHETIC_ZH}" if cjk else SYNTHETIC_EN
    fig.text(
        0.995,
        1 - 0.03 / fig.get_figheight(),
        label,
        ha="right",
        va="top",
        fontsize=9,
        color="white",
        bbox=dict(boxstyle="round,pad=0.25", facecolor=SYNTHETIC_COLOUR, edgecolor="none"),
        zorder=10,
    )
    fig.text(
        0.5,
        0.5,
        SYNTHETIC_EN,
        ha="center",
        va="center",
        rotation=28,
        fontsize=44,
        color=SYNTHETIC_COLOUR,
        alpha=0.06,
        zorder=0,
    )


#: Height (inches) of the strip above the title that holds the synthetic badge.
BADGE_STRIP = 0.3


def header_inches(synthetic: bool, n_subtitle_lines: int) -> float:
    """Height of the header (badge strip, title, subtitle lines) in inches."""
    return (BADGE_STRIP if synthetic else 0.05) + 0.42 + 0.17 * n_subtitle_lines + 0.05


def axes_top(fig, *, synthetic: bool, subtitle: str | None = None) -> float:
    """Figure fraction below the header that :func:`finish` draws (for hand-placed axes)."""
    n = int(bool(subtitle)) + (subtitle or "").count("\n") + int(synthetic)
    return 1 - header_inches(synthetic, n) / fig.get_figheight()


def finish(
    fig,
    *,
    title: str,
    source: str,
    synthetic: bool,
    cjk: bool,
    subtitle: str | None = None,
    top: float | None = None,
    bottom: float | None = None,
    tight: bool = True,
) -> matplotlib.figure.Figure:
    """Title, subtitle, source line and (when ``synthetic``) the synthetic mark; tight layout
    inside the band left free for them (``tight=False``: the caller places the axes, below
    :func:`axes_top`). Returns ``fig``."""
    h = fig.get_figheight()
    lines = [s for s in (subtitle, synthetic_subtitle(synthetic, cjk)) if s]
    n_sub = sum(1 + s.count("\n") for s in lines)
    strip = BADGE_STRIP if synthetic else 0.05
    top = top if top is not None else 1 - header_inches(synthetic, n_sub) / h
    n_lines = max(1, int(len(source) / (fig.get_figwidth() * 15)) + 1)
    bottom = bottom if bottom is not None else min(0.3, (0.12 + 0.13 * n_lines) / h)
    fig.suptitle(title, fontsize=12.5, y=1 - strip / h, va="top")
    if lines:
        fig.text(0.5, 1 - (strip + 0.38) / h, "\n".join(lines), ha="center", va="top", fontsize=8.5, color="#333333")
    fig.text(0.01, 0.006, source, ha="left", va="bottom", fontsize=6.5, color="#444444", wrap=True)
    if synthetic:
        add_synthetic_mark(fig, cjk)
    if tight:
        fig.tight_layout(rect=(0, bottom, 1, top))
        # tight_layout also reserves room for the suptitle: place the axes' tops (titles included)
        # just below the header instead.
        renderer = fig.canvas.get_renderer()
        over = max(
            (
                ax.get_tightbbox(renderer).y1 / fig.bbox.height - ax.get_position().y1
                for ax in fig.axes
                if ax.get_visible()
            ),
            default=0.0,
        )
        fig.subplots_adjust(top=top - max(0.0, over) - 0.01)
    return fig


def place_axes(fig, *, synthetic: bool, subtitle: str | None, gap: float, **adjust: float) -> matplotlib.figure.Figure:
    """Place the axes of a figure finished with ``finish(..., tight=False)``: their top ``gap``
    (figure fraction) below the header (:func:`axes_top`), the other edges and spacings by
    ``adjust`` (:meth:`~matplotlib.figure.Figure.subplots_adjust`). Returns ``fig``."""
    fig.subplots_adjust(top=axes_top(fig, synthetic=synthetic, subtitle=subtitle) - gap, **adjust)
    return fig


SAMPLE_WORDS = {
    "consistent": "Consistent sample: firm-years whose sales reach the strictest survey threshold of the period.",
    "full": "Full survey sample (the 2011 threshold rise included).",
}


def source_note(inputs, synthetic: bool, extra: str = "", sample: str | None = None) -> str:
    """``Source: a, b (pipeline yrd). extra. <sample>. SYNTHETIC firm data ...`` for the footer;
    ``sample``: the analysis sample of a claim document (yrd.sample), named in words."""
    names = ", ".join(str(i) for i in inputs if i)
    text = f"Source: {names} (pipeline yrd)."
    if extra:
        text += " " + extra.strip()
    if sample:
        text += " " + SAMPLE_WORDS.get(sample, f"Sample: {sample}.")
    if synthetic:
        text += " SYNTHETIC firm data (embedded synthetic world), real geography."
    return text


def p_text(p: float) -> str:
    """``p=0.012`` or ``p<0.001``."""
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def save(fig, path: str | Path, dpi: int) -> Path:
    """Write ``fig`` as PNG at ``dpi`` and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png")
    plt.close(fig)
    return path


def no_data_figure(message: str, *, title: str, source: str, synthetic: bool, cjk: bool, figsize=(8, 4.5)):
    """A figure that says why there is nothing to show (e.g. no moves in a window)."""
    import textwrap

    fig, ax = plt.subplots(figsize=figsize)
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, wrap=True)
    width = int(figsize[0] * 12)  # characters of an 11-pt title line, Chinese counted twice
    if sum(2 if ord(ch) > 0x2E80 else 1 for ch in title) > width and " " in title:
        zh, _, en = title.partition(" ") if cjk else ("", "", title)
        title = "\n".join(x for x in [zh, textwrap.fill(en, width)] if x)
    return finish(fig, title=title, source=source, synthetic=synthetic, cjk=cjk)


def legend_outside(ax, handles=None, labels=None, **kw) -> None:
    """Legend to the right of the axis."""
    kw = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 7.5, "frameon": False, **kw}
    if handles is None:
        ax.legend(**kw)
    else:
        ax.legend(handles, labels, **kw)
