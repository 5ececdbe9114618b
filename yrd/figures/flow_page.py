"""One self-contained HTML page for a Plotly figure (:mod:`yrd.figures.flow_map_interactive`):
plotly.js inline (no CDN), the Chinese through an inline subset of Noto Sans CJK SC, and the
script that draws the figure once the font is loaded and combines the three menus (class,
period, direction) into the view shown. The page opens with no network."""

from __future__ import annotations

import json
import re
from pathlib import Path

from yrd import webfont

#: The page's script (``%s``: the figure's JSON): draws the figure once the embedded CJK font is
#: loaded (text is measured with it), then the state of the three menus picks the visible traces
#: and the summary line.
SCRIPT = """
var fig = %s;
var gd = document.getElementById('yrd-flow-map');
var meta = fig.layout.meta || {};
var st = {};
(meta['default'] || 'out|window|total').split('|').forEach(function (v, i) {
  st[['direction', 'period', 'group'][i]] = v;
});
function yrdApply() {
  var vis = gd.data.map(function (t) {
    var m = t.meta || {};
    if (m.direction === undefined) return true;
    return m.direction === st.direction && m.period === st.period && m.group === st.group;
  });
  var key = st.direction + '|' + st.period + '|' + st.group;
  var text = (meta.summaries || {})[key] || 'no moves in this view';
  Plotly.restyle(gd, {visible: vis});
  Plotly.relayout(gd, {'annotations[0].text': text});
  gd.setAttribute('data-view', key);
  gd.setAttribute('data-visible-traces', vis.filter(function (v) { return v; }).length);
}
var fontReady = (document.fonts && document.fonts.load)
  ? document.fonts.load("16px 'YrdCJK'", "上海").catch(function () {})
  : Promise.resolve();
fontReady.then(function () {
  return Plotly.newPlot(gd, fig.data, fig.layout, {displaylogo: false, responsive: true, scrollZoom: true});
}).then(function () {
  gd.on('plotly_buttonclicked', function (e) {
    st[e.button.args[0]] = e.button.args[1];
    yrdApply();
  });
  gd.setAttribute('data-traces', gd.data.length);
  yrdApply();
});
"""

#: Family name of the embedded CJK subset (:data:`yrd.webfont.FAMILY`).
CJK_FACE = webfont.FAMILY


def cjk_font_face(text: str) -> str:
    """The embedded subset of Noto Sans CJK SC for the CJK characters of ``text``
    (:func:`yrd.webfont.font_block`: a base64 ``@font-face`` with its OFL licence comment), so
    the Chinese renders on a machine without a CJK font and without network; "" without CJK
    characters or without the font (the pinyin beside each name stays readable)."""
    chars = "".join(sorted({ch for ch in text if ord(ch) >= 0x2E80}))
    path = webfont.find_cjk_font()
    if not chars or path is None:
        return ""
    return webfont.font_block(path, chars)


#: A ``\\uXXXX`` escape in JSON other than ``\\u00XX`` (Plotly escapes only ``<``, ``>`` and ``/``
#: so, as ``\\u003c``, ``\\u003e``, ``\\u002f``).
_NON_ASCII_ESCAPE = re.compile(r"\\u(?!00)[0-9a-fA-F]{4}")


def page_text(fig, spec: str) -> str:
    """The figure's text with its non-ASCII characters as they are (for :func:`cjk_font_face`):
    ``spec``, the figure's JSON, when it escapes no character beyond ``\\u00ff`` (Plotly's orjson
    engine writes non-ASCII as it is), else the figure dumped again without escapes. Reusing
    ``spec`` saves a second serialisation of the page (0.2 s for the national map); the
    characters from U+2E80 on, which the font subset holds, are the same."""
    if _NON_ASCII_ESCAPE.search(spec) is None:
        return spec
    return json.dumps(fig.to_plotly_json(), ensure_ascii=False)


def write_page(fig, path: str | Path, title: str) -> Path:
    """Write ``fig`` as one self-contained HTML page (plotly.js inline, no CDN; Chinese through
    an inline font subset, :func:`cjk_font_face`: the page opens without network) with
    ``title`` and the script :data:`SCRIPT` that draws it and runs the controls."""
    from plotly.offline import get_plotlyjs

    spec = fig.to_json().replace("</", "<\\/")
    face = cjk_font_face(title + page_text(fig, spec))
    html = (
        f'<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title>{face}'
        "<style>body{margin:0;background:white}</style></head><body>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        '<div id="yrd-flow-map" style="width:100%;height:100%"></div>'
        f'<script type="text/javascript">{SCRIPT % spec}</script></body></html>'
    )
    Path(path).write_text(html, encoding="utf-8")
    return Path(path)
