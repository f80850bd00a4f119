"""The examples in the docstrings run and give what they say."""

import doctest
import importlib

import pytest

MODULES = [
    "audiostyle",
    "audiostyle.api",
    "audiostyle.outputs",
    "audiostyle.recipe",
    "audiostyle.recipe.model",
    "audiostyle.options",
    "audiostyle.plotting",
    "audiostyle.progress",
    "audiostyle.contracts",
    "audiostyle.scoring",
    "audiostyle.report.columns",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        report=True,
        verbose=False,
    )
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
