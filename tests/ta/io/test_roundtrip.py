"""Write → read round trips, exact for every writable format (one base class, STYLE R8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import xarray as xr

from qdgain.ta import FORMATS, read_ta, write_ta
from qdgain.ta.dataset import stack_fluence
from qdgain.testing import assert_units
from tests.ta.io.conftest import make_map


class RoundTrip:
    """Base: subclasses set ``format``, ``ext`` and what the format keeps."""

    format: ClassVar[str]
    ext: ClassVar[str]
    write_options: ClassVar[dict[str, Any]] = {}
    keeps_A0: ClassVar[bool] = False
    keeps_metadata: ClassVar[bool] = False

    def roundtrip(self, ds: xr.Dataset, tmp_path: Path) -> xr.Dataset:
        path = tmp_path / f"map.{self.ext}"
        write_ta(ds, path, format=self.format, **self.write_options)
        # detection from content: read without naming the format, from a neutral extension
        neutral = tmp_path / "renamed.bin"
        neutral.write_bytes(path.read_bytes())
        out = read_ta(neutral)
        assert out.attrs["format"] == self.format
        return out

    def test_exact(self, tmp_path: Path) -> None:
        ds = make_map(seed=3)
        out = self.roundtrip(ds, tmp_path)
        # exact: bitwise-equal float64 arrays, not approximately equal
        np.testing.assert_array_equal(out["delay"].values, ds["delay"].values)
        np.testing.assert_array_equal(out["wavelength"].values, ds["wavelength"].values)
        np.testing.assert_array_equal(out["dA"].values, ds["dA"].values)
        assert_units(out, {"dA": "OD", "delay": "ps", "wavelength": "nm"})
        if self.keeps_A0:
            np.testing.assert_array_equal(out["A0"].values, ds["A0"].values)
            assert_units(out, {"A0": "OD"})
        if self.keeps_metadata:
            for k in ("pump_wavelength_nm", "sample", "path_length_cm"):
                assert out.attrs[k] == ds.attrs[k]

    def test_extremes(self, tmp_path: Path) -> None:
        """Subnormal, huge, negative-zero-free and single-point axes survive unchanged."""
        ds = make_map(n_t=2, n_wl=3, seed=5)
        ds["dA"].values[:] = [[5e-324, -1.7976931348623157e308, 1 / 3], [0.1, -2.5e-17, 1e300]]
        out = self.roundtrip(ds, tmp_path)
        np.testing.assert_array_equal(out["dA"].values, ds["dA"].values)

    def test_input_not_overwritten(self, tmp_path: Path) -> None:
        ds = make_map()
        path = tmp_path / f"map.{self.ext}"
        write_ta(ds, path, format=self.format, **self.write_options)
        before = path.read_bytes()
        back = read_ta(path)
        with pytest.raises(Exception, match="refusing to overwrite the input"):
            write_ta(back, path, format=self.format)
        assert path.read_bytes() == before


class TestNetcdf(RoundTrip):
    format, ext, keeps_A0, keeps_metadata = "netcdf", "nc", True, True

    def test_fluence_series(self, tmp_path: Path) -> None:
        maps = [make_map(seed=1) for _ in range(3)]
        for k, m in enumerate(maps):
            m["dA"] = m["dA"] * (k + 1)
        series = stack_fluence(maps, [1.0, 2.5, 10.0], N_mean=[0.1, 0.25, 1.0])
        write_ta(series, tmp_path / "s.nc")
        out = read_ta(tmp_path / "s.nc")
        xr.testing.assert_identical(out.drop_attrs(), series.drop_attrs())
        assert_units(out, {"fluence": "uJ/cm^2", "N_mean": "1", "dA": "OD"})


class TestUfs(RoundTrip):
    format, ext = "helios-ufs", "ufs"


class TestCsvSurfaceXplorer(RoundTrip):
    format, ext = "matrix-csv", "csv"
    write_options: ClassVar[dict[str, Any]] = {"orientation": "wavelength-rows"}


class TestCsvTransposed(RoundTrip):
    format, ext = "matrix-csv", "csv"
    write_options: ClassVar[dict[str, Any]] = {"orientation": "delay-rows", "delimiter": "\t",
                                               "corner": "Delay/Wavelength"}


class TestNpz(RoundTrip):
    format, ext, keeps_A0, keeps_metadata = "npz", "npz", True, True


class TestGlotaranTimeExplicit(RoundTrip):
    format, ext = "glotaran-ascii", "ascii"


class TestGlotaranWavelengthExplicit(RoundTrip):
    format, ext = "glotaran-ascii", "ascii"
    write_options: ClassVar[dict[str, Any]] = {"explicit": "wavelength"}


def test_every_writable_format_has_a_roundtrip_class() -> None:
    covered = {c.format for c in RoundTrip.__subclasses__()}
    writable = {n for n, f in FORMATS.items() if f.write is not None}
    assert writable <= covered, f"formats without a RoundTrip test: {writable - covered}"


def test_written_file_has_default_permissions(tmp_path: Path) -> None:
    import os

    umask = os.umask(0)
    os.umask(umask)
    p = tmp_path / "m.nc"
    write_ta(make_map(), p)
    assert (p.stat().st_mode & 0o777) == (0o666 & ~umask)
