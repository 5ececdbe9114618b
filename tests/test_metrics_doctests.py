"""The examples in the yrd.metrics docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "yrd.metrics.location",
    "yrd.metrics.concentration",
    "yrd.metrics.specialisation",
    "yrd.metrics.inequality",
    "yrd.metrics.plant_concentration",
    "yrd.metrics.spatial_autocorrelation",
    "yrd.metrics.kdensity",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
