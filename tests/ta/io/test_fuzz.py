"""Hypothesis fuzzing of every reader through the FORMATS table: only qdgain errors escape."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdgain.errors import QdgainError
from qdgain.ta import FORMATS, read_spectrum, write_ta
from tests.ta.io.conftest import make_map

WRITABLE = sorted(n for n, f in FORMATS.items() if f.write is not None)
_SETTINGS = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid_bytes(name: str) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x"
        write_ta(make_map(n_t=4, n_wl=3, seed=2), p, format=name)
        return p.read_bytes()


VALID = {n: _valid_bytes(n) for n in WRITABLE}


def _read_only_qdgain_errors(name: str, payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fuzz.bin"
        p.write_bytes(payload)
        try:
            ds = FORMATS[name].read(p)
        except QdgainError:
            return
        # whatever was accepted must be a valid dataset
        assert ds["dA"].dims == ("delay", "wavelength")
        assert p.read_bytes() == payload


@pytest.mark.parametrize("name", sorted(FORMATS))
@_SETTINGS
@given(payload=st.binary(max_size=512))
def test_random_bytes(name: str, payload: bytes) -> None:
    _read_only_qdgain_errors(name, payload)


# h5netcdf's File.__del__ warns after a failed open of a corrupted HDF5 file; harmless
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("name", WRITABLE)
@_SETTINGS
@given(data=st.data())
def test_mutated_valid_file(name: str, data: st.DataObject) -> None:
    raw = bytearray(VALID[name])
    kind = data.draw(st.sampled_from(["truncate", "flip", "insert"]))
    pos = data.draw(st.integers(0, len(raw) - 1))
    if kind == "truncate":
        raw = raw[:pos]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    else:
        raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
    _read_only_qdgain_errors(name, bytes(raw))


_CELL = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.sampled_from(["", "abc", "nan", "-", "1e", "0x1", "1,5"]))


@pytest.mark.parametrize("name", ["matrix-csv", "glotaran-ascii"])
@_SETTINGS
@given(rows=st.lists(st.lists(_CELL, min_size=1, max_size=5), min_size=1, max_size=6),
       sep=st.sampled_from([",", "\t", " ", ";"]), header=st.booleans())
def test_numeric_looking_text(name: str, rows: list[list[str]], sep: str, header: bool) -> None:
    head = "Header\nOriginal filename: x\nTime explicit\nintervalnr 3\n" if header else ""
    text = head + "\n".join(sep.join(r) for r in rows) + "\n"
    _read_only_qdgain_errors(name, text.encode())


@_SETTINGS
@given(payload=st.binary(max_size=256))
def test_spectrum_reader(payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.txt"
        p.write_bytes(payload)
        try:
            read_spectrum(p)
        except QdgainError:
            pass


def test_empty_axis_with_per_value_offsets_is_a_format_error() -> None:
    """Found by the fuzzer (helios-ufs, one flipped byte made an axis length 0): an empty axis
    whose offsets are given per value must be a FormatError, not an IndexError."""
    import numpy as np

    from qdgain.errors import FormatError
    from qdgain.ta.io._common import check_axis

    with pytest.raises(FormatError, match="wavelength axis is empty"):
        check_axis(np.array([]), "wavelength", "x.ufs", [])
