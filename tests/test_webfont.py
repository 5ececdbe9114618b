"""Chinese that renders anywhere (issue 17): the CJK subset embedded in claims.html and report.html.

Unit: the subset holds every character of the page (and printable ASCII), the page carries the
licence comment and the font stack, embedding twice replaces the first block. Browser (headless
Chromium with the system fonts hidden by a fontconfig file listing only Matplotlib's Latin fonts,
so only the page's own font can draw Chinese): the embedded face is loaded, draws the Chinese
with ideograph advances (1 em each, where a missing glyph would be a box of another width), and a
screenshot of the first screen is written; without the block the same probe finds no face. Workflow: the tiny world's claims.html embeds the face; its report, post-
processed like ``make report`` does, loads it too.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.browser import dump_dom, latin_fonts_only_env, require_chromium, screenshot
from yrd.claims.render import render_html
from yrd.webfont import BEGIN, END, FAMILY, embed_cjk_font, find_cjk_font, page_characters, subset_font

FONT = find_cjk_font()
needs_font = pytest.mark.skipif(FONT is None, reason="the CJK font of the package mplfonts is not installed")

#: Written into a copy of a page: the state of the embedded face and the advance of four
#: ideographs drawn with it alone, into data attributes of <body> for --dump-dom.
PROBE = f"""<script>
document.fonts.ready.then(() => {{
  const faces = [...document.fonts].filter(f => f.family.replace(/"/g, "") === "{FAMILY}");
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = '40px "{FAMILY}"';
  const width = ctx.measureText("合成数据").width;
  document.body.setAttribute("data-faces", faces.map(f => f.status).join(","));
  document.body.setAttribute("data-width", String(width));
  document.body.setAttribute("data-family", getComputedStyle(document.body).fontFamily);
}});
</script>"""


def claims_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim": ["C1", "C2"],
            "statement": ["长三角一体化提高了产业集聚", "企业从上海迁往苏南"],
            "verdict": ["supported", "not supported"],
            "notes": ["弹性 0.12 (p=0.03)", "迁移 1,234 家"],
        }
    )


def claims_page() -> str:
    return render_html(claims_table(), "Claims 声明", synthetic=True)


def cmap_of(woff: bytes) -> set[int]:
    from fontTools.ttLib import TTFont

    return set(TTFont(io.BytesIO(woff)).getBestCmap())


def embedded_font(page: str) -> bytes:
    m = re.search(r"base64,([A-Za-z0-9+/=]+)\)", page)
    assert m, "no base64 font in the page"
    return base64.b64decode(m.group(1))


# ----------------------------------------------------------------------------- unit
def test_page_characters_decode_references_and_json_escapes():
    page = (
        '<p>合&#x6210;&amp;</p><script id="d">var d = "\\u6570\\u636e";</script><script>var re = /[\\u0900]/;</script>'
    )
    chars = page_characters(page)
    assert {"合", "成", "&", "数", "据"} <= set(chars)
    assert "\u0900" not in chars  # bundled code (a <script> without attributes) is not text
    assert set(map(chr, range(0x20, 0x7F))) <= set(chars)


@needs_font
def test_subset_holds_exactly_the_page_characters():
    page = claims_page()
    text = page_characters(page)
    cmap = cmap_of(subset_font(FONT, text, "woff"))
    wanted = {ord(c) for c in text}
    assert {ord(c) for c in "长三角一体化合成数据声明迁往苏南"} <= cmap
    assert cmap <= wanted  # nothing beyond the page's characters
    assert len(wanted - cmap) <= 2  # only characters the font itself lacks


@needs_font
def test_embedded_block_names_font_licence_and_stack():
    page = embed_cjk_font(claims_page(), FONT)
    assert page.count(BEGIN) == 1 and page.index(END) < page.index("</head>")
    comment = page[page.index(BEGIN) : page.index("<style id")]
    assert "Noto Sans CJK SC" in comment and "Version 1.004" in comment
    assert "SIL Open Font License" in comment and "OFL.txt" in comment
    assert f'font-family:"{FAMILY}", "Noto Sans CJK SC"' in page and "sans-serif" in page
    cmap = cmap_of(embedded_font(page))
    assert {ord(c) for c in "合成数据长三角"} <= cmap
    again = embed_cjk_font(page, FONT)
    assert again.count(BEGIN) == 1 and len(again) == len(page)


def test_licence_ships_with_the_project():
    text = (Path(__file__).resolve().parents[1] / "resources" / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in text and "Adobe" in text and "Noto Sans CJK SC" in text


# ----------------------------------------------------------------------------- browser
def probe(page: Path, tmp: Path) -> dict[str, str]:
    """Attributes PROBE wrote, from a copy of ``page`` opened with system fonts hidden."""
    text = page.read_text(encoding="utf-8")
    copy = tmp / f"probe_{page.name}"
    at = text.lower().rindex("</body>")  # the last: bundled code may hold the string too
    copy.write_text(text[:at] + PROBE + text[at:], encoding="utf-8")
    dom = dump_dom(copy, env=latin_fonts_only_env(tmp / "fontconfig"))
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:500]
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', body.group(1)))


@needs_font
def test_claims_page_draws_chinese_without_system_fonts(tmp_path):
    require_chromium()
    page = tmp_path / "claims.html"
    page.write_text(embed_cjk_font(claims_page(), FONT), encoding="utf-8")
    got = probe(page, tmp_path)
    assert got["faces"] == "loaded", got
    assert FAMILY in got["family"].replace("&quot;", '"'), got
    assert abs(float(got["width"]) - 4 * 40) < 1, got  # four ideographs of 1 em each
    shot = screenshot(page, tmp_path / "claims_first_screen.png", env=latin_fonts_only_env(tmp_path / "fontconfig"))
    assert shot.stat().st_size > 5000


@needs_font
def test_without_the_embedded_face_the_probe_sees_none(tmp_path):
    """The control: the same page without the block has no face to load (the check above is
    not vacuous)."""
    require_chromium()
    page = tmp_path / "claims.html"
    page.write_text(claims_page(), encoding="utf-8")
    got = probe(page, tmp_path)
    assert got["faces"] == "", got
    assert abs(float(got["width"]) - 4 * 40) > 1, got


# ----------------------------------------------------------------------------- workflow
@pytest.mark.workflow
@needs_font
def test_tiny_claims_and_report_embed_the_face(tiny_run, tmp_path):
    require_chromium()
    claims = tiny_run / "results" / "tiny" / "claims.html"
    text = claims.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1
    missing = {ord(c) for c in page_characters(text) if ord(c) > 0x2E7F} - cmap_of(embedded_font(text))
    assert not missing, [chr(c) for c in missing]
    assert probe(claims, tmp_path)["faces"] == "loaded"
    report = tmp_path / "report.html"  # a copy: the fixture's files stay as they are
    shutil.copy(tiny_run / "results" / "tiny" / "report.html", report)
    report.write_text(embed_cjk_font(report.read_text(encoding="utf-8"), FONT), encoding="utf-8")
    got = probe(report, tmp_path)
    assert got["faces"] == "loaded", got
    assert FAMILY in got["family"].replace("&quot;", '"'), got


@needs_font
def test_cli_rewrites_the_page_in_place(tmp_path, capsys):
    from yrd.webfont import main

    page = tmp_path / "report.html"
    page.write_text(claims_page(), encoding="utf-8")
    assert main([str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and "report.html: embedded a subset" in capsys.readouterr().out
    assert main([str(page)]) == 0 and page.read_text(encoding="utf-8") == text  # idempotent
