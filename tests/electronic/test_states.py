"""States IO (NetCDF round trip, units), Gaussian DOS, degeneracy groups, the size-sweep driver."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.electronic import degeneracy_groups, density_of_states, load_states, save_states
from qdgain.electronic.workflow import make_shape, size_sweep
from qdgain.errors import FormatError, ParameterError
from qdgain.testing import assert_units


def test_netcdf_round_trip(dense_small, tmp_path):
    path = save_states(dense_small, tmp_path / "states.nc")
    back = load_states(path)
    np.testing.assert_array_equal(back.energies_eV, dense_small.energies_eV)
    np.testing.assert_array_equal(back.vectors, dense_small.vectors)
    np.testing.assert_array_equal(back.is_conduction, dense_small.is_conduction)
    np.testing.assert_array_equal(back.atom_of_basis, dense_small.atom_of_basis)
    assert back.gap_eV == dense_small.gap_eV and back.method == "dense"
    assert [lv.degeneracy for lv in back.levels()] == [lv.degeneracy
                                                       for lv in dense_small.levels()]
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert_units(ds, {"energy": "eV", "residual": "eV", "positions": "nm"})
    bogus = tmp_path / "other.nc"
    xr.Dataset({"x": ("a", [1.0])}).to_netcdf(bogus, engine="h5netcdf")
    with pytest.raises(FormatError, match="not a qdgain States file"):
        load_states(bogus)
    with pytest.raises(FileNotFoundError, match="no such States file"):
        load_states(tmp_path / "missing.nc")


def test_gaussian_dos_integrates_to_state_count(dense_small):
    # ∫ g dE = number of states when the grid covers every Gaussian (±8 σ): trapezoid error ≪ 1e-6
    e = dense_small.energies_eV
    grid = np.linspace(e.min() - 0.5, e.max() + 0.5, 20001)
    dos = density_of_states(dense_small, grid, sigma_eV=0.02)
    assert np.trapezoid(dos.values, grid) == pytest.approx(dense_small.n_states, rel=1e-6)
    assert_units(dos, {"dos": "1/eV", "energy": "eV"})
    # peak height of an isolated level of degeneracy g: g / (σ √(2π))
    g_cb1 = density_of_states([0.0, 0.0], np.array([0.0]), sigma_eV=0.01).values[0]
    assert g_cb1 == pytest.approx(2 / (0.01 * np.sqrt(2 * np.pi)))
    with pytest.raises(ParameterError, match="sigma_eV must be > 0"):
        density_of_states(e, grid, sigma_eV=0.0)


def test_degeneracy_groups_at_tolerance():
    e = np.array([0.0, 1e-9, 0.1, 0.1 + 2e-6, 0.3])
    np.testing.assert_array_equal(degeneracy_groups(e, 1e-6), [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(degeneracy_groups(e, 1e-5), [0, 0, 1, 1, 2])


def test_size_sweep_dataset_and_shapes():
    ds = size_sweep([1.5], "HgTe")
    assert_units(ds, {"gap": "eV", "wavelength": "nm", "diameter": "nm"})
    # hc/E: 1239.84 eV nm
    assert ds.wavelength.values[0] == pytest.approx(1239.8419843 / ds.gap.values[0])
    assert int(ds.n_atoms.values[0]) == 35
    assert make_shape("cube", 2.0).volume_nm3 == pytest.approx(np.pi * 8 / 6)
    with pytest.raises(ParameterError, match="unknown shape 'cone'"):
        make_shape("cone", 2.0)
