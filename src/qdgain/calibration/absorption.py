"""Intrinsic absorption coefficient μ_i of the dot material from bulk optical data (SPEC §3).

μ_i is the absorption coefficient of a fictitious medium made of 100 % dot material, corrected for
the local field of a dot in a solvent. Every ⟨N⟩ and every intrinsic gain scales with it, and the
published inputs disagree (SPEC §3, caution): :func:`intrinsic_absorption_sources` evaluates each
source in ``data/intrinsic_absorption_HgTe.json`` so the spread can be reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from qdgain.errors import ParameterError

__all__ = [
    "IntrinsicAbsorption",
    "dielectric_from_nk",
    "local_field_factor",
    "intrinsic_absorption_cm",
    "intrinsic_absorption_from_cation_cross_section_cm",
    "intrinsic_absorption_sources",
    "PAPER_MU_I_400_CM",
]

#: μ_i,400 of HgTe used by the reference paper (Methods), cm⁻¹ — the default when reproducing it
PAPER_MU_I_400_CM = 4.84e5


@dataclass(frozen=True, slots=True)
class IntrinsicAbsorption:
    """μ_i from one source.

    Attributes
    ----------
    name : str
        Key of the source in the data file.
    mu_i_cm : float
        Intrinsic absorption coefficient, cm⁻¹.
    wavelength_nm : float
        Wavelength the input data refer to, nm.
    ratio_to_paper : float
        μ_i / 4.84e5 cm⁻¹.
    source : str
        Citation.
    """

    name: str
    mu_i_cm: float
    wavelength_nm: float
    ratio_to_paper: float
    source: str


def dielectric_from_nk(n: np.ndarray | float, k: np.ndarray | float) -> np.ndarray | complex:
    """Complex dielectric function from the complex refractive index n + ik.

    .. math:: \\varepsilon = (n + ik)^2 = (n^2 - k^2) + 2nk\\,i

    Parameters
    ----------
    n, k : float or array
        Real and imaginary parts of the refractive index (dimensionless).
    """
    return (np.asarray(n, dtype=float) + 1j * np.asarray(k, dtype=float)) ** 2


def local_field_factor(eps: np.ndarray | complex, n_solvent: float) -> np.ndarray | complex:
    """Local-field factor of a sphere of dielectric function ε in a medium of index n_s.

    .. math:: f_\\mathrm{LF} = \\frac{3 n_s^2}{\\varepsilon + 2 n_s^2}

    Parameters
    ----------
    eps : complex or array
        Dielectric function of the sphere material (dimensionless).
    n_solvent : float
        Refractive index of the solvent (TCE: 1.50).
    """
    if n_solvent <= 0:
        raise ParameterError(f"n_solvent must be > 0, got {n_solvent}")
    es = n_solvent**2
    return 3.0 * es / (np.asarray(eps, dtype=complex) + 2.0 * es)


def intrinsic_absorption_cm(eps: np.ndarray | complex, n_solvent: float,
                            wavelength_nm: np.ndarray | float) -> np.ndarray | float:
    """Intrinsic absorption coefficient μ_i from the bulk complex dielectric function (SPEC §3).

    .. math:: \\mu_i = \\frac{2\\pi}{\\lambda n_s}\\,|f_\\mathrm{LF}|^2\\,\\varepsilon_2

    Parameters
    ----------
    eps : complex or array
        Bulk dielectric function ε1 + iε2 at ``wavelength_nm`` (dimensionless).
    n_solvent : float
        Solvent refractive index.
    wavelength_nm : float or array
        Vacuum wavelength, nm (converted to cm: 1 nm = 1e-7 cm).

    Returns
    -------
    float or array
        μ_i, cm⁻¹.
    """
    lam_cm = np.asarray(wavelength_nm, dtype=float) * 1e-7
    if np.any(lam_cm <= 0):
        raise ParameterError(f"wavelength_nm must be > 0, got {wavelength_nm!r}")
    e = np.asarray(eps, dtype=complex)
    if np.any(e.imag < 0):
        raise ParameterError("eps must have Im(eps) >= 0 (absorbing medium, e^{-i w t} convention)")
    flf2 = np.abs(local_field_factor(e, n_solvent)) ** 2
    return 2.0 * np.pi / (lam_cm * n_solvent) * flf2 * e.imag


def intrinsic_absorption_from_cation_cross_section_cm(
        sigma_per_cation_cm2: float, lattice_constant_nm: float,
        cations_per_cell: int = 4) -> float:
    """μ_i from a measured absorption cross section per cation (e.g. per Hg atom).

    .. math:: \\mu_i = \\sigma_\\mathrm{cation}\\, n_\\mathrm{cation},\\qquad
              n_\\mathrm{cation} = 4 / a^3\\ \\text{(zincblende)}

    Parameters
    ----------
    sigma_per_cation_cm2 : float
        Cross section per cation, cm².
    lattice_constant_nm : float
        Cubic lattice constant, nm (HgTe: 0.646).
    cations_per_cell : int
        Cations per cubic cell (4 for zincblende).
    """
    if sigma_per_cation_cm2 <= 0 or lattice_constant_nm <= 0:
        raise ParameterError("sigma_per_cation_cm2 and lattice_constant_nm must be > 0")
    a_cm = lattice_constant_nm * 1e-7
    return float(sigma_per_cation_cm2 * cations_per_cell / a_cm**3)


def _load_sources() -> dict[str, Any]:
    text = resources.files("qdgain.calibration").joinpath(
        "data/intrinsic_absorption_HgTe.json").read_text(encoding="utf-8")
    return json.loads(text)["sources"]


def intrinsic_absorption_sources(n_solvent: float = 1.50) -> dict[str, IntrinsicAbsorption]:
    """Evaluate μ_i(≈400 nm) of HgTe from every stored source (paper, Palik ε, Lhuillier σ).

    Parameters
    ----------
    n_solvent : float
        Solvent refractive index used in the local-field factor (TCE: 1.50).

    Returns
    -------
    dict
        ``{name: IntrinsicAbsorption}``; ``ratio_to_paper`` shows the spread.
    """
    out: dict[str, IntrinsicAbsorption] = {}
    for name, entry in _load_sources().items():
        kind = entry["kind"]
        if kind == "mu_i":
            mu = float(entry["mu_i_cm"])
        elif kind == "nk":
            eps = dielectric_from_nk(entry["n"], entry["k"])
            mu = float(intrinsic_absorption_cm(eps, n_solvent, entry["wavelength_nm"]))
        elif kind == "cross_section_per_cation":
            mu = intrinsic_absorption_from_cation_cross_section_cm(
                entry["sigma_per_Hg_cm2"], entry["lattice_constant_nm"],
                entry["cations_per_cubic_cell"])
        else:
            raise ParameterError(f"intrinsic absorption source {name!r}: unknown kind {kind!r}")
        out[name] = IntrinsicAbsorption(name, mu, float(entry["wavelength_nm"]),
                                        mu / PAPER_MU_I_400_CM, entry["source"])
    return out
