"""Money units of raw ASIF files.

Output (工业总产值) and sales (主营业务收入) are in 千元 (thousand yuan) in most ASIF years and in
万元 (ten thousand yuan) in some distributions. Headers never say which: the unit is declared per
file or per year by the user (the distributor's documentation). Clean data are in thousand
yuan.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: Multiplier to thousand yuan of each accepted unit name.
MONEY_UNITS = {"qian": 1.0, "wan": 10.0, "千元": 1.0, "万元": 10.0}
#: Columns holding money.
MONEY_COLUMNS = ("output", "sales")


def money_factor(unit: str, where: str = "") -> float:
    """Factor that turns values in ``unit`` into thousand yuan: ``qian``/``千元`` -> 1,
    ``wan``/``万元`` -> 10. ``ValueError`` naming ``where`` (a file or year) otherwise."""
    key = str(unit).strip().lower() if isinstance(unit, str) else unit
    if key not in MONEY_UNITS:
        at = f" for {where}" if where else ""
        raise ValueError(f"money unit{at} must be 'qian' (千元) or 'wan' (万元), got {unit!r}")
    return MONEY_UNITS[key]


def to_thousand_yuan(values: pd.Series, unit: str, where: str = "") -> pd.Series:
    """Numeric money values in ``unit`` converted to thousand yuan (float)."""
    return values.astype("float64") * money_factor(unit, where)


def unit_of_year(money_units: str | Mapping, year: int, where: str = "") -> str:
    """The unit declared for ``year``: ``money_units`` is one unit for all years or a mapping
    ``{year: unit}`` (int or str keys). ``ValueError`` if the year has none."""
    if isinstance(money_units, str):
        unit = money_units
    else:
        lookup = {int(k): v for k, v in money_units.items()}
        if int(year) not in lookup:
            at = f" ({where})" if where else ""
            raise ValueError(f"no money unit declared for year {year}{at}; declare 'qian' or 'wan'")
        unit = lookup[int(year)]
    money_factor(unit, where or str(year))
    return unit
