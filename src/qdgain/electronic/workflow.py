"""One-call drivers used by the CLI and notebooks: build → Hamiltonian → band-edge states, and the
size sweep of the gap."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from qdgain.constants import HC_EV_NM
from qdgain.electronic.hamiltonian import TBHamiltonian
from qdgain.electronic.models import (
    DEFAULT_SURFACE,
    SurfaceModel,
    build_dot,
    dot_parameters,
    surface_model,
)
from qdgain.electronic.solvers import band_edge_states
from qdgain.electronic.states import States
from qdgain.errors import ParameterError
from qdgain.materials import TBParameters
from qdgain.structure import Cube, Nanocrystal, Sphere, Tetrahedron
from qdgain.units import with_units

__all__ = ["DotResult", "make_shape", "solve_dot", "size_sweep", "SHAPES"]

SHAPES = ("sphere", "tetrahedron", "cube")


def make_shape(shape: str, diameter_nm: float) -> Sphere | Tetrahedron | Cube:
    """Shape from a name and a size: the sphere diameter, or the diameter of the equal-volume
    sphere for a tetrahedron or cube (nm)."""
    if shape == "sphere":
        return Sphere(diameter_nm=diameter_nm)
    if shape == "tetrahedron":
        return Tetrahedron(equal_volume_diameter_nm=diameter_nm)
    if shape == "cube":
        if not diameter_nm > 0:
            raise ParameterError(f"diameter_nm must be > 0 nm, got {diameter_nm!r}")
        return Cube(edge_nm=diameter_nm * (math.pi / 6.0) ** (1.0 / 3.0))
    raise ParameterError(f"unknown shape {shape!r}; choose one of {SHAPES}")


@dataclass(frozen=True, slots=True, eq=False)
class DotResult:
    """A solved dot: structure, Hamiltonian, band-edge states, wall times (s), surface model."""

    nc: Nanocrystal
    H: TBHamiltonian
    states: States
    timings_s: dict[str, float] = field(default_factory=dict)
    surface: str = DEFAULT_SURFACE

    def summary(self) -> dict[str, Any]:
        """Plain-Python summary (levels, degeneracies, gap, counts, timings) for JSON output."""
        st = self.states
        return {
            "formula": self.nc.formula, "n_atoms": self.nc.n_atoms,
            "counts": self.nc.counts, "stoichiometry": self.nc.stoichiometry,
            "n_basis": self.H.n_basis, "parameter_set": self.H.options["parameter_set"],
            "surface": self.surface,
            "gap_eV": st.gap_eV, "homo_eV": st.homo_eV, "lumo_eV": st.lumo_eV,
            "gap_wavelength_nm": HC_EV_NM / st.gap_eV if st.gap_eV > 0 else None,
            "levels": [{"band": lv.band, "energy_eV": lv.energy_eV, "degeneracy": lv.degeneracy,
                        "spread_eV": lv.spread_eV} for lv in st.levels()],
            "max_residual_eV": float(st.residuals_eV.max()), "method": st.method,
            "degeneracy_tol_eV": st.degeneracy_tol_eV, "timings_s": dict(self.timings_s),
        }


def solve_dot(material: str = "HgTe", shape: str = "sphere", diameter_nm: float = 3.5, *,
              params: TBParameters | str | None = None, n_vb: int = 8, n_cb: int = 8,
              center: str = "cation", method: str = "auto",
              surface: str | SurfaceModel = DEFAULT_SURFACE, **h_options: Any) -> DotResult:
    """Build a dot (:func:`qdgain.electronic.models.build_dot`), assemble H and solve for its
    band-edge states.

    Parameters
    ----------
    material : str
        Material name when ``params`` is not given; its dot parameter set is used
        (:func:`qdgain.electronic.models.dot_parameters`: ``HgTe`` → the 300 K fitted set).
    shape : {"sphere", "tetrahedron", "cube"}
    diameter_nm : float
        Sphere diameter, or equal-volume sphere diameter (nm).
    params : TBParameters or str, optional
        Parameter set (object, name or file) overriding ``material``.
    n_vb, n_cb : int
        Valence / conduction states wanted (complete multiplets are kept).
    center : str
        "cation", "anion" or "interstitial".
    method : str
        Solver (see :func:`band_edge_states`).
    surface : str or SurfaceModel
        Surface model (:data:`qdgain.electronic.models.SURFACES`; default ``"no-twofold-te"``).
    **h_options
        Passed to :func:`qdgain.electronic.hamiltonian` (``soc``, ``field_V_nm`` in V/nm).
    """
    p = dot_parameters(params if params else material)
    model = surface_model(surface)
    t = {}
    t0 = time.perf_counter()
    nc, H = build_dot(p, make_shape(shape, diameter_nm), surface=model, center=center,
                      **h_options)
    t["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    st = band_edge_states(H, n_vb=n_vb, n_cb=n_cb, method=method)
    t["solve"] = time.perf_counter() - t0
    return DotResult(nc=nc, H=H, states=st, timings_s=t, surface=model.name)


def size_sweep(diameters_nm: Sequence[float], material: str = "HgTe", shape: str = "sphere", *,
               params: TBParameters | str | None = None, method: str = "auto",
               progress: Callable[[float], None] | None = None,
               surface: str | SurfaceModel = DEFAULT_SURFACE, **h_options: Any) -> xr.Dataset:
    """Gap versus size: one band-edge solve (VB1 + CB1 only) per diameter.

    Dots as in :func:`solve_dot` (dot parameter set of ``material`` unless ``params`` is given,
    surface model ``surface``). Returns an xarray Dataset on ``diameter`` (nm) with ``n_atoms``,
    ``gap`` (eV) and ``wavelength`` (nm, hc / gap); attrs ``parameter_set``, ``shape``,
    ``surface``. ``progress(d)`` is called after each size.
    """
    d = np.asarray(list(diameters_nm), float)
    if d.size == 0:
        raise ParameterError("size_sweep: no diameters given")
    p = dot_parameters(params if params else material)
    model = surface_model(surface)
    atoms, gaps = [], []
    for di in d:
        r = solve_dot(material, shape, float(di), params=p, n_vb=1, n_cb=1, method=method,
                      surface=model, **h_options)
        atoms.append(r.nc.n_atoms)
        gaps.append(r.states.gap_eV)
        if progress is not None:
            progress(float(di))
    gaps_a = np.asarray(gaps)
    lam = np.where(gaps_a > 0, HC_EV_NM / np.where(gaps_a > 0, gaps_a, 1.0), np.nan)
    coord = with_units(xr.DataArray(d, dims="diameter"), "nm")
    ds = xr.Dataset(
        {"n_atoms": with_units(xr.DataArray(np.asarray(atoms), dims="diameter"), "1"),
         "gap": with_units(xr.DataArray(gaps_a, dims="diameter"), "eV"),
         "wavelength": with_units(xr.DataArray(lam, dims="diameter"), "nm")},
        coords={"diameter": coord},
        attrs={"parameter_set": p.name, "shape": shape, "surface": model.name},
    )
    return ds
