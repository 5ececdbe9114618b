"""Checks of a study configuration that JSON Schema cannot express, run before any rule.

The schema (:mod:`yrd.config`) checks keys and types; this module checks meaning, so that
whatever the configuration asks for either runs or stops the run with a message naming the
key, the value and what is allowed:

* every configured file exists and is a regular file (``ingest.*``, ``registration.*``,
  ``metrics.segmentation.prices``,
  ``claims.c1.integration``, ``claims.c4.indicators``, ``flows.distances``, ``integration.*``), and every
  ``metrics.plugins`` module can be imported;
* every metric name is registered, after importing the plugins, with a close-match suggestion
  ("did you mean 'ellison_glaeser'?");
* every metric, level and region set a claim needs is computed, unless the claim is listed in
  ``claims.skip``;
* each raw file is listed once (and each registration extract once), and every configured year
  lies in ``period``;
* the study area (``geography.study_area``) holds the region sets, has boundaries, and covers a
  synthetic world;
* the gravity's distance comes from one source: ``flows.distance: road_time`` (the road travel
  times) excludes a user table ``flows.distances``.

Each check yields one message ``config key 'a.b': ...``; :func:`semantic_errors` collects them.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

#: Region sets, smallest first: a set may be used inside any set that contains it.
REGION_SET_NESTING = {
    "yrd16_2003": {"yrd16_2003", "yrd41_2019", "china", "china_east"},
    "yrd41_2019": {"yrd41_2019", "china"},
}

#: Metric kinds allowed in each list of the ``metrics`` block.
METRIC_LISTS = {
    "concentration": ("concentration", "plant_concentration"),
    "specialisation": ("specialisation",),
    "similarity": ("similarity",),
}


def did_you_mean(value: str, allowed: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest allowed name (difflib ratio >= 0.6), else ``""``."""
    close = difflib.get_close_matches(str(value), sorted(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_file(key: str, path: Any, base: Path) -> Iterator[str]:
    """The path of ``key`` (relative to ``base`` unless absolute) names an existing regular file."""
    if path is None:
        return
    if "\x00" in str(path):
        yield f"config key '{key}': invalid path"
        return
    p = Path(str(path))
    resolved = p.resolve() if p.is_absolute() else (base / p).resolve()
    if not resolved.exists():
        yield f"config key '{key}': file not found: {path} (resolved to {resolved})"
    elif not resolved.is_file():
        yield f"config key '{key}': not a regular file: {path} (resolved to {resolved})"


def raw_file_entries(files: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(key, path)`` for every raw file of ``ingest.files`` (a path or a list per year)."""
    for year, paths in sorted(files.items()):
        if isinstance(paths, str):
            yield f"ingest.files.{year}", paths
        else:
            for i, path in enumerate(paths):
                yield f"ingest.files.{year}[{i}]", path


def file_errors(config: Mapping[str, Any], base: Path) -> Iterator[str]:
    """Every configured file exists, each raw file is listed once, encodings name listed files."""
    ingest = config.get("ingest", {})
    yield from check_file("ingest.dialects", ingest.get("dialects"), base)
    yield from check_file(
        "metrics.segmentation.prices", config.get("metrics", {}).get("segmentation", {}).get("prices"), base
    )
    claims = config.get("claims", {})
    yield from check_file("claims.c1.integration", claims.get("c1", {}).get("integration"), base)
    yield from check_file("claims.c4.indicators", claims.get("c4", {}).get("indicators"), base)
    yield from check_file("flows.distances", config.get("flows", {}).get("distances"), base)
    integ = config.get("integration", {})
    yield from check_file("integration.road_times", integ.get("road_times"), base)
    yield from check_file("integration.cities", integ.get("cities"), base)
    if config.get("run", {}).get("synthetic", True):
        for key in ("files", "money_unit", "encodings"):
            if ingest.get(key):
                yield (
                    f"config key 'ingest.{key}': run.synthetic is true, so the synthetic world's files are read "
                    f"and this key would be ignored; set run.synthetic: false to read your own files, or remove it"
                )
        return
    files = ingest.get("files") or {}
    if not config.get("run", {}).get("asif", True):
        if files:
            yield (
                "config key 'ingest.files': run.asif is false (a records-only run), so these survey files would "
                "be ignored; set run.asif: true to read them, or remove them"
            )
        return
    if not files:
        yield "config key 'ingest.files': run.synthetic is false, so raw files must be listed ({\"1998\": path, ...})"
    seen: dict[Path, str] = {}
    for key, path in raw_file_entries(files):
        yield from check_file(key, path, base)
        p = Path(str(path))
        resolved = p.resolve() if p.is_absolute() else (base / p).resolve()
        if resolved in seen:
            yield (
                f"config key '{key}': {path} is already listed as '{seen[resolved]}'; each raw file belongs "
                f"to one year (list it once)"
            )
        else:
            seen[resolved] = key
    units = {str(k) for k in ingest.get("money_unit", {})}
    for year in sorted(files):
        if str(year) not in units:
            yield (
                f"config key 'ingest.money_unit.{year}': missing; declare qian (千元) or wan (万元) for every "
                f"year of ingest.files"
            )
    for year in sorted(units - {str(y) for y in files}):
        yield f"config key 'ingest.money_unit.{year}': no file is listed for {year} in ingest.files"
    listed = {str(Path(str(p))) for _, p in raw_file_entries(files)}
    for path in sorted(ingest.get("encodings") or {}):
        if str(Path(str(path))) not in listed:
            yield (
                f"config key 'ingest.encodings': {path!r} is not a file of ingest.files, so its encoding would "
                f"be ignored (give the path exactly as in ingest.files)"
            )


def registration_errors(config: Mapping[str, Any], base: Path) -> Iterator[str]:
    """The registration extracts (``registration.changes[i]``, ``registration.investments[i]``)
    exist and are listed once; in a synthetic run the lists are empty (the world's extracts are
    read, or none with ``use_synthetic: false``)."""
    reg = config.get("registration")
    if not isinstance(reg, Mapping):
        return
    yield from check_file("registration.dialects", reg.get("dialects"), base)
    synthetic = config.get("run", {}).get("synthetic", True)
    seen: dict[Path, str] = {}
    for kind in ("changes", "investments"):
        paths = reg.get(kind) or []
        if synthetic and paths:
            yield (
                f"config key 'registration.{kind}': run.synthetic is true, so the synthetic world's extracts are "
                f"read (registration.use_synthetic) and this list would be ignored; set run.synthetic: false to "
                f"read your own files, or empty it"
            )
            continue
        for i, path in enumerate(paths):
            key = f"registration.{kind}[{i}]"
            yield from check_file(key, path, base)
            p = Path(str(path))
            resolved = p.resolve() if p.is_absolute() else (base / p).resolve()
            if resolved in seen:
                yield f"config key '{key}': {path} is already listed as '{seen[resolved]}'; list each extract once"
            else:
                seen[resolved] = key


def _years_in_period(key: str, years: Any, start: int, end: int) -> Iterator[str]:
    if years is None:
        return
    for y in [years] if isinstance(years, (int, str)) else list(years):
        try:
            yi = int(y)
        except (TypeError, ValueError):
            continue  # the schema reports the type
        if not start <= yi <= end:
            yield f"config key '{key}': year {yi} lies outside period {start}-{end}"


def year_errors(config: Mapping[str, Any]) -> Iterator[str]:
    """Every configured year lies inside ``period``."""
    period = config.get("period", {})
    start, end = period.get("start"), period.get("end")
    if not (isinstance(start, int) and isinstance(end, int)):
        return
    if end < start:
        yield f"config key 'period.end': {end} is before period.start {start}"
        return
    ingest = config.get("ingest", {})
    if not config.get("run", {}).get("synthetic", True):
        yield from _years_in_period("ingest.files", list((ingest.get("files") or {}).keys()), start, end)
    claims = config.get("claims", {})
    yield from _years_in_period("integration.base_year", config.get("integration", {}).get("base_year"), start, end)
    yield from _years_in_period("claims.c2.window", claims.get("c2", {}).get("window"), start, end)
    yield from _years_in_period("claims.c3.start", claims.get("c3", {}).get("start"), start, end)
    yield from _years_in_period("claims.c3.end", claims.get("c3", {}).get("end"), start, end)
    yield from _years_in_period("claims.c5.year", claims.get("c5", {}).get("year"), start, end)
    yield from _years_in_period("claims.c7.year", claims.get("c7", {}).get("year"), start, end)
    metrics = config.get("metrics", {})
    kd_years = metrics.get("kdensity", {}).get("years")
    yield from _years_in_period("metrics.kdensity.years", kd_years, start, end)
    figures = config.get("figures", {})
    yield from _years_in_period(
        "figures.similarity_heatmaps.years", figures.get("similarity_heatmaps", {}).get("years"), start, end
    )
    yield from _years_in_period("figures.flow_map.years", figures.get("flow_map", {}).get("years"), start, end)
    kd_fig = figures.get("kdensity", {}).get("year")
    yield from _years_in_period("figures.kdensity.year", kd_fig, start, end)
    computed = kd_years if kd_years else sorted({start, end})
    if kd_fig is not None and int(kd_fig) in range(start, end + 1) and int(kd_fig) not in {int(y) for y in computed}:
        yield (
            f"config key 'figures.kdensity.year': K-densities are computed for {sorted(int(y) for y in computed)} "
            f"(metrics.kdensity.years), not {kd_fig}; add it there or choose one of them"
        )
    thresholds = config.get("sample", {}).get("thresholds") or {}
    years = [int(y) for y in thresholds if str(y).isdigit()]
    if thresholds and years and min(years) > start:
        yield (
            f"config key 'sample.thresholds': no survey threshold is in effect in the first study year {start} "
            f"(earliest given: {min(years)}); add one for {start} or earlier"
        )
    for i, sc in enumerate(config.get("flows", {}).get("scenarios") or []):
        if isinstance(sc, Mapping):
            yield from _years_in_period(f"flows.scenarios[{i}].from_year", sc.get("from_year"), start, end)
            # the road travel times are those of the study period (rule integration_index)
            yield from _years_in_period(f"flows.scenarios[{i}].as_of", sc.get("as_of"), start, end)


def flow_errors(config: Mapping[str, Any]) -> Iterator[str]:
    """The gravity's distance has one source: ``flows.distance: road_time`` takes the road travel
    times, so a user table ``flows.distances`` would be ignored."""
    flows = config.get("flows", {})
    if flows.get("distance") == "road_time" and flows.get("distances"):
        yield (
            f"config key 'flows.distance': road_time takes the gravity's distances from the road travel times "
            f"(integration.road_times), so the table of config key 'flows.distances' ({flows['distances']}) "
            f"would be ignored; set flows.distances: null, or flows.distance: great_circle to use the table"
        )


#: Provinces (2-digit prefixes) of the prefectures of each YRD study area.
STUDY_AREA_PROVINCES = {"yrd16_2003": {"31", "32", "33"}, "yrd41_2019": {"31", "32", "33", "34"}}


def study_area_errors(config: Mapping[str, Any]) -> Iterator[str]:
    """``geography.study_area`` holds the region sets of the analysis (``geography.region_set``,
    ``flows.region_set``), its provinces have boundaries (``geography.provinces``), and a synthetic
    run's study area covers the world, which lives on ``geography.provinces`` (else the truth the
    run is scored against would hold firms the study does not read)."""
    from yrd.study_area import MAINLAND_PROVINCES, STUDY_AREA_NESTING

    geo = config.get("geography", {})
    area = geo.get("study_area")
    if area not in STUDY_AREA_NESTING:
        return
    for key, value in (
        ("geography.region_set", geo.get("region_set")),
        ("flows.region_set", config.get("flows", {}).get("region_set")),
    ):
        if value in STUDY_AREA_NESTING and area not in STUDY_AREA_NESTING[value]:
            yield (
                f"config key '{key}': region set {value!r} is not inside the study area geography.study_area "
                f"{area!r}; choose a region set inside it, or a larger study area"
            )
    provinces = {str(p) for p in geo.get("provinces") or []}
    need = set(MAINLAND_PROVINCES) if area == "china" else STUDY_AREA_PROVINCES[area]
    if not need <= provinces:
        yield (
            f"config key 'geography.provinces': the study area geography.study_area {area!r} needs the "
            f"boundaries of provinces {sorted(need - provinces)}, which are not listed"
        )
    if config.get("run", {}).get("synthetic") and need != provinces:
        yield (
            f"config key 'geography.study_area': a synthetic world lives on all of geography.provinces "
            f"{sorted(provinces)}, but study area {area!r} covers provinces {sorted(need)}"
            + (" and only part of them" if area == "yrd16_2003" else "")
            + "; use the study area of the world (yrd41_2019 for the YRD worlds) and narrow the analysis with "
            "geography.region_set, or feed the world's raw files in as a user's own (run.synthetic: false)"
        )


def load_metric_plugins(modules: Iterable[str], base: Path) -> Iterator[str]:
    """Import ``metrics.plugins`` (as the metric rules do, with ``base`` first on ``sys.path``)."""
    from yrd.metrics.registry import load_plugins

    for module in modules or []:
        try:
            load_plugins([module], search_path=base)
        except ImportError as exc:
            yield f"config key 'metrics.plugins': module {module!r} cannot be imported ({exc.__cause__ or exc})"
        except Exception as exc:  # noqa: BLE001 - a plugin's own error is reported, not raised
            yield f"config key 'metrics.plugins': importing module {module!r} failed: {type(exc).__name__}: {exc}"


def metric_errors(config: Mapping[str, Any], base: Path) -> Iterator[str]:
    """Every metric named in ``metrics`` is registered with the right kind (plugins imported first)."""
    from yrd.metrics import registry

    metrics = config.get("metrics", {})
    yield from load_metric_plugins(metrics.get("plugins") or [], base)
    for block, kinds in METRIC_LISTS.items():
        allowed = sorted(n for k in kinds for n in registry.available(k))
        for i, name in enumerate(metrics.get(block) or []):
            if name in allowed:
                continue
            other = ""
            if name in registry.available():
                other = f"; {name!r} is a {registry.get(name).kind} metric"
            yield (
                f"config key 'metrics.{block}[{i}]': unknown metric {name!r}{did_you_mean(name, allowed)}"
                f"{other}; allowed: {', '.join(allowed)} (more with metrics.plugins)"
            )


def _switch_off(claim: str) -> str:
    """The way out named at the end of a claim's message."""
    return f"or switch {claim} off with claims.skip: [{claim}]"


def _uncomputed(claim: str, key: str, value: Any, metrics: Mapping[str, Any], block: str) -> Iterator[str]:
    """The message, if any, for ``claims.<key>`` naming ``value`` that the list ``metrics.<block>``
    does not hold: a metric (``block`` one of :data:`METRIC_LISTS`, with a close-match suggestion)
    or a level (``levels``, ``similarity_levels``). Nothing when ``value`` is None (not set). The
    message ends with how to switch ``claim`` off instead."""
    computed = list(metrics.get(block) or [])
    if value is None or value in computed:
        return
    off = _switch_off(claim)
    if block in METRIC_LISTS:
        yield (
            f"config key 'claims.{key}': {value!r} is not computed{did_you_mean(value, computed)}; "
            f"metrics.{block} computes {computed}: name one of them, add it there, {off}"
        )
    else:
        yield f"config key 'claims.{key}': {value!r} is not among metrics.{block} {computed}; add it there, {off}"


def claim_errors(config: Mapping[str, Any]) -> Iterator[str]:
    """What a claim needs is computed, unless the claim is listed in ``claims.skip``."""
    claims = config.get("claims", {})
    skip = set(claims.get("skip") or [])
    metrics = config.get("metrics", {})
    if "C1" not in skip and "c1" in claims:
        c1 = claims["c1"]
        for i, name in enumerate(c1.get("metrics") or []):
            yield from _uncomputed("C1", f"c1.metrics[{i}]", name, metrics, "concentration")
        yield from _uncomputed("C1", "c1.specialisation", c1.get("specialisation"), metrics, "specialisation")
        yield from _uncomputed("C1", "c1.level", c1.get("level"), metrics, "levels")
    if "C5" not in skip and "c5" in claims:
        c5 = claims["c5"]
        yield from _uncomputed("C5", "c5.metric", c5.get("metric"), metrics, "similarity")
        yield from _uncomputed("C5", "c5.level", c5.get("level"), metrics, "similarity_levels")
        study = config.get("geography", {}).get("region_set")
        nested = REGION_SET_NESTING.get(c5.get("region_set"))
        if nested is not None and study is not None and study not in nested:
            yield (
                f"config key 'claims.c5.region_set': {c5['region_set']!r} is not inside the study area "
                f"geography.region_set {study!r}, so its similarities are not computed; choose a region set inside {study!r}, "
                f"{_switch_off('C5')}"
            )


def semantic_errors(config: Mapping[str, Any], base: str | Path | None = None) -> list[str]:
    """All messages of the checks of this module (empty when the configuration is sound).

    ``base`` is the directory relative paths are resolved against (Snakemake's working
    directory; default: the current one). Paths are only checked here, never opened.
    """
    base = Path(base) if base else Path.cwd()
    added = str(base.resolve()) not in sys.path
    msgs = [
        *year_errors(config),
        *file_errors(config, base),
        *registration_errors(config, base),
        *metric_errors(config, base),
        *claim_errors(config),
        *flow_errors(config),
        *study_area_errors(config),
    ]
    if added and str(base.resolve()) in sys.path:
        sys.path.remove(str(base.resolve()))
    return msgs


__all__ = [
    "METRIC_LISTS",
    "REGION_SET_NESTING",
    "check_file",
    "claim_errors",
    "did_you_mean",
    "file_errors",
    "flow_errors",
    "load_metric_plugins",
    "metric_errors",
    "registration_errors",
    "semantic_errors",
    "year_errors",
]
