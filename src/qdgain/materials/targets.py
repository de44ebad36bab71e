"""Fit targets: bulk observables of a tight-binding set, evaluated in one batched pass.

Target kinds (energies in eV, masses in m0):

=================  ===========================================================================
``E6_minus_E8``    E(Γ6) − E(Γ8) (negative = inverted order, HgTe)
``Delta_so``       E(Γ8) − E(Γ7)
``mass``           effective mass of ``band`` ∈ {Gamma8_upper, Gamma8_lower, Gamma6, Gamma7}
                   along ``direction`` ("100", "110", "111"), central differences with
                   h = 0.05 and 0.1 nm^-1, Richardson-extrapolated, Kramers-pair averaged
                   (:func:`~qdgain.materials.bulk.effective_mass`)
``band_energy``    energy of band ``band`` (offset from the highest occupied band: 0 = highest
                   occupied, 1 = lowest empty, −2 = the pair below ...) at ``k`` ("G", "X", "L",
                   "K", "W", "U" or [kx, ky, kz] in units of 2π/a), relative to E(Γ8)
``Ep``             Kane energy E_P = P^2 / (hbar^2 / 2 m0), with
                   P^2 = Tr[Π6 ∂H/∂k_x Π78 ∂H/∂k_x] / 2 (Π6, Π78 the projectors on the Γ6 pair and
                   the six Γ8 + Γ7 states; ∂H/∂k by a central difference, δ = 1e-4 nm^-1;
                   diagonal position operator, i.e. the usual TB velocity)
=================  ===========================================================================

Each target has a ``tolerance`` (the scale of its residual: eV for energies, relative for masses
and Ep; defaults 0.01 eV and 0.01) and a ``weight``; the fitter minimises
sum_i [weight_i (f_i − t_i) / (tolerance_i |t_i|^rel)]^2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qdgain.constants import HBAR2_2M_EV_NM2
from qdgain.errors import ParameterError
from qdgain.materials.bulk import (
    SPECIAL_POINTS,
    bulk_hamiltonian,
    direction_vector,
    gamma_levels,
    richardson_curvature,
)
from qdgain.materials.parameters import TBParameters

__all__ = ["Target", "TARGET_KINDS", "MASS_BANDS", "evaluate_targets", "target_from_mapping",
           "kane_energy"]

TARGET_KINDS = ("E6_minus_E8", "Delta_so", "mass", "band_energy", "Ep")
MASS_BANDS = ("Gamma8_upper", "Gamma8_lower", "Gamma6", "Gamma7")
_MASS_STEP = 0.05     # nm^-1, see effective_mass
_DK_EP = 1e-4         # nm^-1


@dataclass(frozen=True, slots=True)
class Target:
    """One bulk observable to fit.

    Attributes
    ----------
    kind : str
        One of :data:`TARGET_KINDS`.
    value : float
        Target value (eV, or m0 for masses, eV for Ep).
    weight : float
        Multiplies the residual.
    tolerance : float or None
        Residual scale: eV for energies, relative for ``mass`` and ``Ep`` (default 0.01 both).
    source : str
        Where the value comes from (kept in the fitted set's provenance).
    band : str or int or None
        Mass band name, or band offset for ``band_energy``.
    direction : str or None
        Mass direction.
    k : str or tuple of float or None
        k-point label or coordinates in units of 2π/a (``band_energy``).
    """

    kind: str
    value: float
    weight: float = 1.0
    tolerance: float | None = None
    source: str = ""
    band: str | int | None = None
    direction: str | None = None
    k: str | tuple[float, float, float] | None = None

    def __post_init__(self) -> None:
        if self.kind not in TARGET_KINDS:
            raise ParameterError(f"unknown target kind {self.kind!r}; known: {list(TARGET_KINDS)}")
        if not np.isfinite(self.value) or not np.isfinite(self.weight) or self.weight < 0:
            raise ParameterError(
                f"target {self.label}: value and weight must be finite, weight >= 0")
        if self.tolerance is not None and not self.tolerance > 0:
            raise ParameterError(f"target {self.label}: tolerance must be > 0")
        if self.kind == "mass":
            if self.band not in MASS_BANDS:
                raise ParameterError(f"target {self.label}: mass band {self.band!r} unknown; "
                                     f"use one of {list(MASS_BANDS)}")
            direction_vector(self.direction or "")
        if self.kind == "band_energy":
            if not isinstance(self.band, int) or isinstance(self.band, bool):
                raise ParameterError(
                    f"target {self.label}: band must be an integer offset from the highest "
                    f"occupied band (0 = highest occupied, 1 = lowest empty)")
            _k_fraction(self)

    @property
    def label(self) -> str:
        """Short readable name, e.g. ``mass[Gamma8_upper,100]``."""
        if self.kind == "mass":
            return f"mass[{self.band},{self.direction}]"
        if self.kind == "band_energy":
            return f"band_energy[{self.band}@{self.k}]"
        return self.kind

    @property
    def relative(self) -> bool:
        """Whether the residual is relative (masses, Ep)."""
        return self.kind in ("mass", "Ep")

    def residual(self, fitted: float) -> float:
        """Scaled, weighted residual weight (f − t) / (tol |t|^rel)."""
        tol = self.tolerance if self.tolerance is not None else 0.01
        scale = tol * (abs(self.value) if self.relative else 1.0)
        return self.weight * (fitted - self.value) / scale


def _k_fraction(t: Target) -> np.ndarray:
    if isinstance(t.k, str):
        key = "G" if t.k in ("Γ", "Gamma") else t.k
        if key not in SPECIAL_POINTS:
            raise ParameterError(f"target {t.label}: unknown k-point label {t.k!r}; "
                                 f"known: {sorted(SPECIAL_POINTS)} or [kx, ky, kz] in 2π/a")
        return np.array(SPECIAL_POINTS[key])
    try:
        kf = np.asarray(t.k, dtype=float).reshape(3)
    except (TypeError, ValueError):
        raise ParameterError(f"target {t.label}: k must be a label or 3 numbers (2π/a)") from None
    a = np.abs(kf)
    if a.max() > 1.0 + 1e-9 or a.sum() > 1.5 + 1e-9:
        raise ParameterError(f"target {t.label}: k = {kf.tolist()} (2π/a) lies outside the first "
                             f"Brillouin zone (|k_i| <= 1 and |kx|+|ky|+|kz| <= 3/2)")
    return kf


def target_from_mapping(d: Mapping[str, Any]) -> Target:
    """Build a :class:`Target` from a TOML/JSON table (keys = attribute names)."""
    allowed = set(Target.__dataclass_fields__)
    bad = sorted(set(d) - allowed)
    if bad:
        raise ParameterError(
            f"target {dict(d)!r}: unknown key(s) {bad}; allowed: {sorted(allowed)}")
    if "kind" not in d or "value" not in d:
        raise ParameterError(f"target {dict(d)!r}: needs at least 'kind' and 'value'")
    kw = dict(d)
    if isinstance(kw.get("k"), list):
        kw["k"] = tuple(kw["k"])
    if kw["kind"] not in TARGET_KINDS:
        raise ParameterError(f"unknown target kind {kw['kind']!r}; known: {list(TARGET_KINDS)}")
    return Target(**kw)


def kane_energy(params: TBParameters) -> float:
    """Kane energy E_P (eV) from the Γ6–(Γ8, Γ7) velocity matrix element (module docstring)."""
    return float(evaluate_targets(params, [Target("Ep", 1.0)])[0])


def evaluate_targets(params: TBParameters, targets: Sequence[Target]) -> np.ndarray:
    """Values of the targets for one set, with all k-points diagonalised in one batch.

    Parameters
    ----------
    params : TBParameters
        Parameter set.
    targets : sequence of Target
        Observables to evaluate.

    Returns
    -------
    ndarray (n_targets,)
        Values in the targets' units (eV or m0).
    """
    unit = 2.0 * np.pi / params.lattice_constant_nm
    ks: list[np.ndarray] = [np.zeros(3)]
    slots: list[tuple[int, ...]] = []
    for t in targets:
        if t.kind == "mass":
            u = direction_vector(t.direction or "")
            slots.append(tuple(range(len(ks), len(ks) + 4)))
            ks += [_MASS_STEP * u, -_MASS_STEP * u, 2 * _MASS_STEP * u, -2 * _MASS_STEP * u]
        elif t.kind == "band_energy":
            slots.append((len(ks),))
            ks.append(unit * _k_fraction(t))
        else:
            slots.append(())
    ep_at = len(ks)
    if any(t.kind == "Ep" for t in targets):
        ks += [np.array([_DK_EP, 0.0, 0.0]), np.array([-_DK_EP, 0.0, 0.0])]
    hk = bulk_hamiltonian(params, np.array(ks))
    e0, v0 = np.linalg.eigh(hk[0])
    ek = np.linalg.eigvalsh(hk[:ep_at])
    g = gamma_levels(params, eig=(e0, v0))
    start = {"Gamma8_lower": g.i_gamma8, "Gamma8_upper": g.i_gamma8 + 2,
             "Gamma6": g.i_gamma6, "Gamma7": g.i_gamma7}
    out = np.empty(len(targets))
    top = params.n_electrons - 1
    for i, (t, sl) in enumerate(zip(targets, slots, strict=True)):
        if t.kind == "E6_minus_E8":
            out[i] = g.e6_minus_e8
        elif t.kind == "Delta_so":
            out[i] = g.delta_so
        elif t.kind == "band_energy":
            j = top + int(t.band)  # type: ignore[arg-type]
            if not 0 <= j < e0.size:
                raise ParameterError(f"target {t.label}: band offset {t.band} outside the "
                                     f"{e0.size} bands")
            out[i] = ek[sl[0], j] - g.e_gamma8
        elif t.kind == "mass":
            j = start[str(t.band)]
            e = [0.5 * (e0[j] + e0[j + 1])] + [0.5 * (ek[q, j] + ek[q, j + 1]) for q in sl]
            curv = richardson_curvature(np.array(e), _MASS_STEP)
            out[i] = 2.0 * HBAR2_2M_EV_NM2 / curv if curv != 0 else np.inf
        else:   # Ep
            dh = (hk[ep_at] - hk[ep_at + 1]) / (2.0 * _DK_EP)
            v6 = v0[:, g.i_gamma6:g.i_gamma6 + 2]
            if g.degeneracy_gamma8 >= 6:    # no SOC: Γ15 holds all six p-like states
                idx = list(range(g.i_gamma8, g.i_gamma8 + 6))
            else:
                idx = [*range(g.i_gamma8, g.i_gamma8 + 4), *range(g.i_gamma7, g.i_gamma7 + 2)]
            m = v6.conj().T @ dh @ v0[:, idx]
            out[i] = float(np.sum(np.abs(m) ** 2) / 2.0 / HBAR2_2M_EV_NM2)
    return out
