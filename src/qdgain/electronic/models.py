"""Named dot models: which parameter set and which surface termination a dot is built with.

Every dot builder of the library (``solve_dot``, ``size_sweep``, the optics layer, the CLIs
``qdgain nc / optics / sweep / reproduce``) goes through :func:`build_dot`, so a model is chosen
in one place and reported by name.

Why this default (docs/boundary_states.md, sections 3–4 and "Adopted…"): with the public set
``HgTe_sp3d5_soc_2nn``, every atom with ≥ 2 neighbours kept and the dangling sp3 hybrids shifted
by +20 eV (model ``"hybrid20"``, the layers' raw defaults), the 3.5 nm sphere has a gap of
0.150 eV against ≈ 1 eV measured. Three independent corrections — no two-fold-coordinated Te on
the surface (they set the small gaps), the exact projection of the dangling hybrids (the limit
the 20 eV shift only approaches as 1/Δ) and the bulk set refitted to the 300 K k·p targets
(docs/parameters.md) — give 1.038 eV. Honest caveat: this combination was picked among a handful
of options *after* the public set failed, so the 1 eV is a consistency check, not a prediction,
and the gap-vs-size series is not strictly monotonic (147 → 239 atoms rises by 0.03 eV). The
public set remains the bulk reference (``load_parameters("HgTe")``); ``"hybrid20"`` and
``params="HgTe"`` reproduce the old dots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from qdgain.electronic.hamiltonian import TBHamiltonian, hamiltonian
from qdgain.errors import ParameterError
from qdgain.materials import TBParameters, load_parameters
from qdgain.structure import Nanocrystal, nanocrystal

__all__ = ["SurfaceModel", "SURFACES", "DEFAULT_SURFACE", "DOT_PARAMETER_SETS",
           "surface_model", "dot_parameters", "build_dot"]


@dataclass(frozen=True, slots=True)
class SurfaceModel:
    """Surface termination of a dot: which atoms are kept and how dangling bonds are passivated.

    Parameters
    ----------
    name : str
        Name used by the CLIs (``--surface``) and reported with every result.
    min_anion_neighbours : int
        Anions with fewer in-dot neighbours are removed (2: the builder's rule for every atom;
        3: two-fold-coordinated anions removed too), see :func:`qdgain.structure.nanocrystal`.
    passivation_shift_eV : float
        Shift of each dangling sp3 hybrid, eV; ``math.inf`` = exact projection
        (:func:`qdgain.electronic.hamiltonian`).
    description : str
        One line for reports.
    """

    name: str
    min_anion_neighbours: int
    passivation_shift_eV: float
    description: str

    def structure_options(self) -> dict[str, int]:
        """Keywords of :func:`qdgain.structure.nanocrystal`."""
        return {"min_anion_neighbours": int(self.min_anion_neighbours)}

    def hamiltonian_options(self) -> dict[str, float]:
        """Keywords of :func:`qdgain.electronic.hamiltonian`."""
        return {"passivation_shift_eV": float(self.passivation_shift_eV)}


#: surface models by name (docs/boundary_states.md)
SURFACES: dict[str, SurfaceModel] = {
    "no-twofold-te": SurfaceModel(
        "no-twofold-te", 3, math.inf,
        "two-fold-coordinated anions removed, dangling sp3 hybrids projected out exactly"),
    "hybrid20": SurfaceModel(
        "hybrid20", 2, 20.0,
        "every atom with >= 2 neighbours kept, dangling sp3 hybrids shifted by +20 eV "
        "(the former library default)"),
}
#: surface model of every dot unless one is named
DEFAULT_SURFACE = "no-twofold-te"
#: parameter set a dot of a material is built with by default (the bulk reference set of the
#: material stays ``load_parameters(material)``): our fit of the public HgTe set to the 300 K
#: k·p targets (docs/parameters.md)
DOT_PARAMETER_SETS: dict[str, str] = {"HgTe": "HgTe_sp3d5_soc_2nn_fit300K"}


def surface_model(surface: str | SurfaceModel = DEFAULT_SURFACE) -> SurfaceModel:
    """The :class:`SurfaceModel` of a name (or the model itself).

    Raises
    ------
    ParameterError
        Unknown name (the message lists the known ones).
    """
    if isinstance(surface, SurfaceModel):
        return surface
    if surface not in SURFACES:
        raise ParameterError(f"surface = {surface!r}: unknown surface model; choose one of "
                             f"{', '.join(sorted(SURFACES))}")
    return SURFACES[surface]


def dot_parameters(material_or_params: str | TBParameters = "HgTe") -> TBParameters:
    """Parameter set of a dot: a material name maps to its dot set (:data:`DOT_PARAMETER_SETS`,
    else the material's own set); a set name, JSON path or loaded set is taken as given.

    Parameters
    ----------
    material_or_params : str or TBParameters
        ``"HgTe"`` (→ ``HgTe_sp3d5_soc_2nn_fit300K``), ``"CdTe"``, ``"HgTe_sp3d5_soc_2nn"``
        (the public set, explicitly), a path, or a set.
    """
    if isinstance(material_or_params, TBParameters):
        return material_or_params
    name = str(material_or_params)
    return load_parameters(DOT_PARAMETER_SETS.get(name, name))


def build_dot(material_or_params: str | TBParameters, shape: Any, *,
              surface: str | SurfaceModel = DEFAULT_SURFACE, center: str = "cation",
              soc: bool = True, **h_options: Any) -> tuple[Nanocrystal, TBHamiltonian]:
    """Build a dot and its Hamiltonian with a named surface model.

    Parameters
    ----------
    material_or_params : str or TBParameters
        Material (its dot set, :func:`dot_parameters`), set name, JSON path or set.
    shape : Sphere, Tetrahedron, Cube or CustomShape
        Geometry in nm (:mod:`qdgain.structure`).
    surface : str or SurfaceModel
        Surface model (:data:`SURFACES`; default :data:`DEFAULT_SURFACE`).
    center : {"cation", "anion", "interstitial"}
        Site at the origin.
    soc : bool
        Spin–orbit coupling.
    **h_options
        Further keywords of :func:`qdgain.electronic.hamiltonian` (``field_V_nm`` in V/nm,
        ``max_memory_GB`` in GB); the passivation comes from ``surface``.

    Returns
    -------
    (Nanocrystal, TBHamiltonian)

    Raises
    ------
    ParameterError
        Unknown surface model, or ``passivation_shift_eV`` given besides ``surface``.
    """
    model = surface_model(surface)
    if "passivation_shift_eV" in h_options:
        raise ParameterError("build_dot: passivation_shift_eV is set by the surface model; pass "
                             f"surface= (one of {', '.join(sorted(SURFACES))}) or a SurfaceModel")
    params = dot_parameters(material_or_params)
    nc = nanocrystal(params, shape, center=center, **model.structure_options())
    H = hamiltonian(nc, params, soc=soc, **model.hamiltonian_options(), **h_options)
    return nc, H
