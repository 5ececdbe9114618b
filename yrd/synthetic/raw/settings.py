"""Settings of the raw layer: the ``synthetic.raw`` configuration resolved per year, and file names.

Every value comes from the configuration (``config/config.yaml``, block ``synthetic.raw``;
keys described in ``config/schemas/config.schema.yaml``): this module holds no default rates,
formats or year maps. Years that a year map does not list follow fixed rules (see
:func:`resolve_raw_config`), so a study period longer than the configured years still works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from yrd.ingest.headers import CANONICAL_COLUMNS

FORMATS = ("dta", "csv_gbk", "csv_utf8_bom", "csv_utf8", "xlsx", "parquet")
EXTENSIONS = {
    "dta": "dta",
    "csv_gbk": "csv",
    "csv_utf8_bom": "csv",
    "csv_utf8": "csv",
    "xlsx": "xlsx",
    "parquet": "parquet",
}
#: Text encoding and line terminator of the CSV formats.
CSV_ENCODING = {"csv_gbk": ("gbk", "\r\n"), "csv_utf8_bom": ("utf-8-sig", "\r\n"), "csv_utf8": ("utf-8", "\n")}
DIALECTS = ("zh", "en", "pinyin")
MONEY_UNITS = {"qian": 1.0, "wan": 10.0}
CODE_STYLES = ("plain", "hyphen")
#: Canonical columns of a raw file: those ingestion knows (one list, in yrd.ingest.headers).
CANONICAL = CANONICAL_COLUMNS
REQUIRED = ("firm_code", "name", "county_code", "industry_code", "employment", "output")
FILE_PATTERN = re.compile(r"^asif_(\d{4})\.(dta|csv|xlsx|parquet)$")

#: Rate keys of ``synthetic.raw`` (values: probabilities in [0, 1), from the configuration).
RATE_KEYS = (
    "id_reissue_rate",
    "id_reuse_rate",
    "name_variant_rate",
    "rename_rate",
    "legal_rep_change_rate",
    "phone_change_rate",
    "duplicate_rate",
    "invalid_rate",
    "missing_firm_code_rate",
)
#: Year-map keys of ``synthetic.raw`` ({year: value}).
YEAR_MAPS = ("formats", "dialects", "money_unit", "columns_absent", "firm_code_style")
#: Formats of years that ``formats`` does not list, cycled by ``year % 3``.
UNLISTED_FORMAT_CYCLE = ("dta", "csv_gbk", "csv_utf8_bom")


def _year_map(value: Any, key: str) -> dict[int, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"raw_cfg.{key} must be a mapping {{year: value}}, got {type(value).__name__}")
    out = {}
    for k, v in value.items():
        try:
            out[int(k)] = v
        except (TypeError, ValueError):
            raise ValueError(f"raw_cfg.{key}: key {k!r} is not a year") from None
    return out


def _year_settings(maps: Mapping[str, Mapping[int, Any]], y: int) -> dict[str, Any]:
    """Settings of year ``y`` from the year maps; years a map does not list follow the rules of
    :func:`resolve_raw_config`."""
    fmt = maps["formats"].get(y, UNLISTED_FORMAT_CYCLE[y % 3])
    if fmt not in FORMATS:
        raise ValueError(f"raw_cfg.formats[{y}] must be one of {FORMATS}, got {fmt!r}")
    dialect = maps["dialects"].get(y, ("en", "pinyin")[y % 2] if fmt == "dta" else "zh")
    if dialect not in DIALECTS:
        raise ValueError(f"raw_cfg.dialects[{y}] must be one of {DIALECTS}, got {dialect!r}")
    unit = maps["money_unit"].get(y, "qian")
    if unit not in MONEY_UNITS:
        raise ValueError(f"raw_cfg.money_unit[{y}] must be one of {tuple(MONEY_UNITS)}, got {unit!r}")
    absent = maps["columns_absent"].get(y, [])
    if isinstance(absent, str) or not isinstance(absent, Iterable):
        raise ValueError(f"raw_cfg.columns_absent[{y}] must be a list of column names, got {absent!r}")
    absent = list(absent)
    bad = [c for c in absent if c not in CANONICAL]
    if bad:
        raise ValueError(f"raw_cfg.columns_absent[{y}]: unknown columns {bad}; known: {CANONICAL}")
    req = [c for c in absent if c in REQUIRED]
    if req:
        raise ValueError(f"raw_cfg.columns_absent[{y}]: required columns {req} cannot be absent")
    style = maps["firm_code_style"].get(y, "plain")
    if style not in CODE_STYLES:
        raise ValueError(f"raw_cfg.firm_code_style[{y}] must be one of {CODE_STYLES}, got {style!r}")
    return {
        "format": fmt,
        "dialect": dialect,
        "money_unit": unit,
        "columns_absent": sorted(set(absent)),
        "firm_code_style": style,
    }


def resolve_raw_config(raw_cfg: Mapping[str, Any] | None, years: Iterable[int]) -> dict[str, Any]:
    """Validate the ``synthetic.raw`` block ``raw_cfg`` and spell it out for every year of ``years``.

    Every key is required (:data:`RATE_KEYS` and :data:`YEAR_MAPS`, as in the configuration
    schema); year keys may be ints or strings. A year that a year map does not list gets: format
    ``dta`` / ``csv_gbk`` / ``csv_utf8_bom`` by ``year % 3``; dialect ``zh``, or ``en`` / ``pinyin``
    (by ``year % 2``) for .dta; money unit ``qian``; no absent columns; firm codes ``plain``.

    Returns ``{"years": {year: {"format", "dialect", "money_unit", "columns_absent",
    "firm_code_style"}}, <rate>: float, ...}``. Raises ``ValueError`` naming the key on a
    missing or unknown key or a bad value.
    """
    raw_cfg = dict(raw_cfg or {})
    known = (*YEAR_MAPS, *RATE_KEYS)
    unknown = set(raw_cfg) - set(known)
    if unknown:
        raise ValueError(f"unknown raw_cfg keys {sorted(unknown)}; known: {sorted(known)}")
    missing = [k for k in known if k not in raw_cfg]
    if missing:
        raise ValueError(
            f"raw_cfg lacks the keys {missing} (set them in synthetic.raw of the configuration, config/config.yaml)"
        )
    out: dict[str, Any] = {}
    for key in RATE_KEYS:
        v = raw_cfg[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) < 1.0:
            raise ValueError(f"raw_cfg.{key} must be a number in [0, 1), got {v!r}")
        out[key] = float(v)
    maps = {k: _year_map(raw_cfg[k], k) for k in YEAR_MAPS}
    out["years"] = {y: _year_settings(maps, y) for y in sorted(int(v) for v in years)}
    return out


def file_name(year: int, fmt: str) -> str:
    """Raw file name of a year: ``asif_<year>.<ext>`` (ext ``dta``, ``csv``, ``xlsx``, ``parquet``)."""
    return f"asif_{int(year)}.{EXTENSIONS[fmt]}"
