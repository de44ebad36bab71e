"""Least-squares fitting of a tight-binding set to bulk targets, regularised toward the start set.

.. math::

    \\min_{\\theta \\in [\\theta_{lo}, \\theta_{hi}]}\\;
    \\sum_i \\Big[w_i \\frac{f_i(\\theta) - t_i}{\\tau_i\\,|t_i|^{r_i}}\\Big]^2
    + \\rho^2 \\sum_j \\Big(\\frac{\\theta_j - \\theta_j^{0}}{1\\,\\mathrm{eV}}\\Big)^2

f_i are bulk observables (:mod:`qdgain.materials.targets`), tau_i their tolerances (eV, or
relative when r_i = 1 for masses and Ep), rho the regularisation strength. Method:
``scipy.optimize.least_squares`` (trust-region reflective, bounds) with a forward-difference
Jacobian (step 1e-6 relative): each residual costs a few batched 4 norb x 4 norb diagonalisations,
so finite differences are cheap and robust at the degenerate Γ8 level, where eigenvalue
derivatives (Hellmann–Feynman) are not smooth. After the fit the band-order scan
(:mod:`qdgain.materials.guards`) must pass, or the set is refused. The start set is never modified.
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from qdgain.errors import ConvergenceError, FormatError, ParameterError
from qdgain.materials.guards import BandOrderReport, band_order_scan
from qdgain.materials.parameters import TBParameters
from qdgain.materials.targets import Target, evaluate_targets, target_from_mapping

__all__ = ["FitSpec", "FitResult", "fit_parameters", "load_fit_spec", "default_bounds", "run_fit",
           "fit_spec_toml"]

_METHOD = ("scipy.optimize.least_squares (trf, bounds), forward-difference Jacobian "
           "(relative step 1e-6); residuals weight*(f - t)/tolerance (relative for masses, Ep)")


@dataclass(frozen=True, slots=True)
class FitSpec:
    """What to fit: targets, free parameters, bounds and regularisation (from a TOML file).

    Attributes
    ----------
    targets : tuple of Target
        Observables with values, weights, tolerances and sources.
    free : tuple of str
        Flat parameter names to vary.
    bounds : Mapping[str, tuple[float, float]]
        Bounds (eV) per free parameter; missing ones get :func:`default_bounds`.
    regularization : float
        rho, residual units per eV of deviation from the start set.
    """

    targets: tuple[Target, ...]
    free: tuple[str, ...] = ()
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    regularization: float = 0.3


def load_fit_spec(path: str | os.PathLike[str]) -> FitSpec:
    """Read a targets file: ``[[target]]`` tables and an optional ``[fit]`` table.

    Parameters
    ----------
    path : path
        TOML file, e.g. ``materials/data/targets/HgTe_0K.toml``.
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"targets file not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"not valid TOML: {exc}", str(p)) from None
    raw = data.get("target", [])
    if not isinstance(raw, list) or not raw:
        raise FormatError("needs at least one [[target]] table", str(p))
    targets = tuple(target_from_mapping(t) for t in raw)
    fit = data.get("fit", {})
    unknown = sorted(set(fit) - {"free", "bounds", "regularization"})
    if unknown:
        raise FormatError(f"[fit] has unknown key(s) {unknown}; allowed: free, bounds, "
                          f"regularization", str(p))
    bounds = {k: (float(v[0]), float(v[1])) for k, v in fit.get("bounds", {}).items()}
    return FitSpec(targets, tuple(fit.get("free", ())), bounds, float(fit.get("regularization",
                                                                                0.3)))


def default_bounds(name: str, start: float) -> tuple[float, float]:
    """Start ± max(1 eV, |start|); spin–orbit constants stay >= 0."""
    span = max(1.0, abs(start))
    lo = start - span
    if name.startswith("soc."):
        lo = max(lo, 0.0)
    return (lo, start + span)


@dataclass(frozen=True, slots=True)
class FitResult:
    """A fitted set with its provenance.

    Attributes
    ----------
    params : TBParameters
        Fitted set (provenance holds the fit record, see :meth:`record`).
    start : TBParameters
        Start set (unchanged).
    targets : tuple of Target
        Targets.
    start_values, fitted_values : ndarray
        Target observables of the start and fitted sets.
    free : tuple of str
        Free parameter names.
    x_start, x_fit : ndarray
        Their start and fitted values, eV.
    cost : float
        Final 0.5 * sum of squared residuals.
    nfev : int
        Residual evaluations.
    seconds : float
        Wall time of the fit (with the guard scan).
    guard : BandOrderReport
        Band-order scan of the fitted set.
    """

    params: TBParameters
    start: TBParameters
    targets: tuple[Target, ...]
    start_values: np.ndarray
    fitted_values: np.ndarray
    free: tuple[str, ...]
    x_start: np.ndarray
    x_fit: np.ndarray
    cost: float
    nfev: int
    seconds: float
    guard: BandOrderReport

    def table(self) -> list[dict[str, Any]]:
        """One row per target: target, start value, fitted value, scaled residual, source."""
        return [{"target": t.label, "value": t.value, "start": float(s), "fitted": float(f),
                 "residual": float(t.residual(f)), "weight": t.weight,
                 "tolerance": t.tolerance if t.tolerance is not None else 0.01,
                 "relative": t.relative, "source": t.source}
                for t, s, f in zip(self.targets, self.start_values, self.fitted_values,
                                   strict=True)]

    def record(self) -> dict[str, Any]:
        """Provenance record written into the fitted set."""
        return self.params.provenance["fit"]


def _guard_expectation(start: TBParameters, targets: Sequence[Target]) -> bool:
    for t in targets:
        if t.kind == "E6_minus_E8":
            return t.value < 0
    from qdgain.materials.bulk import gamma_levels

    return gamma_levels(start).e6_minus_e8 < 0


def fit_parameters(start: TBParameters, targets: Sequence[Target], free: Sequence[str], *,
                   bounds: Mapping[str, tuple[float, float]] | None = None,
                   regularization: float = 0.3, name: str | None = None, max_nfev: int = 400,
                   guard: bool = True, n_grid: int = 16, ftol: float = 1e-8,
                   sources: Mapping[str, str] | None = None) -> FitResult:
    """Fit free parameters of ``start`` to bulk targets (module docstring for the objective).

    Parameters
    ----------
    start : TBParameters
        Start set (never modified).
    targets : sequence of Target
        Observables to fit.
    free : sequence of str
        Flat names of the parameters to vary (``qdgain params list --names``).
    bounds : mapping, optional
        (lower, upper) in eV per free name; others get :func:`default_bounds`.
    regularization : float
        rho >= 0, residual units per eV of deviation from the start values.
    name : str, optional
        Name of the new set (default ``<start>_fit``).
    max_nfev : int
        Evaluation budget; exhausting it raises :class:`ConvergenceError`.
    guard : bool
        Run the band-order scan and refuse a failing set.
    n_grid : int
        k grid per direction of the scan.
    ftol : float
        Relative cost-change tolerance of the optimiser (also used for xtol and gtol).
    sources : mapping, optional
        Extra provenance (e.g. the targets file path).

    Raises
    ------
    ParameterError
        Unknown free name, bad bounds, no targets, or the fitted set fails the guard.
    ConvergenceError
        The optimiser stopped on its evaluation budget.
    """
    t0 = time.perf_counter()
    targets = tuple(targets)
    free = tuple(free)
    if not targets:
        raise ParameterError("no targets given: add [[target]] tables to the targets file")
    if not free:
        raise ParameterError("no free parameters: give --free NAME[,NAME...] or [fit] free = [...]")
    if len(set(free)) != len(free):
        raise ParameterError(f"free parameters repeated: {list(free)}")
    if regularization < 0:
        raise ParameterError(f"regularization must be >= 0, got {regularization}")
    bounds = dict(bounds or {})
    for b in bounds:
        if b not in free:
            raise ParameterError(f"bounds given for {b!r}, which is not a free parameter")
    x0 = np.array([start.value(n) for n in free])
    lo, hi = np.empty_like(x0), np.empty_like(x0)
    for i, n in enumerate(free):
        lo[i], hi[i] = bounds.get(n, default_bounds(n, x0[i]))
        if not lo[i] <= x0[i] <= hi[i] or lo[i] == hi[i]:
            raise ParameterError(f"free parameter {n!r}: start value {x0[i]:.4g} must lie inside "
                                 f"its bounds [{lo[i]:.4g}, {hi[i]:.4g}] (lower < upper)")
    start_vals = evaluate_targets(start, targets)
    bad = 1e3 * np.ones(len(targets))

    def resid(x: np.ndarray) -> np.ndarray:
        trial = start.with_values(dict(zip(free, x, strict=True)))
        try:
            vals = evaluate_targets(trial, targets)
            r = np.array([t.residual(v) for t, v in zip(targets, vals, strict=True)])
            r = np.where(np.isfinite(r), r, 1e3)
        except ParameterError:       # Γ levels not identifiable for this trial
            r = bad
        return np.concatenate([r, regularization * (x - x0)])

    sol = least_squares(resid, x0, bounds=(lo, hi), method="trf", jac="2-point",
                        diff_step=1e-6, x_scale=1.0, max_nfev=max_nfev, ftol=ftol, xtol=ftol,
                        gtol=ftol)
    if sol.status == 0:
        raise ConvergenceError(f"fit of {start.name!r} stopped on its budget of {max_nfev} "
                               f"evaluations; raise max_nfev, free fewer parameters or loosen "
                               f"tolerances", iterations=int(sol.nfev), residual=float(sol.cost))
    if sol.status < 0:
        raise ConvergenceError(f"fit of {start.name!r} failed: {sol.message}",
                               iterations=int(sol.nfev))
    x = sol.x
    fitted = start.with_values(dict(zip(free, x, strict=True)))
    fit_vals = evaluate_targets(fitted, targets)
    inverted = _guard_expectation(start, targets)
    report = band_order_scan(fitted, inverted=inverted, n_grid=n_grid) if guard else \
        BandOrderReport(True, ("guard skipped",), np.nan, np.nan, (), (), 0)
    if not report.ok:
        raise ParameterError(f"fitted set refused by the band-order scan: "
                             f"{'; '.join(report.reasons)} (nothing written; change the free "
                             f"parameters, bounds or weights)")
    new_name = name or f"{start.name}_fit"
    rows = [{"target": t.label, "kind": t.kind, "band": t.band, "direction": t.direction,
             "k": list(t.k) if isinstance(t.k, tuple) else t.k, "value": t.value,
             "weight": t.weight, "tolerance": t.tolerance if t.tolerance is not None else 0.01,
             "relative": t.relative, "source": t.source, "start": float(s), "fitted": float(f),
             "residual": float(t.residual(f))}
            for t, s, f in zip(targets, start_vals, fit_vals, strict=True)]
    record = {
        "start_set": start.name, "start_source": start.source,
        "free": {n: {"start": float(a), "fitted": float(b), "bounds": [float(lo[i]), float(hi[i])]}
                 for i, (n, a, b) in enumerate(zip(free, x0, x, strict=True))},
        "targets": rows, "regularization": regularization, "method": _METHOD,
        "cost": float(sol.cost), "nfev": int(sol.nfev), "ftol": ftol,
        "optimizer_message": str(sol.message),
        "band_order_scan": report.as_dict(), **dict(sources or {}),
    }
    prov = dict(start.provenance)
    prov.pop("bulk_checks_reported", None)
    prov["fit"] = record
    new = fitted.with_values({}, name=new_name, provenance=prov)
    new = TBParameters(
        name=new.name, source=f"qdgain fit starting from {start.name} ({start.source})",
        lattice_constant_nm=new.lattice_constant_nm, cation=new.cation, anion=new.anion,
        orbitals=new.orbitals, n_orbitals=new.n_orbitals, max_shell=new.max_shell,
        n_electrons=new.n_electrons, values=new.values, provenance=new.provenance)
    return FitResult(new, start, targets, start_vals, fit_vals, free, x0, x, float(sol.cost),
                     int(sol.nfev), time.perf_counter() - t0, report)


def run_fit(start: str | os.PathLike[str], targets_path: str | os.PathLike[str],
            out: str | os.PathLike[str], *, free: Sequence[str] | None = None,
            regularization: float | None = None, name: str | None = None,
            max_nfev: int = 400) -> FitResult:
    """Load a start set and a targets file, fit, and write the new set (never over the start).

    Parameters
    ----------
    start : str or path
        Start set name or file.
    targets_path : path
        TOML targets file (:func:`load_fit_spec`).
    out : path
        New ``.json`` file; must not exist yet.
    free : sequence of str, optional
        Overrides the file's ``[fit] free`` list.
    regularization : float, optional
        Overrides the file's ``[fit] regularization``.
    name : str, optional
        Name of the new set (default: the output file stem).
    max_nfev : int
        Evaluation budget.
    """
    from qdgain.materials.parameters import load_parameters, save_parameters

    out_p = Path(out)
    if out_p.suffix.lower() != ".json":
        raise ParameterError(f"--out must end in .json, not {out_p}")
    if out_p.exists():
        raise ParameterError(f"{out_p} exists; choose another --out name (nothing is overwritten)")
    params = load_parameters(start)
    spec = load_fit_spec(targets_path)
    res = fit_parameters(
        params, spec.targets, tuple(free) if free else spec.free,
        bounds={k: v for k, v in spec.bounds.items() if not free or k in free},
        regularization=spec.regularization if regularization is None else regularization,
        name=name or out_p.stem, max_nfev=max_nfev,
        sources={"targets_file": Path(targets_path).name})
    save_parameters(res.params, out_p)
    return res


def _toml_value(v: Any) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(float(v)) if isinstance(v, float) else str(v)


def fit_spec_toml(spec: FitSpec, header: str = "") -> str:
    """TOML text of a :class:`FitSpec` (inverse of :func:`load_fit_spec`)."""
    lines = [f"# {h}" for h in header.splitlines()] + [""]
    for t in spec.targets:
        lines.append("[[target]]")
        for key in Target.__dataclass_fields__:
            val = getattr(t, key)
            if val is None or (key == "weight" and val == 1.0):
                continue
            lines.append(f"{key} = {_toml_value(val)}")
        lines.append("")
    lines += ["[fit]", f"free = {_toml_value(list(spec.free))}",
              f"regularization = {_toml_value(float(spec.regularization))}", "", "[fit.bounds]"]
    lines += [f'"{k}" = {_toml_value(list(v))}' for k, v in spec.bounds.items()]
    return "\n".join(lines) + "\n"
