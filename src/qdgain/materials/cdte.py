"""CdTe sp3d5 + SOC set: fit targets from cited references and the fit behind the shipped set.

No public CdTe tight-binding set with spin–orbit in our sp3d5 2nd-neighbour form was found, so
``CdTe_sp3d5_soc_2nn_fit0K`` is fitted here (regenerate with :func:`fit_cdte`):

* **start**: the public HgTe set (``HgTe_sp3d5_soc_2nn``) with Hg renamed Cd, a = 0.6482 nm and
  the cation s level raised by 2.0 eV (this alone opens E(Γ6) − E(Γ8) to +1.58 eV);
* **Γ targets** (8-band k·p, ``bulk_references.json`` [CdTe], :func:`kp_targets`): gap 1.606 eV
  (0 K), Δ = 0.91 eV, E_P = 18.8 eV, light/heavy hole and Γ6 masses;
* **zone-boundary targets** (the guard refused every CdTe fit without them): the local empirical
  pseudopotential band structure of Cohen & Bergstresser (1966), computed by
  :mod:`qdgain.materials.epm`, converted to levels with spin–orbit relative to E(Γ8):

  .. math::

      E(\\Gamma_8) = E(\\Gamma_{15v}) + \\Delta_0/3,\\qquad
      E(L_{4,5v}) = E(L_{3v}) + \\Delta_1/2,\\quad E(L_{6v}) = E(L_{3v}) - \\Delta_1/2,
      \\quad \\Delta_1 = \\tfrac{2}{3}\\Delta_0

  (Δ1 ≈ 0.6 eV is also the measured E1+Δ1 − E1 splitting of CdTe, J. Appl. Phys. 86, 2062
  (1999)); the X5v pair is targeted at its centroid (its spin–orbit splitting is not known
  here, hence the wider tolerance), conduction levels at X and L are placed above the k·p Γ6 by
  their EPM distance from Γ1c (the EPM gap itself, 1.78 eV without SOC, is not used), and the
  first Γ level above Γ6 (Γ7c/Γ8c from Γ15c) is a loose anchor that keeps remote bands away.
  The upper valence band on the zone face (W) is a further anchor: EPM gives −1.38 eV, close to
  the −1.3 eV measured by photoemission along W–K ("Photoemission Studies of CdTe",
  https://scilit.com/publications/10be61f735b80fc38bfc9a6266c68997).

Tolerances of the EPM targets (0.2–0.5 eV) reflect the 1966 local model and the approximate
spin–orbit conversion; they are anchors against spurious valleys, not precision targets.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from qdgain.materials.epm import COHEN_BERGSTRESSER_1966, epm_bands
from qdgain.materials.fit import FitResult, fit_parameters
from qdgain.materials.parameters import TBParameters, load_parameters, renamed
from qdgain.materials.references import bulk_reference, kp_gap_eV, kp_targets
from qdgain.materials.targets import Target

__all__ = ["CDTE_FREE", "CDTE_BOUNDS", "cdte_start", "cdte_targets", "fit_cdte"]

#: free parameters of the CdTe fit
CDTE_FREE = (
    "onsite.Cd.s", "onsite.Cd.p", "onsite.Te.s", "onsite.Te.p",
    "nn1.Cd-Te.ss_sigma", "nn1.Cd-Te.sp_sigma", "nn1.Cd-Te.ps_sigma", "nn1.Cd-Te.pp_sigma",
    "nn1.Cd-Te.pp_pi", "soc.Te.p", "soc.Cd.p", "nn2.Cd-Cd.pp_sigma", "nn2.Cd-Cd.pp_pi",
    "nn2.Te-Te.ss_sigma", "nn2.Te-Te.sp_sigma", "nn2.Te-Te.pp_sigma", "nn2.Te-Te.pp_pi",
)
#: bounds (eV): Cd p spin–orbit not above the (heavier) Hg value of the start set
CDTE_BOUNDS = {"soc.Te.p": (0.2, 0.6), "soc.Cd.p": (0.05, 0.52)}
_CATION_S_SHIFT_EV = 2.0
_REGULARIZATION = 2.0


def cdte_start() -> TBParameters:
    """Start set: public HgTe set, Hg -> Cd, a = 0.6482 nm, cation s level + 2.0 eV."""
    a_nm = bulk_reference("CdTe")["a_angstrom"] / 10.0
    hg = load_parameters("HgTe_sp3d5_soc_2nn")
    start = renamed(hg, cation="Cd", lattice_constant_nm=a_nm, name="CdTe_fit_start")
    return start.with_values({"onsite.Cd.s": start.value("onsite.Cd.s") + _CATION_S_SHIFT_EV})


def cdte_targets(temperature_K: float = 0.0) -> list[Target]:
    """k·p Γ targets plus EPM zone-boundary anchors (module docstring), energies rel. E(Γ8)."""
    ref = bulk_reference("CdTe")
    d0 = float(ref["Delta_so_eV"])
    eg = kp_gap_eV("CdTe", temperature_K)
    ff = COHEN_BERGSTRESSER_1966["CdTe"]
    e = epm_bands(ff, np.array([[0, 0, 0], [1, 0, 0], [0.5, 0.5, 0.5], [1.0, 0.5, 0.0]]),
                  n_bands=8)
    e = e - e[0, 3]                       # zero at Γ15v (no SOC)
    g8 = d0 / 3.0                         # E(Γ8) − E(Γ15v)
    d1 = 2.0 * d0 / 3.0                   # Δ1 at L
    src = (f"{ff.source}; local EPM computed by qdgain.materials.epm (113 plane waves), SOC "
           f"added as in qdgain.materials.cdte (Δ0 = {d0} eV from bulk_references.json)")
    rows = [
        (e[1, 3] - g8, 0, "X", 0.2, "X5v centroid"),
        (e[1, 3] - g8, -2, "X", 0.25, "X5v centroid (lower SOC partner)"),
        (e[1, 4] - e[0, 4] + eg, 1, "X", 0.25, "X1c, EPM distance above Γ1c + k·p gap"),
        (e[2, 3] - g8 + d1 / 2, 0, "L", 0.2, "L4,5v = L3v + Δ1/2"),
        (e[2, 3] - g8 - d1 / 2, -2, "L", 0.25, "L6v = L3v − Δ1/2"),
        (e[2, 4] - e[0, 4] + eg, 1, "L", 0.25, "L6c, EPM distance above Γ1c + k·p gap"),
        (e[3, 3] - g8, 0, "W", 0.25, "top valence at W (photoemission: −1.3 eV along W–K)"),
        (e[0, 5] - g8, 3, "G", 0.5, "Γ15c (photoemission: 5.8 eV above the VBM)"),
    ]
    out = list(kp_targets("CdTe", temperature_K))
    out += [Target("band_energy", float(v), band=b, k=k, tolerance=tol, source=f"{what}: {src}")
            for v, b, k, tol, what in rows]
    return out


def fit_cdte(name: str = "CdTe_sp3d5_soc_2nn_fit0K", temperature_K: float = 0.0,
             max_nfev: int = 3000) -> FitResult:
    """Run the CdTe fit (deterministic, ≈ 5 s on one core); the fitted set carries its provenance.

    Parameters
    ----------
    name : str
        Name of the new set.
    temperature_K : float
        Temperature of the k·p gap target, K.
    max_nfev : int
        Evaluation budget of the optimiser.
    """
    start = cdte_start()
    res = fit_parameters(start, cdte_targets(temperature_K), CDTE_FREE, bounds=CDTE_BOUNDS,
                         regularization=_REGULARIZATION, name=name, max_nfev=max_nfev, ftol=1e-7,
                         sources={"start_recipe": (
                             "HgTe_sp3d5_soc_2nn with Hg renamed Cd, a = 0.6482 nm "
                             f"(bulk_references.json [CdTe]), onsite.Cd.s + {_CATION_S_SHIFT_EV} "
                             "eV; regenerate with qdgain.materials.cdte.fit_cdte()")})
    source = ("qdgain fit (qdgain.materials.cdte.fit_cdte): start = HgTe_sp3d5_soc_2nn (T. Rauch "
              "et al., via TomushT/SKext2PythTB) with Hg -> Cd; targets = 8-band k.p CdTe "
              "constants (kdotpy 1.4.1) at Γ + Cohen & Bergstresser, Phys. Rev. 141, 789 (1966) "
              "EPM levels at X, L, W; see provenance.fit")
    return replace(res, params=replace(res.params, source=source))
