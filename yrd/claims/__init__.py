"""The paper's claims C1-C7 (Zhang and Fang), each tested on the pipeline's tables.

Zhang Erzhen and Fang Yong, *长三角一体化与苏南竞争力*. For each claim a function
``claim_cN(...)`` takes plain tables and the claim's config block and returns a
:class:`ClaimResult`: the statement (English and the paper's Chinese words), the stated test in
words (with the thresholds of the config), the numbers behind it, the verdict and the evidence
files. The package has one module per claim (``c1`` ... ``c7``; C1's fixed-effects panel estimators (pyfixest) in ``c1_panel``; C6's
bases in ``c6_bases``; C7's clusters, growth, supplier depth and relatedness in ``c7_clusters``), the
statistics (``stats``), the shared types (``base``), the claim documents (``document``: each
claim's ``claims/cN.json``, the single source of its numbers for the table and the figures) and
the HTML view (``render``); :func:`claims_table_from_documents` stacks the documents into
``results/claims.csv``.

Verdicts (:data:`VERDICTS`) come only from the tests below, computed on the data:

``supported``       every condition of the test holds;
``partly supported`` some parts of a claim with several parts hold, others fail (the value and
                    notes say which part);
``not supported``   the test's conditions fail as defined per claim;
``inconclusive``    the test cannot decide (say why: power, too few events, the sample break,
                    a turning point outside the range);
``not comparable``  the data measure something else than the claim (e.g. PPP against market
                    exchange rates);
``no data``         the data needed for the test are absent (the default for C4; a part of C7
                    without clusters in a group or without the input-output table);
``off``             the study switched the claim off (``claims.skip``): not tested.

Statistics (``stats``): every regression is estimated by pyfixest - OLS with classical or
Newey-West (HAC) standard errors on centred regressors, and a Poisson trend with
heteroskedasticity-robust standard errors (robust to overdispersion); p-values are two-sided
from Student's t with n - k degrees of freedom (conservative with 10-20 annual points). The
equality with statsmodels is tested in tests/test_claims_stats.py. C1 is estimated on
industry-year panels (``c1_panel``). C2 and C3 are rates per firm at risk (``rates``): Poisson
models with a log-exposure offset fitted by pyfixest (robust s.e., a post-break dummy for the
2011 ASIF threshold) and exact binomial intervals.

The names below are loaded when first used (:pep:`562`): ``from yrd.claims import
read_claim_json`` does not import the claim modules, SciPy or pyfixest, which a figure rule
that only reads a claim document does not need (about 1.2 s of each such rule's start-up).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers and the API documentation
    from yrd.claims.base import (
        COLUMNS,
        COMBINED_COLUMNS,
        NO_SURVEY,
        STATEMENTS,
        SURVEY_CLAIMS,
        VERDICTS,
        ClaimResult,
        claims_table,
        combine_samples,
        no_survey_claim,
        read_table,
        skipped_claim,
    )
    from yrd.claims.c1 import (
        C1Fits,
        c1_fits,
        c1_integration,
        c1_panels,
        c1_verdict,
        c1_without_index,
        claim_c1,
        integration_path,
    )
    from yrd.claims.c2 import c2_conditions, c2_table, c2_verdict, c2_window_fits, claim_c2
    from yrd.claims.c3 import c3_frequency, c3_trend, c3_verdict, c3_yearly, claim_c3
    from yrd.claims.c4 import DIMENSIONS, c4_tier_check, c4_verdict, claim_c4
    from yrd.claims.c5 import REGION_SETS as C5_REGION_SETS
    from yrd.claims.c5 import C5Set, c5_parts, c5_set, c5_verdict, claim_c5, mean_pairwise
    from yrd.claims.c6 import c6_document, c6_verdict, claim_c6, write_c6_json
    from yrd.claims.c6_bases import (
        dose_per_capita,
        gapminder_per_capita,
        gaps_to_mean,
        regional_gap,
        worldbank_per_capita,
    )
    from yrd.claims.c7 import c7_years, claim_c7, foreign_share, lq_table, sunan_leading, write_c7_json
    from yrd.claims.document import (
        REQUIRED_KEYS,
        check_document,
        claim_document,
        claims_table_from_documents,
        document_row,
        read_claim_json,
        to_jsonable,
        write_claim_json,
    )
    from yrd.claims.render import render_html
    from yrd.claims.stats import (
        LinearTrend,
        OLSResult,
        PoissonTrend,
        QuadraticFit,
        linear_trend,
        newey_west_lags,
        ols,
        poisson_trend,
        quadratic_fit,
    )

#: Public name -> (module of ``yrd.claims``, its name there), loaded on first use.
_WHERE: dict[str, tuple[str, str]] = {
    "COLUMNS": ("base", "COLUMNS"),
    "COMBINED_COLUMNS": ("base", "COMBINED_COLUMNS"),
    "NO_SURVEY": ("base", "NO_SURVEY"),
    "STATEMENTS": ("base", "STATEMENTS"),
    "SURVEY_CLAIMS": ("base", "SURVEY_CLAIMS"),
    "VERDICTS": ("base", "VERDICTS"),
    "ClaimResult": ("base", "ClaimResult"),
    "claims_table": ("base", "claims_table"),
    "combine_samples": ("base", "combine_samples"),
    "no_survey_claim": ("base", "no_survey_claim"),
    "read_table": ("base", "read_table"),
    "skipped_claim": ("base", "skipped_claim"),
    "C1Fits": ("c1", "C1Fits"),
    "c1_fits": ("c1", "c1_fits"),
    "c1_integration": ("c1", "c1_integration"),
    "c1_panels": ("c1", "c1_panels"),
    "c1_verdict": ("c1", "c1_verdict"),
    "c1_without_index": ("c1", "c1_without_index"),
    "claim_c1": ("c1", "claim_c1"),
    "integration_path": ("c1", "integration_path"),
    "c2_conditions": ("c2", "c2_conditions"),
    "c2_table": ("c2", "c2_table"),
    "c2_verdict": ("c2", "c2_verdict"),
    "c2_window_fits": ("c2", "c2_window_fits"),
    "claim_c2": ("c2", "claim_c2"),
    "c3_frequency": ("c3", "c3_frequency"),
    "c3_trend": ("c3", "c3_trend"),
    "c3_verdict": ("c3", "c3_verdict"),
    "c3_yearly": ("c3", "c3_yearly"),
    "claim_c3": ("c3", "claim_c3"),
    "DIMENSIONS": ("c4", "DIMENSIONS"),
    "c4_tier_check": ("c4", "c4_tier_check"),
    "c4_verdict": ("c4", "c4_verdict"),
    "claim_c4": ("c4", "claim_c4"),
    "C5_REGION_SETS": ("c5", "REGION_SETS"),
    "C5Set": ("c5", "C5Set"),
    "c5_parts": ("c5", "c5_parts"),
    "c5_set": ("c5", "c5_set"),
    "c5_verdict": ("c5", "c5_verdict"),
    "claim_c5": ("c5", "claim_c5"),
    "mean_pairwise": ("c5", "mean_pairwise"),
    "c6_document": ("c6", "c6_document"),
    "c6_verdict": ("c6", "c6_verdict"),
    "claim_c6": ("c6", "claim_c6"),
    "write_c6_json": ("c6", "write_c6_json"),
    "dose_per_capita": ("c6_bases", "dose_per_capita"),
    "gapminder_per_capita": ("c6_bases", "gapminder_per_capita"),
    "gaps_to_mean": ("c6_bases", "gaps_to_mean"),
    "regional_gap": ("c6_bases", "regional_gap"),
    "worldbank_per_capita": ("c6_bases", "worldbank_per_capita"),
    "c7_years": ("c7", "c7_years"),
    "claim_c7": ("c7", "claim_c7"),
    "foreign_share": ("c7", "foreign_share"),
    "lq_table": ("c7", "lq_table"),
    "sunan_leading": ("c7", "sunan_leading"),
    "write_c7_json": ("c7", "write_c7_json"),
    "REQUIRED_KEYS": ("document", "REQUIRED_KEYS"),
    "check_document": ("document", "check_document"),
    "claim_document": ("document", "claim_document"),
    "claims_table_from_documents": ("document", "claims_table_from_documents"),
    "document_row": ("document", "document_row"),
    "read_claim_json": ("document", "read_claim_json"),
    "to_jsonable": ("document", "to_jsonable"),
    "write_claim_json": ("document", "write_claim_json"),
    "render_html": ("render", "render_html"),
    "LinearTrend": ("stats", "LinearTrend"),
    "OLSResult": ("stats", "OLSResult"),
    "PoissonTrend": ("stats", "PoissonTrend"),
    "QuadraticFit": ("stats", "QuadraticFit"),
    "linear_trend": ("stats", "linear_trend"),
    "newey_west_lags": ("stats", "newey_west_lags"),
    "ols": ("stats", "ols"),
    "poisson_trend": ("stats", "poisson_trend"),
    "quadratic_fit": ("stats", "quadratic_fit"),
}

__all__ = [
    "C5Set",
    "C5_REGION_SETS",
    "COLUMNS",
    "COMBINED_COLUMNS",
    "ClaimResult",
    "DIMENSIONS",
    "LinearTrend",
    "OLSResult",
    "PoissonTrend",
    "QuadraticFit",
    "STATEMENTS",
    "VERDICTS",
    "c1_integration",
    "c1_without_index",
    "c1_panels",
    "c1_fits",
    "C1Fits",
    "c1_verdict",
    "c2_conditions",
    "c2_table",
    "c2_verdict",
    "c2_window_fits",
    "c3_frequency",
    "c3_trend",
    "c3_verdict",
    "c3_yearly",
    "c4_tier_check",
    "c4_verdict",
    "c5_parts",
    "c5_set",
    "c5_verdict",
    "c6_document",
    "c6_verdict",
    "c7_years",
    "claim_c1",
    "claim_c2",
    "claim_c3",
    "claim_c4",
    "claim_c5",
    "claim_c6",
    "claim_c7",
    "claims_table",
    "combine_samples",
    "dose_per_capita",
    "foreign_share",
    "gapminder_per_capita",
    "gaps_to_mean",
    "integration_path",
    "linear_trend",
    "lq_table",
    "mean_pairwise",
    "newey_west_lags",
    "ols",
    "poisson_trend",
    "quadratic_fit",
    "read_table",
    "regional_gap",
    "render_html",
    "NO_SURVEY",
    "SURVEY_CLAIMS",
    "no_survey_claim",
    "skipped_claim",
    "sunan_leading",
    "worldbank_per_capita",
    "write_c6_json",
    "REQUIRED_KEYS",
    "check_document",
    "claim_document",
    "claims_table_from_documents",
    "document_row",
    "read_claim_json",
    "to_jsonable",
    "write_claim_json",
    "write_c7_json",
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'yrd.claims' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"yrd.claims.{module}"), attr)
    globals()[name] = value  # once: later uses are ordinary attribute look-ups
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
