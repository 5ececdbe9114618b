"""A registry of metrics, so that a study chooses its metrics in the config by name.

Every metric has a *kind*, which fixes what it is given and what it returns:

====================  ==================================================  ===============================
kind                  called as                                           returns
====================  ==================================================  ===============================
concentration         ``f(X)``, X a region x industry DataFrame           Series indexed by industry
plant_concentration   ``f(plants)``, one row per plant: ``region``,       Series indexed by industry
                      ``industry``, ``employment`` (the chosen measure)
specialisation        ``f(X)``                                            Series indexed by region
similarity            ``f(X)``                                            region x region DataFrame
====================  ==================================================  ===============================

``X`` holds the employment (or output) of each region (rows) and industry (columns) of one
year at one level (province, prefecture or county); see :mod:`yrd.metrics.apply` for how the
tables are built from firm-year data and which regions and industries they contain.

Built-in metrics
----------------
==========================  ===================  ========================================================
name                        kind                 function
==========================  ===================  ========================================================
hoover                      concentration        :func:`~yrd.metrics.hoover` (reference: region totals)
locational_gini             concentration        :func:`~yrd.metrics.locational_gini`
herfindahl_industry         concentration        :func:`~yrd.metrics.herfindahl` ``(X, by="industry")``
ellison_glaeser             plant_concentration  :func:`~yrd.metrics.ellison_glaeser`
maurel_sedillot             plant_concentration  :func:`~yrd.metrics.maurel_sedillot`
krugman_specialisation      specialisation       :func:`~yrd.metrics.krugman_specialisation` (total)
krugman_specialisation_rest specialisation       :func:`~yrd.metrics.krugman_specialisation` (rest)
herfindahl_region           specialisation       :func:`~yrd.metrics.herfindahl` ``(X, by="region")``
structural_similarity       similarity           :func:`~yrd.metrics.structural_similarity`
krugman_dissimilarity       similarity           :func:`~yrd.metrics.krugman_dissimilarity`
==========================  ===================  ========================================================

Not registered, on purpose: a "Gini of an industry's location quotients" weighted by the
regions' shares of all activity *is* :func:`~yrd.metrics.locational_gini` (tested), and the
unweighted version gives a county of 10 plants the weight of Shanghai, so its value depends on
how the map is cut; Theil indices of industry shares are left out until a claim needs them.

Adding a metric
---------------
One function of the right shape and one registration; name it in ``config/config.yaml``
(``metrics.concentration``, ``metrics.specialisation`` or ``metrics.similarity``) and, if it
lives outside ``yrd``, list its module under ``metrics.plugins`` so the rules import it::

    from yrd.metrics.registry import register

    @register("top4_share", kind="concentration")
    def top4_share(X):
        \"\"\"Share of each industry in its four largest regions.\"\"\"
        return X.apply(lambda col: col.nlargest(4).sum() / col.sum())

The function may also be registered without the decorator:
``register("top4_share", top4_share, kind="concentration")``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from yrd.metrics.concentration import herfindahl, hoover, locational_gini
from yrd.metrics.plant_concentration import ellison_glaeser, maurel_sedillot
from yrd.metrics.specialisation import krugman_dissimilarity, krugman_specialisation, structural_similarity

#: Kinds of metric and the input each is called with.
KINDS: dict[str, str] = {
    "concentration": "region x industry matrix",
    "plant_concentration": "plant table (region, industry, employment)",
    "specialisation": "region x industry matrix",
    "similarity": "region x industry matrix",
}


@dataclass(frozen=True)
class Metric:
    """A registered metric: its config name, function, kind and a one-line description."""

    name: str
    func: Callable
    kind: str
    description: str

    def __call__(self, data):
        return self.func(data)


_REGISTRY: dict[str, Metric] = {}


def _first_line(func: Callable) -> str:
    doc = (getattr(func, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


def register(
    name: str,
    func: Callable | None = None,
    *,
    kind: str,
    description: str | None = None,
    replace: bool = False,
):
    """Register ``func`` as metric ``name`` of ``kind`` (see the module docstring).

    Use as ``register("name", func, kind=...)`` or as a decorator ``@register("name", kind=...)``
    (which returns the function unchanged). ``name`` is what the config refers to: lower-case
    letters, digits and underscores. Registering a taken name raises ``ValueError`` unless
    ``replace=True``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown metric kind {kind!r}; expected one of {sorted(KINDS)}")
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        raise ValueError(f"metric name must be a lower-case identifier (letters, digits, _), got {name!r}")

    def _add(f: Callable) -> Callable:
        if not callable(f):
            raise TypeError(f"metric {name!r}: {f!r} is not callable")
        if name in _REGISTRY and not replace and _REGISTRY[name].func is not f:
            raise ValueError(f"metric {name!r} is already registered ({_REGISTRY[name].kind}); pass replace=True")
        _REGISTRY[name] = Metric(name=name, func=f, kind=kind, description=description or _first_line(f))
        return f

    return _add if func is None else _add(func)


def unregister(name: str) -> None:
    """Remove metric ``name`` (for tests and interactive work); unknown names are ignored."""
    _REGISTRY.pop(name, None)


def get(name: str, kinds: Iterable[str] | None = None) -> Metric:
    """The metric registered as ``name``; ``KeyError`` listing the available names if unknown,
    ``ValueError`` if ``kinds`` is given and the metric is of another kind."""
    allowed = None if kinds is None else sorted(kinds)
    if name not in _REGISTRY:
        names = available() if allowed is None else [n for k in allowed for n in available(k)]
        raise KeyError(f"unknown metric {name!r}; available: {', '.join(sorted(names))}")
    metric = _REGISTRY[name]
    if allowed is not None and metric.kind not in allowed:
        raise ValueError(f"metric {name!r} is of kind {metric.kind!r}, expected one of {allowed}")
    return metric


def available(kind: str | None = None) -> list[str]:
    """Sorted names of the registered metrics, all or of one kind."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown metric kind {kind!r}; expected one of {sorted(KINDS)}")
    return sorted(n for n, m in _REGISTRY.items() if kind is None or m.kind == kind)


def load_plugins(modules: Iterable[str], search_path: str | Path | None = None) -> list[str]:
    """Import the modules named in ``metrics.plugins`` so that their registrations take effect.

    ``search_path`` (the workflow's working directory in the rules) is put first on
    ``sys.path`` for the imports, so a ``my_metrics.py`` next to the Snakefile is found; any
    installed module works too. Returns the names of the metrics the imports added.
    """
    before = set(_REGISTRY)
    modules = list(modules or [])
    if search_path is not None and modules:
        path = str(Path(search_path).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ImportError(f"metrics plugin {module!r} cannot be imported: {exc}") from exc
    return sorted(set(_REGISTRY) - before)


def plugin_files(modules: Iterable[str], search_path: str | Path) -> list[str]:
    """The source files of the ``metrics.plugins`` modules that live in ``search_path`` (the
    workflow's working directory): module ``x`` is ``x.py`` and ``a.b`` is ``a/b.py`` there when
    that file exists; a module installed elsewhere has none. The rules declare these files as
    inputs (an edit reruns the metric tables) and the provenance records their checksums.
    Paths are ``search_path`` joined with the file, in the order of ``modules``."""
    out = []
    for module in modules or []:
        path = Path(search_path, *str(module).split(".")).with_suffix(".py")
        if path.is_file() and str(path) not in out:
            out.append(str(path))
    return out


# --------------------------------------------------------------------------- built-ins
register("hoover", hoover, kind="concentration", description="Hoover index (fraction), reference: region totals")
register("locational_gini", locational_gini, kind="concentration", description="Krugman's locational Gini")
register(
    "herfindahl_industry",
    partial(herfindahl, by="industry"),
    kind="concentration",
    description="Herfindahl index of an industry's regional shares",
)
register("ellison_glaeser", ellison_glaeser, kind="plant_concentration", description="Ellison-Glaeser gamma")
register("maurel_sedillot", maurel_sedillot, kind="plant_concentration", description="Maurel-Sedillot gamma")
register(
    "krugman_specialisation",
    krugman_specialisation,
    kind="specialisation",
    description="Krugman specialisation index against the whole area's structure",
)
register(
    "krugman_specialisation_rest",
    partial(krugman_specialisation, reference="rest"),
    kind="specialisation",
    description="Krugman specialisation index against all other regions (Midelfart-Knarvik et al. 2000)",
)
register(
    "herfindahl_region",
    partial(herfindahl, by="region"),
    kind="specialisation",
    description="Herfindahl index of a region's industry shares",
)
register(
    "structural_similarity",
    structural_similarity,
    kind="similarity",
    description="UNIDO structural similarity (cosine of industry-share vectors)",
)
register(
    "krugman_dissimilarity",
    krugman_dissimilarity,
    kind="similarity",
    description="Bilateral Krugman dissimilarity of industry shares",
)
