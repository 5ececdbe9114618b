"""A real browser in tests: Debian's headless Chromium renders a page, the tests read the DOM it
built (``--dump-dom``, after the page's scripts ran) and a screenshot of the first screen.

The project installs Chromium itself (``make browser``: Debian's package ``chromium``, where apt
and root are usable); a test needing it calls :func:`require_chromium`, which skips with the
reason where it is not installed. Flags: those of the machine's own browser probe (no sandbox as
root, no GPU, no background networking: this machine's network is closed), a new empty profile
per call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

#: The first screen the report is judged on (issue 17).
WIDTH, HEIGHT = 1400, 900
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--allow-file-access-from-files",
)


def chromium() -> str | None:
    """Path of the Chromium binary: ``$YRD_CHROMIUM``, else ``chromium`` (Debian) or
    ``chromium-browser`` on the PATH, else None."""
    env = os.environ.get("YRD_CHROMIUM")
    if env:
        return env
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """The Chromium binary, or skip the test saying why (not installed: ``make browser``)."""
    path = chromium()
    if path is None:
        pytest.skip("Chromium is not installed (make browser installs Debian's chromium where apt and root are usable)")
    return path


def latin_fonts_only_env(folder: Path) -> dict[str, str]:
    """Environment for Chromium that hides every system font: ``FONTCONFIG_FILE`` names a
    fontconfig file in ``folder`` listing only the DejaVu/STIX fonts shipped inside Matplotlib
    (no CJK glyphs), i.e. a machine without CJK fonts whatever this one has, so a page's Chinese
    shows only through a font the page embeds. (A config with no font at all makes Chromium
    fail to load web fonts now and then.)"""
    import matplotlib

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{latin}</dir><cachedir>{(folder / 'cache').resolve()}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf.resolve())}


def _run(
    page: Path | str, extra: list[str], timeout: int, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    url = page if isinstance(page, str) and "://" in page else Path(page).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        cmd = [require_chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env)


def dump_dom(
    page: Path | str,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    budget_ms: int = 8000,
    timeout: int = 120,
    env: dict[str, str] | None = None,
) -> str:
    """The DOM of ``page`` (a file path or URL) after its scripts ran for up to ``budget_ms`` of
    virtual time, as HTML text; ``env``: Chromium's environment (e.g. :func:`latin_fonts_only_env`)."""
    res = _run(
        page, [f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}", "--dump-dom"], timeout, env
    )
    if res.returncode != 0 or not res.stdout.strip():
        raise RuntimeError(f"chromium --dump-dom failed ({res.returncode}): {res.stderr[-2000:]}")
    return res.stdout


def screenshot(
    page: Path | str,
    out: Path,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    budget_ms: int = 8000,
    timeout: int = 120,
    env: dict[str, str] | None = None,
) -> Path:
    """A PNG of the first ``width`` x ``height`` screen of ``page`` at ``out``; ``env``: Chromium's
    environment."""
    res = _run(
        page,
        [
            f"--window-size={width},{height}",
            f"--virtual-time-budget={budget_ms}",
            f"--screenshot={Path(out).resolve()}",
        ],
        timeout,
        env,
    )
    if not Path(out).exists():
        raise RuntimeError(f"chromium --screenshot wrote nothing ({res.returncode}): {res.stderr[-2000:]}")
    return Path(out)
