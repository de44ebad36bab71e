"""Photoluminescence decays (TCSPC): multi-exponential reconvolution with a Poisson likelihood.

Expected counts in channel i (uniform channels of width dt, ps):

    mu_i = b + sum_j a_j (IRF * exp(-t / tau_j))_i

with a Gaussian IRF (closed form, :mod:`irf`, times dt) or a measured IRF (area-normalised counts,
discrete convolution; its shift t_s against the decay is fitted by linear interpolation). The fit
maximises the Poisson likelihood by minimising the deviance

    D = 2 sum_i [ mu_i - y_i + y_i ln(y_i / mu_i) ]

written as a sum of squares of signed deviance residuals (so TRF least squares gives the maximum
likelihood estimate); the covariance is the inverse Fisher information J^T J of those residuals.
Mean lifetimes: amplitude-weighted <tau>_a = sum a tau / sum a, intensity-weighted
<tau>_I = sum a tau^2 / sum a tau.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from qdgain.errors import ConvergenceError, FormatError, ParameterError
from qdgain.ta.kinetics.irf import irf_exponentials

__all__ = ["PLFitResult", "fit_pl_decay", "read_tcspc", "pl_model"]


@dataclass(frozen=True, slots=True)
class PLFitResult:
    """TCSPC fit. Lifetimes and errors in ps (ascending), amplitudes in counts per channel at
    t = t0, ``background`` counts per channel, ``mean_lifetime_amplitude_ps`` and
    ``mean_lifetime_intensity_ps`` (ps), ``deviance`` and ``reduced_chi_square`` (Pearson,
    dimensionless; ~1 for a good fit), ``irf_shift_ps`` (measured IRF only)."""

    lifetimes_ps: np.ndarray
    lifetime_errors_ps: np.ndarray
    amplitudes: np.ndarray
    background: float
    mean_lifetime_amplitude_ps: float
    mean_lifetime_intensity_ps: float
    deviance: float
    reduced_chi_square: float
    irf_shift_ps: float
    model: np.ndarray

    def summary(self) -> dict:
        """JSON-ready summary (ps, counts)."""
        return {"lifetimes_ps": self.lifetimes_ps.tolist(),
                "lifetime_errors_ps": self.lifetime_errors_ps.tolist(),
                "amplitudes": self.amplitudes.tolist(), "background": self.background,
                "mean_lifetime_amplitude_ps": self.mean_lifetime_amplitude_ps,
                "mean_lifetime_intensity_ps": self.mean_lifetime_intensity_ps,
                "deviance": self.deviance, "reduced_chi_square": self.reduced_chi_square}


def read_tcspc(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Read a TCSPC text file: columns ``time_ps counts [irf_counts]``, ``#`` comments.

    Returns
    -------
    (time_ps, counts, irf or None)
    """
    path = Path(path)
    rows = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        s = line.split("#", 1)[0].strip()
        if not s:
            continue
        parts = s.replace(",", " ").split()
        try:
            vals = [float(x) for x in parts]
        except ValueError:
            raise FormatError(f"line is not numeric ({s[:40]!r}); expected 'time_ps counts "
                              f"[irf_counts]'", str(path), n) from None
        if len(vals) not in (2, 3) or (rows and len(vals) != len(rows[0])):
            raise FormatError(f"expected 2 or 3 columns consistently, got {len(vals)}",
                              str(path), n)
        rows.append(vals)
    if len(rows) < 10:
        raise FormatError(f"only {len(rows)} data lines; a TCSPC decay needs many channels",
                          str(path))
    a = np.array(rows)
    return a[:, 0], a[:, 1], (a[:, 2] if a.shape[1] == 3 else None)


def _shifted(irf: np.ndarray, shift_channels: float) -> np.ndarray:
    idx = np.arange(irf.size) - shift_channels
    return np.interp(idx, np.arange(irf.size), irf, left=0.0, right=0.0)


def pl_model(time_ps: np.ndarray, lifetimes_ps: np.ndarray, amplitudes: np.ndarray,
             background: float, *, irf: np.ndarray | None = None, irf_shift_ps: float = 0.0,
             irf_center: float = 0.0, irf_width: float = 50.0) -> np.ndarray:
    """Expected counts per channel (module docstring).

    Parameters
    ----------
    time_ps : ndarray
        Uniform channel times, ps.
    lifetimes_ps, amplitudes : ndarray
        Lifetimes (ps) and amplitudes (counts per channel at t0).
    background : float
        Constant counts per channel.
    irf : ndarray, optional
        Measured IRF (any scale; normalised to unit area here), same channels.
    irf_shift_ps : float
        Shift of the measured IRF, ps.
    irf_center, irf_width : float
        Gaussian IRF centre and standard deviation, ps (when ``irf`` is None).
    """
    t = np.asarray(time_ps, float)
    if irf is None:
        E = irf_exponentials(t, 1.0 / np.asarray(lifetimes_ps), irf_center, irf_width)
        return background + E @ np.asarray(amplitudes)
    dt = t[1] - t[0]
    g = _shifted(np.asarray(irf, float), irf_shift_ps / dt)
    g = g / g.sum()
    decays = np.exp(-np.outer(t - t[0], 1.0 / np.asarray(lifetimes_ps)))
    conv = np.array([np.convolve(g, d)[: t.size] for d in decays.T]).T
    return background + conv @ np.asarray(amplitudes)


def fit_pl_decay(time_ps: np.ndarray, counts: np.ndarray, lifetimes_ps: list[float], *,
                 irf: np.ndarray | None = None, irf_center: float | None = None,
                 irf_width: float = 50.0, max_nfev: int = 2000) -> PLFitResult:
    """Maximum-likelihood multi-exponential reconvolution fit of a TCSPC histogram.

    Parameters
    ----------
    time_ps : ndarray
        Uniform channel times, ps.
    counts : ndarray
        Photon counts per channel (non-negative integers).
    lifetimes_ps : list of float
        Start lifetimes, ps.
    irf : ndarray, optional
        Measured IRF histogram on the same channels; else a Gaussian IRF is fitted.
    irf_center : float, optional
        Start Gaussian IRF centre, ps (default: the time of the steepest rise).
    irf_width : float
        Start Gaussian IRF standard deviation, ps.
    max_nfev : int
        Evaluation cap; reaching it raises ConvergenceError with the last state.
    """
    t = np.asarray(time_ps, float)
    y = np.asarray(counts, float)
    if t.shape != y.shape or t.size < 10:
        raise ParameterError(f"time_ps {t.shape} and counts {y.shape} must match (>= 10 channels)")
    dt = np.diff(t)
    if np.any(np.abs(dt - dt[0]) > 1e-6 * abs(dt[0])) or dt[0] <= 0:
        raise ParameterError("TCSPC channels must be uniform and ascending")
    if np.any(y < 0):
        raise ParameterError("counts must be >= 0 (photon counts, not background-subtracted)")
    if min(lifetimes_ps) < dt[0]:
        raise ParameterError(f"start lifetime {min(lifetimes_ps)} ps is shorter than the "
                             f"channel width {dt[0]:.3g} ps; it cannot be resolved")
    n = len(lifetimes_ps)
    peak = float(y.max())
    if irf is None and irf_center is None:
        irf_center = float(t[np.argmax(np.gradient(y))])
    bg0 = max(float(np.median(y[: max(3, y.size // 50)])), 0.1)
    x0 = np.concatenate([np.log(lifetimes_ps), np.full(n, np.log(peak / n)), [np.log(bg0)],
                         [0.0 if irf is not None else irf_center],
                         [] if irf is not None else [np.log(irf_width)]])
    state = {"x": x0}

    def unpack(x):
        tau, amp, bg = np.exp(x[:n]), np.exp(x[n:2 * n]), float(np.exp(x[2 * n]))
        if irf is not None:
            return tau, amp, bg, dict(irf=irf, irf_shift_ps=float(x[2 * n + 1]))
        return tau, amp, bg, dict(irf_center=float(x[2 * n + 1]),
                                  irf_width=float(np.exp(x[2 * n + 2])))

    def dev_resid(x):
        state["x"] = x
        tau, amp, bg, kw = unpack(x)
        mu = np.clip(pl_model(t, tau, amp, bg, **kw), 1e-300, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(y > 0, y * np.log(y / mu), 0.0)
        return np.sign(y - mu) * np.sqrt(np.clip(2 * (mu - y + term), 0, None))

    res = least_squares(dev_resid, x0, method="trf", x_scale="jac", max_nfev=max_nfev,
                        ftol=1e-10, xtol=1e-10, gtol=1e-10)
    if res.status <= 0:
        tau, amp, bg, kw = unpack(state["x"])
        err = ConvergenceError(f"TCSPC fit did not converge in {max_nfev} evaluations; last "
                               f"state: lifetimes {tau} ps, amplitudes {amp}, background {bg}",
                               iterations=int(res.nfev), residual=float(2 * res.cost))
        err.last_state = {"lifetimes_ps": tau, "amplitudes": amp}  # type: ignore[attr-defined]
        raise err
    tau, amp, bg, kw = unpack(res.x)
    mu = pl_model(t, tau, amp, bg, **kw)
    # Fisher information of the log-parameters; sigma(tau) = tau sigma(ln tau)
    JtJ = res.jac.T @ res.jac
    cov = np.linalg.pinv(JtJ)
    dtau = tau * np.sqrt(np.clip(np.diag(cov)[:n], 0, None))
    order = np.argsort(tau)
    tau, dtau, amp = tau[order], dtau[order], amp[order]
    dof = t.size - res.x.size
    pearson = float(np.sum((y - mu) ** 2 / np.clip(mu, 1e-12, None)) / dof)
    return PLFitResult(tau, dtau, amp, bg, float(np.sum(amp * tau) / np.sum(amp)),
                       float(np.sum(amp * tau**2) / np.sum(amp * tau)), float(2 * res.cost),
                       pearson, float(kw.get("irf_shift_ps", np.nan)), mu)
