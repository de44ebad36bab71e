"""The Examples blocks of the gain modules run as tests (cheap, real output)."""

import doctest

import pytest

from qdgain.gain import poisson, thresholds


@pytest.mark.parametrize("module", [poisson, thresholds])
def test_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
