"""HTML view of the claims table."""

from __future__ import annotations

import pandas as pd

from yrd.webfont import FONT_STACK


def sample_sentence(accounting: pd.DataFrame, main: str) -> str:
    """One sentence on the analysis samples from ``sample/accounting.csv`` (yrd.sample)."""
    kept, rows = int(accounting["kept"].sum()), int(accounting["rows"].sum())
    threshold = float(accounting["threshold"].iloc[0]) if len(accounting) else float("nan")
    moves = ""
    if {"moves", "moves_kept"} <= set(accounting.columns):
        moves = f" and {int(accounting['moves_kept'].sum()):,} of {int(accounting['moves'].sum()):,} moves"
    return (
        f"Verdicts on the {main} sample. The consistent sample keeps firm-years with sales of at least "
        f"{threshold:,.0f} thousand yuan (the strictest survey threshold of the period) in every year: "
        f"{kept:,} of {rows:,} firm-years{moves}. Columns verdict_consistent and verdict_full give the "
        "verdict on each sample; where they differ the notes give the other sample's numbers."
    )


def render_html(
    table: pd.DataFrame,
    title: str,
    synthetic: bool,
    accounting: pd.DataFrame | None = None,
    main: str | None = None,
) -> str:
    """A self-contained HTML page of the claims table with coloured verdicts (for the report);
    with ``accounting`` (sample/accounting.csv) a sentence on the analysis samples. The page asks
    for system CJK fonts; rule claims embeds a subset of one (:func:`yrd.webfont.embed_cjk_font`)."""
    import html

    colours = {
        "supported": "#1a9641",
        "partly supported": "#a6d96a",
        "not supported": "#d7191c",
        "not comparable": "#7b3294",
        "inconclusive": "#fdae61",
        "no data": "#999999",
        "off": "#636363",
    }
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    rows = []
    for r in table.itertuples(index=False):
        cells = []
        for c, v in zip(table.columns, r, strict=True):
            style = ""
            if c in ("verdict", "verdict_consistent", "verdict_full"):
                style = f' style="background:{colours.get(v, "#fff")};color:white;font-weight:bold"'
            cells.append(f"<td{style}>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    banner = (
        '<p style="color:#B2182B;font-weight:bold">SYNTHETIC DATA (合成数据): verdicts on the embedded synthetic '
        "world show what the pipeline does, not facts about the YRD.</p>"
        if synthetic
        else ""
    )
    if accounting is not None and main:
        banner += f"<p>{html.escape(sample_sentence(accounting, main))}</p>"
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        + html.escape(title)
        + f"</title><style>body{{font-family:{FONT_STACK};font-size:13px}}table{{border-collapse:collapse}}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}th{background:#eee}</style></head><body>"
        + f"<h2>{html.escape(title)}</h2>{banner}<table><tr>{head}</tr>{''.join(rows)}</table></body></html>"
    )
