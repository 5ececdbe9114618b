"""The documentation site: the generated configuration reference is current, the rule graph
shows the workflow's rules, and ``mkdocs build --strict`` passes (broken links, missing pages,
docstrings that do not parse)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest


def _generator(root):
    spec = importlib.util.spec_from_file_location("gen_config_reference", root / "docs" / "gen_config_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_reference_is_current(root):
    """docs/configuration.md equals the page generated from the schema as it is now."""
    expected = _generator(root).render_files(root)
    committed = (root / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == expected, (
        "docs/configuration.md is out of date with config/schemas/config.schema.yaml or "
        "config/config.yaml: run `make docs-config` (python docs/gen_config_reference.py) and commit it"
    )


def test_configuration_reference_lists_every_schema_key(root):
    import yaml

    schema = yaml.safe_load((root / "config" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8"))
    page = (root / "docs" / "configuration.md").read_text(encoding="utf-8")

    def keys(s, prefix):
        for key, sub in (s.get("properties") or {}).items():
            yield f"{prefix}{key}"
            yield from keys(sub, f"{prefix}{key}.")

    for top, sub in schema["properties"].items():
        assert f"## `{top}`" in page or f"| `{top}` |" in page, top
        for key in keys(sub, f"{top}."):
            assert f"| `{key}` |" in page, key


def test_generator_escapes_markdown_and_html():
    from pathlib import Path

    gen = _generator(Path(__file__).resolve().parents[1])
    schema = {
        "type": "object",
        "properties": {
            "s": {
                "type": "object",
                "description": "Section.",
                "required": ["a"],
                "properties": {
                    "a": {"type": "string", "pattern": "^(a|b)$", "description": "Goes to results/<name>/ | x*y"},
                    "b": {"type": ["integer", "null"], "minimum": 0, "exclusiveMaximum": 5},
                },
            }
        },
    }
    page = gen.render(schema, {"s": {"a": "a"}})
    assert "| `s.a` | string | pattern `^(a|b)$` | `a` | Goes to results/&lt;name&gt;/ \\| x\\*y |" in page
    assert "| `s.b` | integer or null | ≥ 0, &lt; 5 | - | *Optional*. |" in page


@pytest.mark.slow
def test_rule_graph_picture_is_current(root):
    """docs/img/rulegraph.svg shows the rules of the default study's rule graph (`make docs-dag`)."""
    svg = (root / "docs" / "img" / "rulegraph.svg").read_text(encoding="utf-8")
    assert "img/rulegraph.svg" in (root / "docs" / "data_flow.md").read_text(encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "snakemake", "--rulegraph", "--forceall", "--configfile", "config/config.yaml"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    rules = set(re.findall(r'label = "([^"]+)"', res.stdout))
    drawn = set(re.findall(r">([A-Za-z0-9_]+)</text>", svg))
    assert rules and rules == drawn, (
        f"docs/img/rulegraph.svg is out of date (missing {sorted(rules - drawn)}, extra {sorted(drawn - rules)}): "
        "run `make docs-dag` (needs Graphviz dot) and commit it"
    )


@pytest.mark.slow
def test_mkdocs_build_strict(root, tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is a dev dependency: make setup installs it")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    res = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert res.returncode == 0, (res.stdout + res.stderr)[-5000:]
    site = tmp_path / "site"
    for page in ("index.html", "configuration.html", "data_flow.html", "api/metrics.html", "api/flows.html"):
        assert (site / page).is_file(), page
    assert (site / "img" / "rulegraph.svg").is_file()
    # the API pages are generated from the docstrings
    assert 'id="yrd.metrics.concentration.hoover"' in (site / "api" / "metrics.html").read_text(encoding="utf-8")
