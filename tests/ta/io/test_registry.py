"""The format table: duplicates rejected, third-party formats through entry points, spectra."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import qdgain.ta.io as tio
from qdgain.errors import ParameterError
from qdgain.ta import read_spectrum, read_ta, write_spectrum
from tests.ta.io.conftest import make_map


def test_duplicate_name_rejected() -> None:
    with pytest.raises(ParameterError, match="'netcdf' is already registered"):
        tio.register_format(tio.FORMATS["netcdf"])


def test_entry_point_plugin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ds = make_map()

    def read_toy(path, *, scale: float = 1.0):  # noqa: ANN001, ANN202
        out = ds.copy()
        out["dA"] = out["dA"] * scale
        return out

    toy = tio.Format("toy", "test plugin", ("toy",), b"TOY!", read_toy, None,
                     lambda head: head.startswith(b"TOY!"))

    class EP:
        name = "toy"

        def load(self):  # noqa: ANN202
            return toy

    class Broken:
        name = "broken"

        def load(self):  # noqa: ANN202
            raise ImportError("missing dependency")

    monkeypatch.setattr(tio, "entry_points", lambda group: [EP(), Broken()])
    monkeypatch.setattr(tio, "_PLUGINS_LOADED", False)
    p = tmp_path / "a.dat"
    p.write_bytes(b"TOY!payload")
    try:
        with pytest.warns(UserWarning, match="plugin 'broken' skipped: missing dependency"):
            assert tio.guess_format(p) == "toy"
        out = read_ta(p, scale=2.0)
        np.testing.assert_array_equal(out["dA"].values, 2 * ds["dA"].values)
        assert out.attrs["format"] == "toy"
        with pytest.raises(ParameterError, match="format 'toy' is read-only"):
            tio.write_ta(ds, tmp_path / "b.toy", format="toy")
    finally:
        tio.FORMATS.pop("toy", None)


def test_spectrum_roundtrip_exact(tmp_path: Path) -> None:
    a0 = read_spectrum(_write(tmp_path / "in.txt", "400 0.3\n500 0.2\n600 0.1\n"))
    a0 = a0.copy(data=np.array([1 / 3, 2e-17, 0.1]))
    write_spectrum(a0, tmp_path / "a0.txt")
    back = read_spectrum(tmp_path / "a0.txt")
    np.testing.assert_array_equal(back.values, a0.values)
    np.testing.assert_array_equal(back["wavelength"].values, a0["wavelength"].values)


def _write(p: Path, text: str) -> Path:
    p.write_text(text)
    return p
