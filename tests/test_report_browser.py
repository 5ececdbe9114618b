"""The report a reader opens (issue 17), in a real browser: the first 1400 x 900 screen of the
tiny world's report.html shows the title, the SYNTHETIC warning and the verdict on every claim.

Positions are measured in the browser, without changing the run's report: a copy of report.html
gets a script (before ``</body>``) that, once Snakemake's React app has rendered, writes the
``getBoundingClientRect()`` of the key elements and ``window.innerHeight`` as JSON into a
``<pre id="yrd-positions">``; Chromium's ``--dump-dom`` returns the DOM with it. The screenshot
of the first screen is written to a temporary directory and copied to /tmp/yrd_screens/ for the
reader of the test run.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.browser import HEIGHT, WIDTH, dump_dom, require_chromium, screenshot

pytestmark = pytest.mark.workflow

SCREENS = Path("/tmp/yrd_screens")
TITLE = "Yangtze River Delta integration, industry concentration and firm relocation"

#: Runs in the copy of the report 2 s (virtual time) after load, when React has rendered.
PROBE = """
<script>
setTimeout(function () {
  function box(el) {
    if (!el) return null;
    var r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, text: el.textContent.replace(/\\s+/g, " ").trim()};
  }
  var out = {innerHeight: window.innerHeight, title: null, synthetic: null, rows: []};
  document.querySelectorAll("#app h1").forEach(function (h) {
    if (!out.title && h.textContent.indexOf("Yangtze") >= 0) out.title = box(h);
  });
  document.querySelectorAll("#app strong").forEach(function (s) {
    if (!out.synthetic && s.textContent.indexOf("SYNTHETIC") >= 0) out.synthetic = box(s);
  });
  document.querySelectorAll("#app table.claims-summary tbody tr").forEach(function (tr) {
    var b = box(tr);
    b.cells = Array.prototype.map.call(tr.cells, function (c) { return c.textContent.trim(); });
    out.rows.push(b);
  });
  var pre = document.createElement("pre");
  pre.id = "yrd-positions";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 2000);
</script>
"""


def probe_copy(report: Path, dest: Path) -> Path:
    """A copy of ``report`` with :data:`PROBE` before ``</body>``."""
    text = report.read_text(encoding="utf-8")
    assert text.count("</body>") >= 1
    i = text.rindex("</body>")
    out = dest / "report_probe.html"
    out.write_text(text[:i] + PROBE + text[i:], encoding="utf-8")
    return out


def positions(dom: str) -> dict:
    m = re.search(r'<pre id="yrd-positions">(.*?)</pre>', dom, re.S)
    assert m, "the probe wrote no positions (the report's scripts did not run?)"
    return json.loads(html.unescape(m.group(1)))


@pytest.fixture(scope="module")
def report(tiny_run) -> Path:
    require_chromium()
    return tiny_run / "results" / "tiny" / "report.html"


def test_first_screen_shows_title_synthetic_warning_and_every_verdict(report, tiny_run, tmp_path):
    pos = positions(dump_dom(probe_copy(report, tmp_path)))
    # The first screen: 900 px, or less where the headless window's viewport is smaller.
    screen = min(HEIGHT, pos["innerHeight"])
    assert pos["title"] and pos["title"]["text"] == TITLE
    assert 0 <= pos["title"]["top"] < screen
    assert pos["synthetic"] and 0 <= pos["synthetic"]["bottom"] <= screen, pos["synthetic"]
    claims = pd.read_csv(tiny_run / "results" / "tiny" / "claims.csv", dtype=str, keep_default_na=False)
    shown = {r["cells"][0]: r for r in pos["rows"]}
    assert list(shown) == list(claims["claim"])
    for c in claims.itertuples():
        row = shown[c.claim]
        assert row["cells"][1] == c.verdict, (c.claim, row["cells"])
        assert row["top"] >= 0 and row["bottom"] <= screen, (c.claim, row, screen)
    # The data basis of each claim is stated: the firm-data claims on SYNTHETIC data here.
    assert all("SYNTHETIC" in shown[c]["cells"][2] for c in ("C1", "C2", "C3", "C5", "C7"))
    assert "real public" in shown["C4"]["cells"][2] and "real public" in shown["C6"]["cells"][2]


def test_screenshot_of_the_first_screen(report, tmp_path):
    png = screenshot(report, tmp_path / "report_first_screen.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png.read_bytes()[16:20], "big"), int.from_bytes(png.read_bytes()[20:24], "big")
    assert (width, height) == (WIDTH, HEIGHT)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy2(png, SCREENS / "report_first_screen.png")
