"""Band-edge states: the result type, degeneracy groups, NetCDF IO and a Gaussian DOS."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdgain._io import atomic_write
from qdgain.errors import FormatError
from qdgain.units import with_units

__all__ = ["States", "Level", "degeneracy_groups", "save_states", "load_states",
           "density_of_states", "DEFAULT_DEGENERACY_TOL_EV"]

#: two states closer than this (eV) belong to one degenerate level. Kramers and Td-symmetry
#: degeneracies are exact to round-off (≲ 1e-10 eV at 1e-8 eV residuals); real splittings of the
#: band-edge levels of dots ≤ 10 nm are ≥ 0.1 meV.
DEFAULT_DEGENERACY_TOL_EV = 1e-6


def degeneracy_groups(energies_eV: np.ndarray, tol_eV: float = DEFAULT_DEGENERACY_TOL_EV
                      ) -> np.ndarray:
    """Level index (n,) of ascending energies: a new level starts where the gap exceeds tol (eV)."""
    e = np.asarray(energies_eV, float)
    if len(e) == 0:
        return np.zeros(0, int)
    return np.concatenate([[0], np.cumsum(np.diff(e) > tol_eV)])


@dataclass(frozen=True, slots=True)
class Level:
    """One (degenerate) level: mean energy (eV), degeneracy, spread (eV), band ("VB"/"CB")."""

    energy_eV: float
    degeneracy: int
    spread_eV: float
    band: str


@dataclass(frozen=True, slots=True, eq=False)
class States:
    """Band-edge eigenstates of a nanocrystal Hamiltonian (complete degenerate multiplets only).

    Attributes
    ----------
    energies_eV : ndarray (n,)
        Ascending energies, eV.
    vectors : ndarray complex (n_basis, n)
        Orthonormal eigenvectors (columns), basis ``atom * 2 norb + spin * norb + orbital``.
    is_conduction : ndarray of bool (n,)
    atom_of_basis : ndarray of int (n_basis,)
    positions_nm : ndarray (N, 3)
    homo_eV, lumo_eV, gap_eV : float
        Highest valence, lowest conduction energy and their difference, eV.
    residuals_eV : ndarray (n,)
        ‖H v − E v‖ per state, eV.
    level_index : ndarray of int (n,)
        Degenerate level of each state (ascending; at ``degeneracy_tol_eV``).
    degeneracy_tol_eV : float
    method : str
        Solver that produced the states.
    hamiltonian_hash : str
        ``TBHamiltonian.content_hash`` of the source Hamiltonian.
    n_orbitals : int
        Orbitals per atom and spin.
    info : dict
        Solver diagnostics (timings in s, shift, factor fill, inertia).
    """

    energies_eV: np.ndarray
    vectors: np.ndarray
    is_conduction: np.ndarray
    atom_of_basis: np.ndarray
    positions_nm: np.ndarray
    homo_eV: float
    lumo_eV: float
    gap_eV: float
    residuals_eV: np.ndarray
    level_index: np.ndarray
    degeneracy_tol_eV: float
    method: str
    hamiltonian_hash: str
    n_orbitals: int
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_states(self) -> int:
        """Number of states."""
        return len(self.energies_eV)

    @property
    def n_vb(self) -> int:
        """Number of valence states held."""
        return int((~self.is_conduction).sum())

    @property
    def n_cb(self) -> int:
        """Number of conduction states held."""
        return int(self.is_conduction.sum())

    def levels(self) -> list[Level]:
        """Degenerate levels, ascending in energy."""
        out = []
        for lev in np.unique(self.level_index):
            sel = self.level_index == lev
            e = self.energies_eV[sel]
            out.append(Level(float(e.mean()), int(sel.sum()), float(np.ptp(e)),
                             "CB" if self.is_conduction[sel][0] else "VB"))
        return out

    def band_levels(self, band: str) -> list[Level]:
        """Levels of one band ordered away from the gap: ``"CB"`` ascending, ``"VB"`` descending
        (so ``band_levels("VB")[0]`` is VB1)."""
        lv = [lv for lv in self.levels() if lv.band == band]
        return lv if band == "CB" else lv[::-1]

    def atomic_weights(self) -> np.ndarray:
        """Probability on each atom (N, n): Σ over the atom's spin-orbitals of |c|²."""
        w = np.abs(self.vectors) ** 2
        n_atoms = len(self.positions_nm)
        out = np.zeros((n_atoms, self.n_states))
        np.add.at(out, self.atom_of_basis, w)
        return out


def _atomic_write(ds: xr.Dataset, path: Path) -> None:
    atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="h5netcdf"))


def save_states(states: States, path: str | os.PathLike[str]) -> Path:
    """Write States to NetCDF (h5netcdf), atomically; complex vectors as real + imag parts.

    Parameters
    ----------
    states : States
    path : path-like
        Output ``.nc`` file.
    """
    path = Path(path)
    ds = xr.Dataset(
        {
            "energy": with_units(xr.DataArray(states.energies_eV, dims="state"), "eV"),
            "is_conduction": with_units(xr.DataArray(states.is_conduction.astype(np.int8),
                                                     dims="state"), "1"),
            "level_index": with_units(xr.DataArray(states.level_index, dims="state"), "1"),
            "residual": with_units(xr.DataArray(states.residuals_eV, dims="state"), "eV"),
            "vectors_real": with_units(xr.DataArray(states.vectors.real, dims=("basis", "state")),
                                       "1"),
            "vectors_imag": with_units(xr.DataArray(states.vectors.imag, dims=("basis", "state")),
                                       "1"),
            "atom_of_basis": with_units(xr.DataArray(states.atom_of_basis, dims="basis"), "1"),
            "positions": with_units(xr.DataArray(states.positions_nm, dims=("atom", "xyz")), "nm"),
        },
        attrs={
            "homo_eV": states.homo_eV, "lumo_eV": states.lumo_eV, "gap_eV": states.gap_eV,
            "degeneracy_tol_eV": states.degeneracy_tol_eV, "method": states.method,
            "hamiltonian_hash": states.hamiltonian_hash, "n_orbitals": states.n_orbitals,
            "basis": "atom * (2 norb) + spin * norb + orbital",
            "info": repr(states.info), "kind": "qdgain.States",
        },
    )
    _atomic_write(ds, path)
    return path


def load_states(path: str | os.PathLike[str]) -> States:
    """Read States written by :func:`save_states`."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such States file: {path}")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        ds = ds.load()
    if ds.attrs.get("kind") != "qdgain.States":
        raise FormatError("not a qdgain States file (attribute kind != 'qdgain.States')",
                          path=str(path))
    return States(
        energies_eV=ds["energy"].values, vectors=ds["vectors_real"].values
        + 1j * ds["vectors_imag"].values, is_conduction=ds["is_conduction"].values.astype(bool),
        atom_of_basis=ds["atom_of_basis"].values, positions_nm=ds["positions"].values,
        homo_eV=float(ds.attrs["homo_eV"]), lumo_eV=float(ds.attrs["lumo_eV"]),
        gap_eV=float(ds.attrs["gap_eV"]), residuals_eV=ds["residual"].values,
        level_index=ds["level_index"].values,
        degeneracy_tol_eV=float(ds.attrs["degeneracy_tol_eV"]), method=str(ds.attrs["method"]),
        hamiltonian_hash=str(ds.attrs["hamiltonian_hash"]),
        n_orbitals=int(ds.attrs["n_orbitals"]), info={"loaded_from": str(path)})


def density_of_states(energies_eV: np.ndarray | States, energy_grid_eV: np.ndarray,
                      sigma_eV: float = 0.02) -> xr.DataArray:
    """Gaussian-broadened density of states (states per eV).

    .. math:: g(E) = \\sum_i \\frac{1}{\\sigma\\sqrt{2\\pi}}
              \\exp\\!\\left(-\\frac{(E - E_i)^2}{2\\sigma^2}\\right)

    Parameters
    ----------
    energies_eV : ndarray or States
        Level energies, eV (each spin-orbital state counted once).
    energy_grid_eV : ndarray
        Energies at which g is evaluated, eV.
    sigma_eV : float
        Gaussian standard deviation, eV (> 0).
    """
    from qdgain.errors import ParameterError

    if not sigma_eV > 0:
        raise ParameterError(f"sigma_eV must be > 0 eV, got {sigma_eV!r}")
    e = energies_eV.energies_eV if isinstance(energies_eV, States) else np.asarray(energies_eV)
    grid = np.asarray(energy_grid_eV, float)
    x = (grid[:, None] - e[None, :]) / sigma_eV
    g = np.exp(-0.5 * x * x).sum(axis=1) / (sigma_eV * np.sqrt(2.0 * np.pi))
    energy = with_units(xr.DataArray(grid, dims="energy"), "eV")
    da = xr.DataArray(g, dims="energy", coords={"energy": energy}, name="dos")
    return with_units(da, "1/eV", long_name="density of states")
