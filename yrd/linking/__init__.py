"""Linking firm records across years into firms.

* :func:`link_firms` / :func:`link_records`: sequential deterministic passes after Brandt,
  Van Biesebroeck and Zhang (2012), with a rapidfuzz fuzzy-name pass on residual records
  (:mod:`yrd.linking.bvz`, rules and the reused-code rule in its docstring);
* :func:`link_firms_splink`: a probabilistic Fellegi-Sunter model with Splink on DuckDB
  (:mod:`yrd.linking.splink_linker`, optional dependency ``splink``);
* :func:`compare_linkers`: precision, recall and time of the methods against a truth;
* :func:`fake_asif_panel`: a fake ASIF-like panel with known truth for tests and benchmarks.
"""

from yrd.linking.bvz import EXACT_PASSES, PASSES, link_firms, link_records
from yrd.linking.fake import FakeWorld, fake_asif_panel
from yrd.linking.normalise import core_name, normalise_firm_code, normalise_name, normalise_person, normalise_phone


def link_firms_splink(df, **kwargs):
    """See :func:`yrd.linking.splink_linker.link_firms_splink` (imports Splink lazily)."""
    from yrd.linking.splink_linker import link_firms_splink as _f

    return _f(df, **kwargs)


def compare_linkers(df, truth, **kwargs):
    """See :func:`yrd.linking.compare.compare_linkers`."""
    from yrd.linking.compare import compare_linkers as _f

    return _f(df, truth, **kwargs)


__all__ = [
    "EXACT_PASSES", "PASSES", "FakeWorld", "compare_linkers", "core_name", "fake_asif_panel", "link_firms",
    "link_firms_splink", "link_records", "normalise_firm_code", "normalise_name", "normalise_person",
    "normalise_phone",
]
