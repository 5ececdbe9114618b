"""yrd.claims loads its names on first use (PEP 562): reading a claim document does not import
the claim modules, SciPy or pyfixest; every public name still resolves to its module's object."""

from __future__ import annotations

import importlib
import subprocess
import sys

import yrd.claims as claims


def test_every_public_name_resolves_to_its_module_object():
    for name in claims.__all__:
        module, attr = claims._WHERE[name]
        assert getattr(claims, name) is getattr(importlib.import_module(f"yrd.claims.{module}"), attr)
    assert set(claims.__all__) == set(claims._WHERE)
    assert set(claims.__all__) <= set(dir(claims))


def test_an_unknown_name_is_an_attribute_error():
    try:
        claims.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("expected AttributeError")


def test_reading_a_claim_document_does_not_import_the_statistics():
    code = (
        "import sys\n"
        "from yrd.claims import read_claim_json\n"
        "heavy = [m for m in ('scipy.stats', 'pyfixest', 'yrd.claims.c1', 'yrd.claims.c7') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_figure_modules_that_quote_claim_texts_do_not_import_scipy():
    """The figures of C2, C3 and C5 import their claim modules for texts and region sets; SciPy's
    statistics (yrd.claims.rates, yrd.claims.stats) are imported only when an interval or a test
    is computed, which those figures never do."""
    code = (
        "import sys\n"
        "import yrd.figures.relocation_rates, yrd.figures.similarity\n"
        "print('scipy.stats' in sys.modules)\n"
        "from yrd.claims.rates import clopper_pearson\n"
        "print(clopper_pearson(3, 10, 0.05)[0] > 0, 'scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
