"""HTML view of the claims table."""

from __future__ import annotations

import pandas as pd


def render_html(table: pd.DataFrame, title: str, synthetic: bool) -> str:
    """A self-contained HTML page of the claims table with coloured verdicts (for the report)."""
    import html

    colours = {
        "supported": "#1a9641",
        "not supported": "#d7191c",
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
            if c == "verdict":
                style = f' style="background:{colours.get(v, "#fff")};color:white;font-weight:bold"'
            cells.append(f"<td{style}>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    banner = (
        '<p style="color:#B2182B;font-weight:bold">SYNTHETIC DATA (合成数据): verdicts on the embedded synthetic '
        "world show what the pipeline does, not facts about the YRD.</p>"
        if synthetic
        else ""
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        + html.escape(title)
        + "</title><style>body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}th{background:#eee}</style></head><body>"
        + f"<h2>{html.escape(title)}</h2>{banner}<table><tr>{head}</tr>{''.join(rows)}</table></body></html>"
    )
