"""Bad input gives FormatError/ParameterError naming file, line (or byte) and problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qdgain.constants import HC_EV_NM
from qdgain.errors import FormatError, ParameterError
from qdgain.ta import read_spectrum, read_ta, write_ta
from tests.ta.io.conftest import make_map

GOOD = "0,-1,0.5,2\n500,1e-3,2e-3,3e-3\n600,4e-3,5e-3,6e-3\n"


def write(tmp_path: Path, text: str, name: str = "m.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_good_surface_xplorer_with_text_corner_and_metadata(tmp_path: Path) -> None:
    text = GOOD.replace("0,", "Wavelength (nm)/Time (ps),", 1) + "\nScan count: 6\nPump: 700nm\n"
    ds = read_ta(write(tmp_path, text))
    np.testing.assert_array_equal(ds["delay"].values, [-1, 0.5, 2])
    np.testing.assert_array_equal(ds["wavelength"].values, [500, 600])
    np.testing.assert_array_equal(ds["dA"].values[:, 0], [1e-3, 2e-3, 3e-3])
    assert ds.attrs["instrument_metadata"] == "Scan count: 6\nPump: 700nm"


def test_units_options(tmp_path: Path) -> None:
    ds = read_ta(write(tmp_path, GOOD.replace(",", "\t")), delay_unit="fs", dA_unit="mOD",
                 orientation="wavelength-rows")
    np.testing.assert_allclose(ds["delay"].values, [-1e-3, 5e-4, 2e-3], rtol=1e-15)
    np.testing.assert_allclose(ds["dA"].values[0], [1e-6, 4e-6], rtol=1e-15)


@pytest.mark.parametrize(("text", "match"), [
    (GOOD.replace("600,4e-3,5e-3,6e-3", "600,4e-3,5e-3"), r"m\.csv @ 3: ragged row: 3 cells"),
    (GOOD.replace("5e-3", "n/a"), r"m\.csv @ 3: matrix row: non-numeric cell 'n/a' in column 3"),
    (GOOD.replace("0,-1,0.5,2", "0,-1,2,0.5"), r"m\.csv @ 1: column \(axis line\) axis is "
                                                r"non-monotonic at value #3"),
    (GOOD.replace("0,-1,0.5,2", "0,-1,0.5,0.5"), r"@ 1: .* axis is duplicated at value #3"),
    (GOOD.replace("600,", "500,"), r"m\.csv @ 3: row \(first column\) axis is duplicated"),
    (GOOD.replace("5e-3", "inf"), r"m\.csv @ 3: dA is inf at delay #2 \(0.5 ps\), wavelength #2"),
    (GOOD.replace("5e-3", "nan"), r"m\.csv @ 3: dA is nan .*allow_nan=True"),
    ("", r"m\.csv @ 0: file is empty"),
    ("\n\n  \n", r"m\.csv @ 0: file is empty"),
])
def test_malformed_csv(tmp_path: Path, text: str, match: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(FormatError, match=match):
        read_ta(p, format="matrix-csv") if text.strip() else read_ta(p)
    assert p.read_text() == text  # input never modified


def test_wrong_orientation_option(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"@ 1: wavelength axis \(axis line\) has a "
                                          r"non-positive value -1: wrong orientation option\?"):
        read_ta(write(tmp_path, GOOD), orientation="delay-rows")


def test_ambiguous_orientation_asks_for_option(tmp_path: Path) -> None:
    # both axes positive and both evenly stepped within the wavelength range: undecidable
    text = "0,500,600,700\n800,1,2,3\n900,4,5,6\n"
    with pytest.raises(FormatError, match=r"cannot tell which axis holds delays; pass "
                                          r"orientation="):
        read_ta(write(tmp_path, text))


def test_unknown_option_and_format(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD)
    with pytest.raises(ParameterError, match=r"format 'matrix-csv' has no option\(s\) "
                                             r"\['orientaton'\]"):
        read_ta(p, orientaton="delay-rows")
    with pytest.raises(ParameterError, match=r"unknown TA format 'ufs'; known: \["):
        read_ta(p, format="ufs")
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_ta(tmp_path / "missing.csv")


def test_unrecognised_content_lists_formats(tmp_path: Path) -> None:
    p = write(tmp_path, "just some words\nand more words\n", "notes.txt")
    with pytest.raises(FormatError, match=r"notes\.txt @ 0: format not recognised.*helios-ufs "
                                          r"\(\.ufs\).*matrix-csv"):
        read_ta(p)


def test_glotaran_errors(tmp_path: Path) -> None:
    ds = make_map(n_t=4, n_wl=3)
    p = tmp_path / "g.ascii"
    write_ta(ds, p)
    lines = p.read_text().splitlines()
    # the explicit axis line removed (a user's first data line lost)
    q = write(tmp_path, "\n".join(lines[:4] + lines[5:]) + "\n", "g2.ascii")
    with pytest.raises(FormatError, match=r"g2\.ascii @ 5: axis line has 5 values but "
                                          r"'intervalnr 4'"):
        read_ta(q)
    # a column of text
    bad = lines[:5] + [ln.split("\t")[0] + "\tabc\t" + "\t".join(ln.split("\t")[2:])
                       for ln in lines[5:]]
    q = write(tmp_path, "\n".join(bad) + "\n", "g3.ascii")
    with pytest.raises(FormatError, match=r"g3\.ascii @ 6: matrix row: non-numeric cell 'abc' "
                                          r"in column 2"):
        read_ta(q)


def test_spectrum_reader(tmp_path: Path) -> None:
    p = write(tmp_path, "Wavelength (nm)\tAbs\n900\t0.11\n800\t0.12\n700\t0.15\n\nend\n",
              "a0.txt")
    a0 = read_spectrum(p)
    np.testing.assert_array_equal(a0["wavelength"].values, [700, 800, 900])
    np.testing.assert_array_equal(a0.values, [0.15, 0.12, 0.11])
    assert a0.attrs["units"] == "OD" and a0["wavelength"].attrs["units"] == "nm"
    pl = read_spectrum(write(tmp_path, "1.0,5\n1.25,7\n", "pl.csv"), kind="PL", x_unit="eV")
    # λ = hc/E, sorted ascending: 1.25 eV first
    np.testing.assert_allclose(pl["wavelength"].values, [HC_EV_NM / 1.25, HC_EV_NM / 1.0],
                               rtol=1e-15)
    np.testing.assert_array_equal(pl.values, [7, 5])
    assert pl.attrs["units"] == "arb. u."
    with pytest.raises(FormatError, match=r"pl3\.csv @ 2: expected 2 columns, found 3"):
        read_spectrum(write(tmp_path, "1.0,5\n1.25,7,8\n", "pl3.csv"))
    with pytest.raises(FormatError, match=r"s\.txt @ 3: x \(first column\) axis is duplicated"):
        read_spectrum(write(tmp_path, "500 1\n600 2\n600 3\n", "s.txt"))


def test_npz_object_array_refused_without_pickle(tmp_path: Path) -> None:
    p = tmp_path / "obj.npz"
    np.savez(p, t=np.array([0.0, 1.0]), wl=np.array([500.0, 600.0]),
             data=np.array([[1, "a"], [2, None]], dtype=object))
    with pytest.raises(FormatError, match=r"obj\.npz @ 0: cannot read as \.npz: ValueError: "
                                          r"Object arrays cannot be loaded"):
        read_ta(p)


def test_npz_missing_axis_names_the_arrays(tmp_path: Path) -> None:
    p = tmp_path / "noaxis.npz"
    np.savez(p, x=np.array([0.0, 1.0]), wl=np.array([500.0, 600.0]), data=np.zeros((2, 2)))
    with pytest.raises(FormatError, match=r"no delay array .*arrays: \['x', 'wl', 'data'\]; "
                                          r"pass keys="):
        read_ta(p)
    ds = read_ta(p, keys={"delay": "x"}, orientation="delay-rows")
    np.testing.assert_array_equal(ds["delay"].values, [0.0, 1.0])
