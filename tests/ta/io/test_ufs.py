"""Helios .ufs: a byte string assembled by hand (independently of our writer) and corruptions."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from qdgain.errors import FormatError
from qdgain.ta import read_ta


def s(text: str) -> bytes:
    """A .ufs string: big-endian uint32 byte length, then the bytes (no terminator)."""
    return struct.pack(">I", len(text)) + text.encode()


def hand_ufs(meta: str | None = "Pump wavelength: 700\r\nSample: HgTe\r\n") -> bytes:
    # 3 wavelengths (nm) × 2 delays (ps); data row-major: all delays of wavelength 0 first
    wl = [500.0, 600.0, 700.0]
    t = [-1.0, 2.5]
    data = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]  # [wavelength][delay], in OD
    raw = (
        s("Version2")
        + s("Wavelength") + s("nm") + struct.pack(">I", 3) + struct.pack(">3d", *wl)
        + s("Time") + s("ps") + struct.pack(">I", 2) + struct.pack(">2d", *t)
        + s("DA") + struct.pack(">I", 0) + struct.pack(">II", 3, 2)
        + struct.pack(">6d", *[v for row in data for v in row])
    )
    return raw + (s(meta) if meta is not None else b"")


def test_hand_assembled_bytes(tmp_path: Path) -> None:
    p = tmp_path / "hand.dat"  # wrong extension on purpose: detection is by content
    p.write_bytes(hand_ufs())
    ds = read_ta(p)
    assert ds.attrs["format"] == "helios-ufs"
    np.testing.assert_array_equal(ds["wavelength"].values, [500.0, 600.0, 700.0])
    np.testing.assert_array_equal(ds["delay"].values, [-1.0, 2.5])
    # dA is (delay, wavelength): the transpose of the file's wavelength-major block
    np.testing.assert_array_equal(ds["dA"].values, [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    assert ds.attrs["instrument_metadata"] == "Pump wavelength: 700\nSample: HgTe\n"


def test_mOD_option_and_fs_axis(tmp_path: Path) -> None:
    raw = hand_ufs(meta=None).replace(s("Time") + s("ps"), s("Time") + s("fs"))
    p = tmp_path / "a.ufs"
    p.write_bytes(raw)
    ds = read_ta(p, dA_unit="mOD")
    np.testing.assert_allclose(ds["delay"].values, [-1e-3, 2.5e-3], rtol=0, atol=1e-18)
    np.testing.assert_allclose(ds["dA"].values[0], [1e-3, 3e-3, 5e-3], rtol=1e-15)
    assert ds["dA"].attrs["units"] == "OD"


def test_truncated_names_byte_offset(tmp_path: Path) -> None:
    raw = hand_ufs(meta=None)
    p = tmp_path / "t.ufs"
    p.write_bytes(raw[:-5])  # cut into the last float64 of the data block
    data_start = len(raw) - 6 * 8
    with pytest.raises(FormatError, match=rf"t\.ufs @ {data_start}: truncated file: 6 float64"):
        read_ta(p)
    assert p.read_bytes() == raw[:-5]  # the input is never modified


def test_shape_mismatch(tmp_path: Path) -> None:
    raw = hand_ufs(meta=None).replace(struct.pack(">II", 3, 2), struct.pack(">II", 2, 3))
    p = tmp_path / "m.ufs"
    p.write_bytes(raw)
    with pytest.raises(FormatError, match=r"data block is 2 × 3, axes say 3 × 2"):
        read_ta(p)


def test_nan_cell_and_nonmonotonic_axis(tmp_path: Path) -> None:
    raw = hand_ufs(meta=None)
    off = raw.index(struct.pack(">d", 4.0))
    p = tmp_path / "n.ufs"
    p.write_bytes(raw[:off] + struct.pack(">d", np.nan) + raw[off + 8:])
    with pytest.raises(FormatError, match=rf"@ {off}: dA is nan at delay #2.*allow_nan=True"):
        read_ta(p)
    assert np.isnan(read_ta(p, allow_nan=True)["dA"].values[1, 1])
    raw2 = raw.replace(struct.pack(">3d", 500.0, 600.0, 700.0), struct.pack(">3d", 500, 700, 600))
    p.write_bytes(raw2)
    wl_off = raw.index(struct.pack(">d", 500.0)) + 16
    with pytest.raises(FormatError, match=rf"@ {wl_off}: wavelength axis is non-monotonic"):
        read_ta(p)


def test_implausible_string_length(tmp_path: Path) -> None:
    raw = hand_ufs(meta=None)
    i = raw.index(s("Wavelength"))
    p = tmp_path / "c.ufs"
    p.write_bytes(raw[:i] + struct.pack(">I", 2**31) + raw[i + 4:])
    with pytest.raises(FormatError, match=rf"@ {i}: axis-1 label: string length"):
        read_ta(p)
