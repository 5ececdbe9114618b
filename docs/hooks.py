"""MkDocs hook: list every public submodule of a package on its API page.

A page line ``<!-- submodules of yrd.flows -->`` becomes one mkdocstrings block per public
submodule of ``yrd/flows/`` (alphabetical; names starting with ``_`` are skipped), so a new
module is documented without touching the page and a removed one does not break the build.
The package itself is rendered with ``members: false`` above the marker, so the functions it
re-exports are not documented twice.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- submodules of ([A-Za-z_][\w.]*) -->$", re.M)


def submodules(package: str, root: Path = ROOT) -> list[str]:
    """Dotted names of the public modules and subpackages directly inside ``package``."""
    folder = root.joinpath(*package.split("."))
    names = set()
    for path in folder.iterdir():
        if path.name.startswith("_"):
            continue
        if path.is_file() and path.suffix == ".py":
            names.add(path.stem)
        elif path.is_dir() and (path / "__init__.py").is_file():
            names.add(path.name)
    return [f"{package}.{name}" for name in sorted(names)]


def _blocks(match: re.Match) -> str:
    return "\n\n".join(
        f"::: {module}\n    options:\n      show_submodules: false" for module in submodules(match.group(1))
    )


def on_page_markdown(markdown: str, **kwargs) -> str:
    return MARKER.sub(_blocks, markdown)
