"""The messy raw layer of the synthetic world: per-year ASIF-like files and their truth.

The model (:mod:`yrd.synthetic.model`) produces a TRUE clean panel, one row per firm-year in
the Annual Survey of Industrial Firms (ASIF) sample. :func:`write_raw_world` writes that panel
the way real ASIF deliveries look (docs/own_data.md):

* one file per year, ``asif_<year>.<ext>``, in mixed formats and encodings (Stata .dta, GBK
  CSV, UTF-8 CSV with or without byte-order mark, Excel, Parquet);
* headers in a per-year dialect (Chinese, English short names, pinyin initials) whose names
  also change between years of one dialect, from ``config/header_dialects.yaml``; optional
  columns missing in some years; column order differs between years;
* money (gross output, sales) in 千元 or, in some years, 万元;
* county codes as in force in the year of the file (real code history, :mod:`yrd.geography`)
  and industry codes in the GB/T 4754 vintage of the year (1994 / 2002 / 2011,
  :mod:`yrd.industry`);
* firm identities that linking has to cope with (:mod:`yrd.synthetic.identity`): organisation
  codes (法人代码) that are reissued or reused by another firm after the first one exits, names
  written differently from year to year and firms renamed for good, legal representatives
  that change, phones and addresses that change with moves;
* exact duplicate rows, a few rows with a missing firm code and a few invalid rows.

Beside the files it writes ``truth/records.parquet``: for every data row of every file the
true firm behind it and which defects were put in on purpose, and ``truth/files.json``: per
file its year, format, encoding, dialect, money unit and header of each canonical column (what
a distributor's documentation would say), and ``truth/identities.parquet``: per true firm its
organisation codes (original and reissued, with the reissue year) and names (canonical and
after the rename, with the rename year), what other extracts of the same firms (business
registration, :mod:`yrd.synthetic.registration`) share with the ASIF files.

Determinism: the same panel, configuration and seed give byte-identical files (fixed column
order, line endings, float formats, Stata time stamp and data label, zip time stamps of
.xlsx); another seed gives another world. Firm-level draws are hashes of ``(seed,
true_firm_id)``, so a firm's identity does not depend on the other firms.

Configuration: the ``synthetic.raw`` block of ``config/config.yaml``, every key required and
described in ``config/schemas/config.schema.yaml`` (year maps ``formats``, ``dialects``,
``money_unit``, ``columns_absent``, ``firm_code_style``; rates ``id_reissue_rate``,
``id_reuse_rate``, ``name_variant_rate``, ``rename_rate``, ``legal_rep_change_rate``,
``phone_change_rate``, ``duplicate_rate``, ``invalid_rate``, ``missing_firm_code_rate``). The
rates are probabilities: the realised counts vary around them. Rules for years a year map does
not list: :func:`resolve_raw_config`.

Modules, one per concern:

* :mod:`~yrd.synthetic.raw.settings` - the configuration resolved per year, file names;
* :mod:`~yrd.synthetic.raw.vintages` - county and industry code vintages;
* :mod:`~yrd.synthetic.raw.panel` - the true panel as arrays, rows grouped by firm;
* :mod:`~yrd.synthetic.raw.identities` - firm codes, names and their variants, people, phones;
* :mod:`~yrd.synthetic.raw.context` - :class:`RawContext`, everything the rows are drawn from;
* :mod:`~yrd.synthetic.raw.rows` - the rows of one year's file and their truth;
* :mod:`~yrd.synthetic.raw.messes` - invalid rows, missing firm codes, row order, duplicates;
* :mod:`~yrd.synthetic.raw.geocodes` - the plant points as longitude/latitude columns, with
  missing and wrong geocodes (only when ``synthetic.plant_points.in_raw``);
* :mod:`~yrd.synthetic.raw.writers` - writing .dta / .csv / .xlsx / .parquet files and the truth;
* :mod:`~yrd.synthetic.raw.salts` - salts of the hash draws.
"""

from yrd.synthetic.raw.context import RawContext
from yrd.synthetic.raw.identities import NAME_VARIANTS
from yrd.synthetic.raw.messes import INVALID_REASONS, UNKNOWN_INDUSTRY_CODE
from yrd.synthetic.raw.panel import PANEL_COLUMNS
from yrd.synthetic.raw.settings import (
    CANONICAL,
    CODE_STYLES,
    CSV_ENCODING,
    DIALECTS,
    EXTENSIONS,
    FILE_PATTERN,
    FORMATS,
    MONEY_UNITS,
    RATE_KEYS,
    REQUIRED,
    YEAR_MAPS,
    file_name,
    resolve_raw_config,
)
from yrd.synthetic.raw.vintages import county_code_candidates, industry_code_candidates, reachable_counties
from yrd.synthetic.raw.writers import write_raw_world

__all__ = [
    "CANONICAL",
    "CODE_STYLES",
    "CSV_ENCODING",
    "DIALECTS",
    "EXTENSIONS",
    "FILE_PATTERN",
    "FORMATS",
    "INVALID_REASONS",
    "MONEY_UNITS",
    "NAME_VARIANTS",
    "PANEL_COLUMNS",
    "RATE_KEYS",
    "REQUIRED",
    "UNKNOWN_INDUSTRY_CODE",
    "YEAR_MAPS",
    "RawContext",
    "county_code_candidates",
    "file_name",
    "industry_code_candidates",
    "reachable_counties",
    "resolve_raw_config",
    "write_raw_world",
]
