"""Gain-model inputs from a computed ensemble (:func:`qdgain.optics.ensemble.ensemble_spectrum`).

Each band-edge line of the ensemble becomes one :class:`~qdgain.gain.Transition` carrying the
computed ensemble width (homogeneous and inhomogeneous together), so the gain model is used with
a monodisperse :class:`~qdgain.gain.SizeDistribution` (std 0) and does not broaden again:

.. math::

    \\mathrm{FWHM}_L = 2\\sqrt{2\\ln 2}\\, \\sigma_L,\\qquad
    \\sigma^{peak}_L = \\frac{I_L}{\\sigma_L \\sqrt{2\\pi}},

I_L the ensemble-integrated cross section (cm² eV) and σ_L its total standard deviation (eV).
Lines of the base model that follow the gap (``follows_gap`` = f: gain, hole intraband) keep
their offset from X1 (shifted by f ΔE_X1) and get the computed inhomogeneous width in quadrature,
FWHM' = √(FWHM² + (f · 2√(2 ln 2) σ_inh,X1)²), with the peak scaled by FWHM/FWHM' so their
integrated cross section is unchanged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import xarray as xr

from qdgain.constants import GAUSS_FWHM_PER_SIGMA
from qdgain.errors import ParameterError
from qdgain.gain.models import GainModel, preset
from qdgain.gain.spectra import SizeDistribution, SpectralModel, Transition

__all__ = ["ensemble_transitions", "ensemble_spectral_model", "ensemble_gain_model"]

_NEEDED = ("X1_mean_eV", "X1_std_eV", "X1_sigma_int_cm2_eV", "X1_inhomogeneous_std_eV",
           "X2_mean_eV", "X2_std_eV", "X2_sigma_int_cm2_eV", "mean_nm")


def _attrs(ensemble: xr.Dataset) -> dict:
    missing = [k for k in _NEEDED if k not in ensemble.attrs]
    if missing:
        raise ParameterError(f"ensemble dataset lacks attrs {missing}; build it with "
                             "qdgain.optics.ensemble.ensemble_spectrum")
    return dict(ensemble.attrs)


def ensemble_transitions(ensemble: xr.Dataset, hole_degeneracy: int = 4
                         ) -> tuple[Transition, Transition]:
    """X1 and X2 :class:`Transition` records of the ensemble (formula in module doc).

    Parameters
    ----------
    ensemble : xarray.Dataset
        From :func:`qdgain.optics.ensemble.ensemble_spectrum`.
    hole_degeneracy : int
        Degeneracy of VB1 / VB2 (4 in HgTe dots, SPEC §2).
    """
    a = _attrs(ensemble)
    out = []
    for k in ("X1", "X2"):
        std = float(a[f"{k}_std_eV"])
        out.append(Transition(energy_eV=float(a[f"{k}_mean_eV"]),
                              fwhm_eV=float(GAUSS_FWHM_PER_SIGMA * std),
                              sigma_cm2=float(a[f"{k}_sigma_int_cm2_eV"])
                              / (std * np.sqrt(2.0 * np.pi)),
                              degeneracy=int(hole_degeneracy), follows_gap=1.0))
    return out[0], out[1]


def _follow(tr: Transition, shift_eV: float, inh_fwhm_eV: float) -> Transition:
    f = float(tr.follows_gap)
    fwhm = float(np.hypot(tr.fwhm_eV, f * inh_fwhm_eV))
    return replace(tr, energy_eV=tr.energy_eV + f * shift_eV, fwhm_eV=fwhm,
                   sigma_cm2=tr.sigma_cm2 * tr.fwhm_eV / fwhm)


def ensemble_spectral_model(ensemble: xr.Dataset, base: SpectralModel) -> SpectralModel:
    """``base`` with computed X1/X2 lines and ensemble widths, monodisperse size grid.

    Parameters
    ----------
    ensemble : xarray.Dataset
        From :func:`qdgain.optics.ensemble.ensemble_spectrum`.
    base : SpectralModel
        Supplies the lines optics does not compute (gap-state gain, intraband, continuum).
    """
    a = _attrs(ensemble)
    x1, x2 = ensemble_transitions(ensemble, base.x1.degeneracy)
    shift = x1.energy_eV - base.x1.energy_eV
    inh = GAUSS_FWHM_PER_SIGMA * float(a["X1_inhomogeneous_std_eV"])
    if x1.energy_eV <= base.bulk_gap_eV:
        raise ParameterError(f"computed X1 = {x1.energy_eV:.3f} eV lies below the base model's "
                             f"bulk_gap_eV = {base.bulk_gap_eV} eV")
    return replace(base, x1=x1, x2=x2, gain=_follow(base.gain, shift, inh),
                   ib_electron=_follow(base.ib_electron, shift, inh),
                   ib_hole=_follow(base.ib_hole, shift, inh),
                   continuum_onset_eV=base.continuum_onset_eV + shift,
                   size=SizeDistribution(mean_nm=float(a["mean_nm"]), std_nm=0.0, n_points=1))


def ensemble_gain_model(ensemble: xr.Dataset, base: GainModel | str = "hgte-1220") -> GainModel:
    """A :class:`GainModel` (kinetics etc. from ``base``) with the ensemble's spectral input."""
    model = preset(base) if isinstance(base, str) else base
    return model.with_(spectra=ensemble_spectral_model(ensemble, model.spectra),
                       name=f"{model.name}+ensemble")
