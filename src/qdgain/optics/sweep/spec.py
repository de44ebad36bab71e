"""What a sweep computes: dot specifications, options, input parsing and the content hash.

A dot is (shape, diameter); the diameter of a tetrahedron is the diameter of the sphere of equal
volume (:class:`qdgain.structure.Tetrahedron`), so both shapes share one size axis. The cache
key of a dot is the SHA-256 of its parameter set (every value), shape, diameter and every option
that changes its result (the surface model by name and content), plus :data:`SCHEMA_VERSION`
(bumped when the stored record changes). Dots are built with the library's dot models
(:func:`qdgain.electronic.build_dot`).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from qdgain.electronic.models import DEFAULT_SURFACE, DOT_PARAMETER_SETS, surface_model
from qdgain.errors import ParameterError

__all__ = ["SHAPES", "SCHEMA_VERSION", "DotSpec", "SweepOptions", "parse_diameters",
           "parse_shapes", "dot_grid", "params_fingerprint", "dot_key"]

#: Shapes a sweep knows, by CLI name.
SHAPES: tuple[str, ...] = ("sphere", "tetrahedron")
#: Version of the per-dot record; part of every cache key.
SCHEMA_VERSION = 1
_MAX_DOTS = 10_000


@dataclass(frozen=True, slots=True)
class DotSpec:
    """One dot of a sweep.

    Parameters
    ----------
    shape : str
        ``"sphere"`` or ``"tetrahedron"``.
    diameter_nm : float
        Sphere diameter, or equal-volume-sphere diameter of a tetrahedron, nm.
    """

    shape: str
    diameter_nm: float

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ParameterError(f"unknown shape {self.shape!r}; choose from {', '.join(SHAPES)}")
        if not (math.isfinite(self.diameter_nm) and self.diameter_nm > 0):
            raise ParameterError(f"diameter {self.diameter_nm!r} nm: must be a number > 0 nm")

    def structure_shape(self) -> Any:
        """The :mod:`qdgain.structure` shape object of this dot."""
        from qdgain.structure import Sphere, Tetrahedron

        if self.shape == "sphere":
            return Sphere(diameter_nm=self.diameter_nm)
        return Tetrahedron(equal_volume_diameter_nm=self.diameter_nm)


@dataclass(frozen=True, slots=True)
class SweepOptions:
    """Physics and solver options shared by every dot of a sweep (all enter the cache key).

    Parameters
    ----------
    params : str
        Tight-binding set name, material (its dot set, :func:`qdgain.electronic.dot_parameters`)
        or JSON path; default the HgTe dot set (``HgTe_sp3d5_soc_2nn_fit300K``).
    n_e, n_h : int
        Minimum conduction / valence spinor states in the exciton CI; raised to complete
        multiplets that contain CB1 and VB1 + VB2.
    eps_in : float
        Dielectric constant of the dot screening the CI (SPEC reference 6.8 at 3.5 nm).
    eps_out : float
        Solvent dielectric constant (TCE: 1.50² = 2.25).
    temperature_K : float
        Temperature of the Boltzmann populations in τ_rad, K.
    method : str
        Band-edge solver (:func:`qdgain.electronic.band_edge_states`; ``"auto"`` by default).
    soc : bool
        Spin–orbit coupling in the Hamiltonian.
    max_memory_GB : float, optional
        Refuse dots whose estimated peak memory exceeds this, GB (default: half the physical
        memory divided by the number of workers). Not part of the cache key.
    surface : str
        Surface model of the dots (:data:`qdgain.electronic.SURFACES`).
    """

    params: str = DOT_PARAMETER_SETS["HgTe"]
    n_e: int = 2
    n_h: int = 8
    eps_in: float = 6.8
    eps_out: float = 2.25
    temperature_K: float = 300.0
    method: str = "auto"
    soc: bool = True
    max_memory_GB: float | None = None
    surface: str = DEFAULT_SURFACE

    def __post_init__(self) -> None:
        surface_model(self.surface)  # unknown name: ParameterError listing the models
        if int(self.n_e) < 1 or int(self.n_h) < 1:
            raise ParameterError(f"n_e = {self.n_e}, n_h = {self.n_h}: CI basis sizes must be "
                                 ">= 1 spinor state")
        if not (self.eps_in > 0 and self.eps_out > 0):
            raise ParameterError(f"eps_in = {self.eps_in}, eps_out = {self.eps_out}: dielectric "
                                 "constants must be > 0")
        if not self.temperature_K >= 0:
            raise ParameterError(f"temperature_K = {self.temperature_K}: must be >= 0 K")
        if self.max_memory_GB is not None and not self.max_memory_GB > 0:
            raise ParameterError(f"max_memory_GB = {self.max_memory_GB}: must be > 0 GB")

    def key_fields(self) -> dict[str, Any]:
        """Options that change a dot's result (the cache-key part of the options)."""
        d = asdict(self)
        d.pop("max_memory_GB")
        d.pop("params")
        m = surface_model(self.surface)
        d["surface"] = [m.name, m.min_anion_neighbours, repr(m.passivation_shift_eV)]
        return d


def parse_diameters(text: str) -> np.ndarray:
    """Diameters (nm) from ``"START:STOP:STEP"`` (STOP included when on the grid) or ``"a,b,c"``.

    Parameters
    ----------
    text : str
        E.g. ``"2.5:8:0.25"`` (nm) or ``"2.5,3.5,5"`` (nm).

    Returns
    -------
    ndarray of float, diameters in nm, ascending, unique, rounded to 1e-6 nm.
    """
    hint = "give START:STOP:STEP in nm (e.g. 2.5:8:0.25) or a list (e.g. 2.5,3.5,5)"
    s = str(text).strip()
    try:
        parts = [float(x) for x in s.split(":")] if ":" in s else None
        listed = None if parts else [float(x) for x in s.split(",") if x.strip()]
    except ValueError:
        raise ParameterError(f"--diameters {text!r}: cannot read the numbers; {hint}") from None
    if parts is not None:
        if len(parts) != 3:
            raise ParameterError(f"--diameters {text!r}: cannot read the numbers; {hint}")
        start, stop, step = parts
        if not (step > 0 and stop >= start and math.isfinite(stop)):
            raise ParameterError(f"--diameters {text!r}: need STEP > 0 and STOP >= START; "
                                 + hint)
        n = int(math.floor((stop - start) / step + 1e-9)) + 1
        if n > _MAX_DOTS:
            raise ParameterError(f"--diameters {text!r}: {n} sizes (limit {_MAX_DOTS}); "
                                 "use a larger STEP")
        d = start + step * np.arange(n)
    else:
        d = np.array(listed, dtype=float)
    if d.size == 0 or not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ParameterError(f"--diameters {text!r}: diameters must be numbers > 0 nm; {hint}")
    return np.unique(np.round(d, 6))


def parse_shapes(text: str) -> tuple[str, ...]:
    """Shapes from a comma-separated list, e.g. ``"sphere,tetrahedron"``."""
    names = tuple(dict.fromkeys(x.strip().lower() for x in str(text).split(",") if x.strip()))
    bad = [n for n in names if n not in SHAPES]
    if bad or not names:
        raise ParameterError(f"--shape {text!r}: unknown shape(s) {bad or [text]}; choose from "
                             f"{', '.join(SHAPES)} (comma-separated)")
    return names


def dot_grid(shapes: tuple[str, ...] | list[str], diameters_nm: np.ndarray) -> list[DotSpec]:
    """All (shape, diameter) pairs, shape-major, diameters ascending."""
    return [DotSpec(s, float(d)) for s in shapes for d in np.asarray(diameters_nm, float)]


def params_fingerprint(params: Any) -> str:
    """SHA-256 of a TB parameter set: every value, the basis, the lattice constant, nm."""
    blob = json.dumps({"values": sorted((k, float(v)) for k, v in params.values.items()),
                       "orbitals": list(params.orbitals), "a_nm": params.lattice_constant_nm,
                       "max_shell": params.max_shell}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def dot_key(spec: DotSpec, options: SweepOptions, params_hash: str) -> str:
    """Content hash (hex) of one dot: parameters + shape + size + result-changing options."""
    blob = json.dumps({"schema": SCHEMA_VERSION, "params": params_hash, "shape": spec.shape,
                       "diameter_nm": round(float(spec.diameter_nm), 6),
                       "options": options.key_fields()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]
