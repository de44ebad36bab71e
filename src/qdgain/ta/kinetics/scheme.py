"""Kinetic schemes: compartments, rate matrix, IRF and constraints, read from TOML and validated.

A scheme is data (STYLE R9): species, named parameters, transfers ``from -> to`` with a rate
expression over the parameters (``"b1 * k1sum"``), decays to the ground state (``to = "ground"``),
initial populations, the Gaussian IRF (optionally with its centre a polynomial in wavelength),
equal-spectra constraints and wavelength-range weights. The kind is always explicit:
``"sequential"``, ``"parallel"`` or ``"target"`` (no inference from the matrix, glotaran#131).

Populations obey dc/dt = K c with K[to, from] = k and K[from, from] = -sum of outgoing rates.
"""

from __future__ import annotations

import ast
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qdgain.errors import FormatError, ParameterError

__all__ = [
    "Parameter",
    "Transfer",
    "KineticScheme",
    "load_scheme",
    "scheme_from_dict",
    "sequential_scheme",
    "parallel_scheme",
    "evaluate_expression",
]

KINDS = ("sequential", "parallel", "target")
GROUND = "ground"
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv}


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named model parameter (rates ps^-1, times ps, branching ratios 1).

    Parameters
    ----------
    name : str
        Identifier used in rate expressions (``irf.center`` etc. for the IRF).
    value : float
        Start value (or the fixed value when ``vary`` is False), in the parameter's units.
    vary : bool
        Fitted when True.
    min, max : float
        Bounds of the fit (same units).
    """

    name: str
    value: float
    vary: bool = True
    min: float = -np.inf
    max: float = np.inf


@dataclass(frozen=True, slots=True)
class Transfer:
    """A first-order channel ``source -> target`` (``target=None``: to the ground state)."""

    source: str
    target: str | None
    rate: str


@dataclass(frozen=True, slots=True)
class KineticScheme:
    """A validated kinetic scheme (see module docstring). Build with :func:`load_scheme`.

    Attributes
    ----------
    weights : tuple of (lo_nm, hi_nm, value)
        Residual weights on wavelength ranges (nm); the range is snapped to the nearest grid
        wavelengths, both ends included.
    equal_spectra : tuple of (target, source, ratio)
        Spectrum of ``target`` = ratio x spectrum of ``source`` (ratio dimensionless).
    dispersion_reference_nm : float or None
        Reference wavelength of the IRF-centre polynomial (parameters ``irf.disp1`` ...).
    """

    name: str
    kind: str
    species: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    transfers: tuple[Transfer, ...]
    initial: tuple[float, ...]
    equal_spectra: tuple[tuple[str, str, float], ...] = ()
    weights: tuple[tuple[float, float, float], ...] = ()
    dispersion_reference_nm: float | None = None
    n_dispersion: int = 0
    source: str = field(default="<dict>")

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name`` (ParameterError if absent)."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise ParameterError(f"scheme {self.name!r}: no parameter {name!r}")

    def values(self) -> dict[str, float]:
        """Start values of all parameters."""
        return {p.name: p.value for p in self.parameters}

    def rate_matrix(self, values: dict[str, float]) -> np.ndarray:
        """Rate matrix K (ps^-1), K[to, from], for parameter ``values``; dc/dt = K c."""
        idx = {s: i for i, s in enumerate(self.species)}
        K = np.zeros((len(self.species), len(self.species)))
        for tr in self.transfers:
            k = evaluate_expression(tr.rate, values)
            j = idx[tr.source]
            K[j, j] -= k
            if tr.target is not None:
                K[idx[tr.target], j] += k
        return K

    def with_values(self, values: dict[str, float]) -> KineticScheme:
        """A copy with new start values (e.g. a fit result, to start another fit)."""
        params = tuple(Parameter(p.name, float(values.get(p.name, p.value)), p.vary, p.min,
                                 p.max) for p in self.parameters)
        return _replace(self, parameters=params)


def _replace(s: KineticScheme, **kw) -> KineticScheme:
    d = {f: getattr(s, f) for f in s.__dataclass_fields__}
    d.update(kw)
    return KineticScheme(**d)


def evaluate_expression(expr: str | float, values: dict[str, float]) -> float:
    """Value of a rate expression: numbers, parameter names, + - * / and parentheses only.

    Parameters
    ----------
    expr : str or float
        E.g. ``"(1 - b1) * k1sum"``.
    values : dict
        Parameter values by name.
    """
    if isinstance(expr, int | float):
        return float(expr)

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name | ast.Attribute):
            key = ast.unparse(node)
            if key not in values:
                raise ParameterError(f"rate expression {expr!r}: unknown parameter {key!r}; "
                                     f"define it under [parameters]")
            return float(values[key])
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        raise ParameterError(f"rate expression {expr!r}: only numbers, parameter names, "
                             f"+ - * / and parentheses are allowed")

    try:
        tree = ast.parse(str(expr), mode="eval")
    except SyntaxError as exc:
        raise ParameterError(f"rate expression {expr!r} is not valid: {exc.msg}") from None
    return ev(tree)


def _param(name: str, spec: object, problems: list[str]) -> Parameter | None:
    if isinstance(spec, int | float):
        return Parameter(name, float(spec))
    if isinstance(spec, dict):
        unknown = set(spec) - {"value", "vary", "min", "max"}
        if unknown or "value" not in spec:
            problems.append(f"parameter {name!r}: needs 'value' (optional vary/min/max), "
                            f"got keys {sorted(spec)}")
            return None
        return Parameter(name, float(spec["value"]), bool(spec.get("vary", True)),
                         float(spec.get("min", -np.inf)), float(spec.get("max", np.inf)))
    problems.append(f"parameter {name!r}: give a number or a table, got {spec!r}")
    return None


def scheme_from_dict(d: dict, source: str = "<dict>") -> KineticScheme:
    """Build and validate a scheme from the TOML structure (see ``schemes/hippius2007.toml``).

    All problems are collected and raised together as one :class:`ParameterError`.
    """
    problems: list[str] = []
    head = d.get("scheme", {})
    name = str(head.get("name", Path(source).stem))
    kind = head.get("kind")
    if kind not in KINDS:
        problems.append(f"[scheme] kind must be one of {KINDS}, got {kind!r} (say it explicitly)")
    species = tuple(head.get("species", ()))
    if not species or len(set(species)) != len(species):
        problems.append(f"[scheme] species must be a non-empty list of unique names: {species}")
    params: list[Parameter] = []
    for pname, spec in d.get("parameters", {}).items():
        p = _param(str(pname), spec, problems)
        if p is not None:
            params.append(p)
    irf = d.get("irf", {})
    ref = None
    n_disp = 0
    if irf:
        for key in ("center", "width"):
            if key not in irf:
                problems.append(f"[irf] needs {key!r} (ps)")
            else:
                lo = 1e-6 if key == "width" else -np.inf
                p = _param(f"irf.{key}", irf[key], problems)
                if p is not None:
                    params.append(Parameter(p.name, p.value, p.vary, max(p.min, lo), p.max))
        disp = irf.get("dispersion", [])
        if disp:
            if "dispersion_reference_nm" not in irf:
                problems.append("[irf] dispersion needs dispersion_reference_nm (nm)")
            ref = float(irf.get("dispersion_reference_nm", 0.0))
            for i, c in enumerate(disp):
                p = _param(f"irf.disp{i + 1}", c, problems)
                if p is not None:
                    params.append(p)
            n_disp = len(disp)
    values = {p.name: p.value for p in params}
    for p in params:
        if not p.min <= p.value <= p.max:
            problems.append(f"parameter {p.name!r} = {p.value} outside [{p.min}, {p.max}]")
    transfers: list[Transfer] = []
    for i, t in enumerate(d.get("transfer", [])):
        src, dst, rate = t.get("from"), t.get("to", GROUND), t.get("rate")
        where = f"[[transfer]] #{i + 1} ({src} -> {dst})"
        if src not in species:
            problems.append(f"{where}: unknown species {src!r}; species are {species}")
        if dst != GROUND and dst not in species:
            problems.append(f"{where}: unknown species {dst!r}; species are {species} or "
                            f"'{GROUND}'")
        if rate is None:
            problems.append(f"{where}: needs rate (expression in ps^-1)")
            continue
        try:
            k = evaluate_expression(rate, values)
            if not np.isfinite(k) or k < 0:
                problems.append(f"{where}: rate {rate!r} = {k} ps^-1 is negative; rates "
                                f"must be >= 0 (reverse the transfer instead)")
        except ParameterError as exc:
            problems.append(f"{where}: {exc}")
        transfers.append(Transfer(str(src), None if dst == GROUND else str(dst), str(rate)))
    init = d.get("initial", {})
    for s in init:
        if s not in species:
            problems.append(f"[initial]: unknown species {s!r}; species are {species}")
    initial = tuple(float(init.get(s, 0.0)) for s in species)
    if species and not any(initial):
        problems.append("[initial]: at least one species needs a non-zero initial population")
    eq: list[tuple[str, str, float]] = []
    for i, c in enumerate(d.get("constraints", {}).get("equal_spectra", [])):
        tgt, src, ratio = c.get("target"), c.get("source"), float(c.get("ratio", 1.0))
        for s in (tgt, src):
            if s not in species:
                problems.append(f"[[constraints.equal_spectra]] #{i + 1}: unknown species {s!r}")
        eq.append((str(tgt), str(src), ratio))
    weights = []
    for i, w in enumerate(d.get("weights", [])):
        rng, val = w.get("wavelength_nm"), w.get("value")
        if rng is None or len(rng) != 2 or val is None or float(val) <= 0:
            problems.append(f"[[weights]] #{i + 1}: needs wavelength_nm = [lo, hi] (nm) and "
                            f"value > 0")
            continue
        weights.append((float(min(rng)), float(max(rng)), float(val)))
    if problems:
        raise ParameterError(f"scheme {source}: {len(problems)} problem(s):\n  - "
                             + "\n  - ".join(problems))
    return KineticScheme(name, str(kind), species, tuple(params), tuple(transfers), initial,
                         tuple(eq), tuple(weights), ref, n_disp, source)


def load_scheme(path: str | Path) -> KineticScheme:
    """Read a kinetic scheme from a TOML file (FormatError on bad TOML, ParameterError on content).

    Parameters
    ----------
    path : str or Path
        The ``.toml`` file.
    """
    path = Path(path)
    try:
        d = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"not valid TOML: {exc}", str(path), getattr(exc, "lineno", None)) \
            from None
    return scheme_from_dict(d, source=str(path))


def _irf_dict(center: float, width: float, fit_irf: bool, dispersion: int = 0,
              reference_nm: float | None = None) -> dict:
    d = {"center": {"value": center, "vary": fit_irf},
         "width": {"value": width, "vary": fit_irf, "min": 1e-4}}
    if dispersion:
        d["dispersion_reference_nm"] = reference_nm
        d["dispersion"] = [0.0] * dispersion
    return d


def _rate_parameters(lifetimes: list[float] | tuple[float, ...]) -> dict[str, dict]:
    """Start rates k_i = 1/tau_i (ps^-1, >= 0); an infinite lifetime is a fixed zero rate."""
    return {f"k{i + 1}": ({"value": 0.0, "vary": False} if np.isinf(t)
                          else {"value": 1.0 / float(t), "min": 0.0})
            for i, t in enumerate(lifetimes)}


def sequential_scheme(lifetimes: list[float] | tuple[float, ...], *, irf_center: float = 0.0,
                      irf_width: float = 0.1, fit_irf: bool = True, dispersion: int = 0,
                      dispersion_reference_nm: float | None = None) -> KineticScheme:
    """Sequential scheme s1 -> s2 -> ... -> sN -> ground with start lifetimes (ps).

    Parameters
    ----------
    lifetimes : sequence of float
        Start lifetimes tau_i = 1/k_i, ps; ``numpy.inf`` gives a fixed zero rate (last species
        then never decays: a constant offset).
    irf_center, irf_width : float
        Start IRF centre and standard deviation, ps.
    fit_irf : bool
        Fit the IRF centre and width.
    dispersion : int
        Order of the IRF-centre polynomial in wavelength (0: no chirp modelled), coefficients
        start at 0 ps.
    dispersion_reference_nm : float, optional
        Reference wavelength of that polynomial, nm (required when ``dispersion`` > 0).
    """
    n = len(lifetimes)
    sp = [f"s{i + 1}" for i in range(n)]
    d = {"scheme": {"name": f"sequential{n}", "kind": "sequential", "species": sp},
         "parameters": _rate_parameters(lifetimes),
         "transfer": [{"from": sp[i], "to": sp[i + 1] if i + 1 < n else GROUND,
                       "rate": f"k{i + 1}"} for i in range(n)],
         "initial": {sp[0]: 1.0},
         "irf": _irf_dict(irf_center, irf_width, fit_irf, dispersion, dispersion_reference_nm)}
    return scheme_from_dict(d)


def parallel_scheme(lifetimes: list[float] | tuple[float, ...], *, irf_center: float = 0.0,
                    irf_width: float = 0.1, fit_irf: bool = True, dispersion: int = 0,
                    dispersion_reference_nm: float | None = None) -> KineticScheme:
    """Parallel scheme (independent decays, all populated at t0) with start lifetimes (ps).

    Parameters
    ----------
    lifetimes : sequence of float
        Start lifetimes, ps; ``numpy.inf`` gives a constant offset (rate 0, fixed).
    irf_center, irf_width : float
        Start IRF centre and standard deviation, ps.
    fit_irf : bool
        Fit the IRF centre and width.
    dispersion : int
        Order of the IRF-centre polynomial in wavelength (0: no chirp modelled), coefficients
        start at 0 ps.
    dispersion_reference_nm : float, optional
        Reference wavelength of that polynomial, nm (required when ``dispersion`` > 0).
    """
    n = len(lifetimes)
    sp = [f"s{i + 1}" for i in range(n)]
    d = {"scheme": {"name": f"parallel{n}", "kind": "parallel", "species": sp},
         "parameters": _rate_parameters(lifetimes),
         "transfer": [{"from": sp[i], "rate": f"k{i + 1}"} for i in range(n)],
         "initial": {s: 1.0 for s in sp},
         "irf": _irf_dict(irf_center, irf_width, fit_irf, dispersion, dispersion_reference_nm)}
    return scheme_from_dict(d)
