"""Sizing curve: first-exciton energy versus diameter, its empirical fit and plot.

Empirical form (the one used for PbS/PbSe/HgTe sizing curves, e.g. Moreels et al., ACS Nano 3,
3023 (2009); Keuleyan et al., ACS Nano 8, 8676 (2014)):

.. math::

    E_{X1}(d) = E_{bulk} + \\frac{1}{a d^2 + b d + c}

with d in nm, E in eV, a in eV⁻¹ nm⁻², b in eV⁻¹ nm⁻¹, c in eV⁻¹. E_bulk is fixed to the bulk
Γ6 − Γ8 separation of the parameter set (negative for inverted HgTe: −0.32 eV for the default
set), so the fit is linear in (a, b, c): 1/(E − E_bulk) = a d² + b d + c, solved by least squares
with weights (E − E_bulk)², which makes the residuals first-order energy residuals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdgain.convert import ev_to_nm
from qdgain.errors import ParameterError

__all__ = ["SizingFit", "fit_sizing", "sizing_energy", "bulk_gap_eV", "plot_sizing"]


@dataclass(frozen=True, slots=True)
class SizingFit:
    """E(d) = E_bulk + 1/(a d² + b d + c) (d in nm, E in eV).

    Attributes
    ----------
    e_bulk_eV : float
        Bulk Γ6 − Γ8 separation, eV (held fixed).
    a_per_eV_nm2, b_per_eV_nm, c_per_eV : float
        Coefficients, eV⁻¹ nm⁻², eV⁻¹ nm⁻¹, eV⁻¹.
    rms_eV : float
        Root-mean-square energy residual of the fitted points, eV.
    n_points : int
        Points used.
    """

    e_bulk_eV: float
    a_per_eV_nm2: float
    b_per_eV_nm: float
    c_per_eV: float
    rms_eV: float
    n_points: int

    def as_dict(self) -> dict[str, float]:
        """Plain dict for JSON / NetCDF attrs."""
        return {"form": "E = E_bulk + 1/(a d^2 + b d + c)", "e_bulk_eV": self.e_bulk_eV,
                "a_per_eV_nm2": self.a_per_eV_nm2, "b_per_eV_nm": self.b_per_eV_nm,
                "c_per_eV": self.c_per_eV, "rms_eV": self.rms_eV, "n_points": self.n_points}


def bulk_gap_eV(params: object) -> float:
    """E(Γ6) − E(Γ8) of the bulk crystal of a TB set, eV (negative when inverted)."""
    from qdgain.materials import gamma_levels

    g = gamma_levels(params)
    return float(g.e_gamma6 - g.e_gamma8)


def fit_sizing(diameter_nm: np.ndarray, energy_eV: np.ndarray, e_bulk_eV: float) -> SizingFit:
    """Least-squares fit of the empirical sizing form (module docstring).

    Parameters
    ----------
    diameter_nm : array (n,)
        Diameters, nm.
    energy_eV : array (n,)
        First-exciton energies, eV (NaN entries are skipped).
    e_bulk_eV : float
        Fixed bulk limit E_bulk, eV.
    """
    d = np.asarray(diameter_nm, dtype=float)
    e = np.asarray(energy_eV, dtype=float)
    ok = np.isfinite(d) & np.isfinite(e)
    d, e = d[ok], e[ok]
    if np.any(e <= e_bulk_eV):
        raise ParameterError(f"sizing fit: energies {e[e <= e_bulk_eV]} eV lie at or below "
                             f"E_bulk = {e_bulk_eV:.3f} eV; the form E_bulk + 1/(a d²+b d+c) "
                             "cannot describe them")
    if np.unique(d).size < 3:
        raise ParameterError(f"sizing fit needs >= 3 distinct diameters, got {np.unique(d).size}"
                             "; sweep more sizes")
    y = 1.0 / (e - e_bulk_eV)
    w = (e - e_bulk_eV) ** 2   # δE ≈ −(E − E_bulk)² δy
    A = np.stack([d**2, d, np.ones_like(d)], axis=1)
    coef, *_ = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)
    fit = SizingFit(float(e_bulk_eV), *map(float, coef), rms_eV=0.0, n_points=int(d.size))
    res = sizing_energy(fit, d) - e
    return SizingFit(fit.e_bulk_eV, fit.a_per_eV_nm2, fit.b_per_eV_nm, fit.c_per_eV,
                     float(np.sqrt(np.mean(res**2))), int(d.size))


def sizing_energy(fit: SizingFit, diameter_nm: np.ndarray | float) -> np.ndarray:
    """E(d) of a fit, eV, at diameters in nm."""
    d = np.asarray(diameter_nm, dtype=float)
    return fit.e_bulk_eV + 1.0 / (fit.a_per_eV_nm2 * d**2 + fit.b_per_eV_nm * d + fit.c_per_eV)


def plot_sizing(table: object, fits: dict[str, SizingFit], path: str) -> None:
    """First-exciton energy (eV) and wavelength (nm) versus diameter, points + fit per shape."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_e, ax_l) = plt.subplots(1, 2, figsize=(8, 3.5))
    for shape in table["shape"].values:
        row = table.sel(shape=shape)
        d = row["diameter"].values
        e = row["X1_eV"].values
        ok = np.isfinite(e)
        line, = ax_e.plot(d[ok], e[ok], "o", ms=4, label=str(shape))
        ax_l.plot(d[ok], row["X1_wavelength_nm"].values[ok], "o", ms=4, color=line.get_color())
        if str(shape) in fits:
            dd = np.linspace(d[ok].min(), d[ok].max(), 200)
            ef = sizing_energy(fits[str(shape)], dd)
            ax_e.plot(dd, ef, "-", color=line.get_color(), lw=1)
            good = ef > 0
            ax_l.plot(dd[good], ev_to_nm(ef[good]), "-", color=line.get_color(), lw=1)
    ax_e.set_xlabel("diameter (nm)")
    ax_e.set_ylabel("X1 energy (eV)")
    ax_l.set_xlabel("diameter (nm)")
    ax_l.set_ylabel("X1 wavelength (nm)")
    ax_e.legend(title="fit: E_bulk + 1/(a d²+b d+c)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
