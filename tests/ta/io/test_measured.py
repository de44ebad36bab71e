"""Measured files from other projects (tests/data/README.md): read as a user meets them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qdgain.errors import FormatError
from qdgain.ta import guess_format, read_ta, write_ta

DATA = Path(__file__).resolve().parents[2] / "data"
HIPPIUS = DATA / "demo_data_Hippius_etal_JPCC2007_111_13988_Figs5_9.ascii"
SKU_SUB = DATA / "skultrafast_test_sub4.npz"
SKU_FULL = Path("/work/shared/data/ta/skultrafast_example/test.npz")
# the skultrafast authors' conventions: delay ps = t·1000 − 2, ΔA mOD = data / 3
SKU_OPTS = {"delay_unit": "ns", "delay_offset_ps": -2.0, "dA_unit": "mOD", "dA_scale": 1 / 3}


def test_hippius_glotaran_time_explicit() -> None:
    assert guess_format(HIPPIUS) == "glotaran-ascii"
    ds = read_ta(HIPPIUS)
    assert ds["dA"].shape == (335, 346)  # delays × wavelengths, as in the README
    assert ds["delay"].values[0] == -0.00095
    assert ds["delay"].values[-1] == pytest.approx(909.85, abs=0.01)
    assert ds["wavelength"].values[0] == pytest.approx(377.96, abs=0.005)
    assert ds["wavelength"].values[-1] == pytest.approx(854.40, abs=0.005)
    assert "Original filename: co_mg6-tol" in ds.attrs["instrument_metadata"]
    assert np.isfinite(ds["dA"].values).all()


def test_hippius_axis_line_removed(tmp_path: Path) -> None:
    lines = HIPPIUS.read_text().splitlines()
    q = tmp_path / "hippius_no_axis.ascii"
    q.write_text("\n".join(lines[:4] + lines[5:]) + "\n")
    with pytest.raises(FormatError, match=r"hippius_no_axis\.ascii @ 5: axis line has 336 "
                                          r"values but 'intervalnr 335'"):
        read_ta(q)


def test_skultrafast_npz_subsample() -> None:
    assert guess_format(SKU_SUB) == "npz"
    ds = read_ta(SKU_SUB, **SKU_OPTS)
    assert ds["dA"].shape == (409, 200)
    assert ds["delay"].values[0] == pytest.approx(-3.0, abs=1e-12)
    assert ds["delay"].values[-1] == pytest.approx(47.9, abs=1e-9)
    assert 479 < ds["wavelength"].values[0] < 480 and ds["wavelength"].values[-1] < 711


@pytest.mark.skipif(not SKU_FULL.exists(), reason=f"shared data not present: {SKU_FULL}")
def test_skultrafast_npz_full() -> None:
    ds = read_ta(SKU_FULL, **SKU_OPTS)
    assert ds["dA"].shape == (409, 800)
    raw = np.load(SKU_FULL, allow_pickle=False)
    np.testing.assert_allclose(ds["dA"].values, raw["data"] / 3 * 1e-3, rtol=1e-15)


def test_kimopack_style_csv_of_real_data(tmp_path: Path) -> None:
    """Real data as a tab matrix with a text corner (delays down the first column)."""
    ds = read_ta(HIPPIUS)
    p = tmp_path / "hippius.txt"
    write_ta(ds, p, format="matrix-csv", orientation="delay-rows", delimiter="\t",
             corner="Delay/Wavelength")
    back = read_ta(p)
    np.testing.assert_array_equal(back["dA"].values, ds["dA"].values)
    # wrong orientation option: the delays (from −0.00095 ps) would become wavelengths
    with pytest.raises(FormatError, match=r"hippius\.txt @ 2: wavelength axis \(first column\) "
                                          r"has a non-positive value -0.00095: wrong orientation"):
        read_ta(p, orientation="wavelength-rows")
    # first line (the wavelength axis) removed → a data row is taken for the axis: clear error
    q = tmp_path / "cut.txt"
    q.write_text("\n".join(p.read_text().splitlines()[1:]) + "\n")
    with pytest.raises(FormatError, match=r"cut\.txt @ 1: column \(axis line\) axis is "
                                          r"non-monotonic"):
        read_ta(q, format="matrix-csv")
