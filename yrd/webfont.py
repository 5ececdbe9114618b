"""Chinese that renders anywhere: a subset of Noto Sans CJK SC embedded in an HTML page.

A page that asks only for ``sans-serif`` shows its Chinese as empty boxes on a machine without a
system CJK font (a bare Linux, a CI runner). :func:`embed_cjk_font` subsets the CJK font that the
project already installs (Noto Sans CJK SC, shipped by the pinned PyPI package ``mplfonts``) to
exactly the characters of the page plus printable ASCII, and embeds it as a base64 ``@font-face``
named :data:`FAMILY`; the page's font stack is then that face, the usual system CJK fonts, and
``sans-serif``. Bold text is drawn by the browser's synthetic bold from the regular face.

Format: WOFF2 when the ``brotli`` module is importable (fontTools needs it for WOFF2), else WOFF
(zlib, always available; the project does not install brotli). Subsetting: ``fontTools.subset``
(Behdad Esfahbod et al., fontTools, https://github.com/fonttools/fonttools) keeps the glyphs of
the requested code points, their closure under the horizontal-text layout features, and every
name record, so the copyright and licence travel with the subset. Size, measured on the default
study: claims.html (287 characters) 37 KB of WOFF, 50 KB of base64 in the page; report.html
(136 characters outside the bundled code) 14 KB, 20 KB in the page.

Licence: Noto Sans CJK is "Copyright 2014, 2015 Adobe Systems Incorporated" under the SIL Open
Font License 1.1 (OFL, text in ``resources/fonts/OFL.txt``); the subset is a Modified Version in
the OFL's sense and is served under its own family name (:data:`FAMILY`), with an HTML comment
naming the font, its version and its licence.

CLI: ``python -m yrd.webfont PAGE.html [--font PATH]`` rewrites the page in place (the Makefile's
``report`` target runs it on ``report.html`` after ``snakemake --report``).
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.util
import io
import re
import sys
from pathlib import Path

#: CSS family name of the embedded subset (not the font's own name: the subset is modified).
FAMILY = "YrdCJK"
#: The font stack of a page: the embedded face, system CJK fonts, then the generic family.
FONT_STACK = (
    f'"{FAMILY}", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
)
#: Markers around the embedded block (so that embedding again replaces it).
BEGIN, END = "<!-- yrd-webfont:begin -->", "<!-- yrd-webfont:end -->"
#: OpenType features kept in the subset: those of horizontal text. Left out: ``vert``/``vrt2``
#: (vertical forms) and ``locl`` (the Japanese, Korean and traditional forms of the same code
#: points; Simplified Chinese is the font's default), which would pull in 60 % more glyphs.
LAYOUT_FEATURES = ("kern", "liga", "ccmp", "calt", "mark", "mkmk")
ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
_BLOCK = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_CODE = re.compile(r"<script>.*?</script>", re.S | re.I)


def find_cjk_font() -> Path | None:
    """Path of Noto Sans CJK SC shipped by ``mplfonts`` (located without importing it), or None
    if it is not installed."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.is_file() else None


def page_characters(html_text: str) -> str:
    """The characters a page can show, sorted: its text with HTML character references resolved
    and JavaScript/JSON ``\\uXXXX`` escapes decoded (Snakemake's report keeps its captions in
    JSON with non-ASCII escaped), plus printable ASCII. Ignored: an embedded font block and
    ``<script>`` blocks without attributes (bundled program code, whose escapes are Unicode
    tables, not text; the report's data blocks carry an ``id``)."""
    text = _CODE.sub("", _BLOCK.sub("", html_text))
    decoded = _JS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    chars = set(html.unescape(decoded)) | set(ASCII)
    return "".join(sorted(c for c in chars if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF))


def woff2_available() -> bool:
    """True when fontTools can write WOFF2 (it needs the ``brotli`` module)."""
    return importlib.util.find_spec("brotli") is not None


def subset_font(font_path: str | Path, text: str, flavor: str | None = None) -> bytes:
    """The font at ``font_path`` cut down to the glyphs of ``text`` (code points the font lacks
    are dropped), as ``flavor`` bytes: ``woff2``, ``woff`` or None for the default (WOFF2 when
    :func:`woff2_available`, else WOFF). All name records (copyright, licence) are kept; of the
    OpenType layout features only :data:`LAYOUT_FEATURES` (horizontal text)."""
    from fontTools import subset

    flavor = flavor or ("woff2" if woff2_available() else "woff")
    options = subset.Options()
    options.flavor = flavor
    options.name_IDs = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True  # compresses better (about 6 %)
    options.layout_features = list(LAYOUT_FEATURES)
    font = subset.load_font(str(font_path), options, lazy=True)
    try:
        sub = subset.Subsetter(options)
        sub.populate(unicodes={ord(c) for c in text})
        sub.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
    finally:
        font.close()
    return out.getvalue()


def font_names(font_path: str | Path) -> dict[str, str]:
    """Full name, version, copyright, licence and licence URL of a font (its name table)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path), lazy=True)
    try:
        name = font["name"]
        get = {k: (name.getDebugName(i) or "") for k, i in (("full", 4), ("version", 5), ("copyright", 0))}
        get["licence"] = (name.getDebugName(13) or "").split(". ")[0]
        get["licence_url"] = name.getDebugName(14) or ""
    finally:
        font.close()
    return get


def font_block(font_path: str | Path, text: str) -> str:
    """The ``<style>`` block (with its licence comment) embedding the subset of ``font_path``
    for ``text`` and putting :data:`FONT_STACK` on the page."""
    flavor = "woff2" if woff2_available() else "woff"
    data = subset_font(font_path, text, flavor)
    names = font_names(font_path)
    comment = (
        f"<!-- Font: {FAMILY} = subset ({len(text)} characters, {len(data) / 1024:.1f} KB {flavor.upper()}) of "
        f"{names['full']}, {names['version']}. {names['copyright']} {names['licence']} "
        f"({names['licence_url']}; the licence text is resources/fonts/OFL.txt of the project). -->"
    )
    face = (
        f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:400;font-display:block;'
        f'src:url(data:font/{flavor};base64,{base64.b64encode(data).decode("ascii")}) format("{flavor}")}}'
    )
    stack = f"html,body,.font-sans{{font-family:{FONT_STACK} !important}}"
    return f'{BEGIN}{comment}<style id="yrd-webfont">{face}{stack}</style>{END}'


def embed_cjk_font(html_text: str, font_path: str | Path) -> str:
    """``html_text`` with a subset of the CJK font at ``font_path`` embedded before ``</head>``
    (replacing an earlier embedding), holding the page's characters (:func:`page_characters`)."""
    block = font_block(font_path, page_characters(html_text))
    text = _BLOCK.sub("", html_text)
    at = text.lower().find("</head>")
    if at < 0:
        raise ValueError("the page has no </head> to put the font before")
    return text[:at] + block + text[at:]


def main(argv: list[str] | None = None) -> int:
    """``python -m yrd.webfont PAGE.html [--font PATH]``: embed the font into the page in place."""
    ap = argparse.ArgumentParser(prog="python -m yrd.webfont", description=__doc__.splitlines()[0])
    ap.add_argument("page", type=Path, help="HTML page to rewrite in place (e.g. results/<study>/report.html)")
    ap.add_argument("--font", type=Path, default=None, help="CJK font (default: Noto Sans CJK SC of mplfonts)")
    args = ap.parse_args(argv)
    font = args.font or find_cjk_font()
    if font is None:
        print(f"{args.page}: no CJK font (package mplfonts) to embed; page unchanged", file=sys.stderr)
        return 0
    page = args.page
    page.write_text(embed_cjk_font(page.read_text(encoding="utf-8"), font), encoding="utf-8")
    print(f"{page}: embedded a subset of {font.name} ({FAMILY})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
