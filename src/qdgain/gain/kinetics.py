"""Population kinetics of a dot ensemble: a master equation (rate matrix) over dot states.

States of one dot (n_max = largest exciton number kept):

=========  =====================================================================
``G``      ground state (empty dot)
``H<n>``   n hot excitons (n = 1 … n_max), before carrier cooling
``C<n>``   n cold excitons (n = 2 … n_max): CB1 holds min(n, 2) electrons, the holes
           are shared between VB1 and VB2 (fraction ``x2_fraction`` in VB2)
``S2``     one exciton, electron in CB1, hole in VB2 (the bright X2 configuration)
``S1``     one exciton, electron in CB1, hole in VB1 (X1)
``T``      electron captured into the gap state, hole in VB1 (no gain, X1 partly bleached)
``Q<m>``   positively charged dot: m excitons plus one extra hole (m = 0 … n_max − 2),
           formed by Auger ionisation of C<m+2> (the Auger electron is ejected)
=========  =====================================================================

Processes (rates in ps⁻¹): cooling H<n> → C<n> (H1 → S2 / S1 with the VB2 share ``x2_fraction``);
multi-exciton Auger C<n> → C<n−1> at k_n = k_XX s(n) with s(2) = 1 and the scaling s(n) =
n(n−1)/2 ("statistical") or n²(n−1)/4 ("cubic"); a fraction ``ionisation_probability`` of the
Auger events ejects the electron: C<n> → Q<n−2>; hole relaxation S2 → S1; single-exciton decay
S → G; capture S → T; T → G; charged-dot (trion) recombination Q<m> → Q<m−1> at m k_ch;
neutralisation Q0 → G.

The master equation dP/dt = M P has columns of M summing to zero, so Σ_s P_s = 1 (dot number
conservation) holds at all delays. It is solved once per model by eigendecomposition,
M = V Λ V⁻¹, P(t) = V e^{Λ t} V⁻¹ P(0), vectorised over delays and ⟨N⟩.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np

from qdgain.errors import ParameterError
from qdgain.gain.poisson import check_mean_excitons, poisson_pmf

__all__ = ["KineticParameters", "StateSpace", "Modes", "rate_matrix", "modes",
           "populations", "AUGER_SCALINGS", "N_MAX_CAP"]

AUGER_SCALINGS: tuple[str, ...] = ("statistical", "cubic")
#: Largest default n_max: beyond ~12 excitons the Auger and cooling rates of the cascade
#: become near-degenerate and the eigendecomposition ill-conditioned (cond(V) > 1e7).
N_MAX_CAP = 12


@dataclass(frozen=True, slots=True)
class KineticParameters:
    """Time constants (ps) and branching ratios of the dot kinetics (SPEC §4).

    ``math.inf`` switches a process off. Defaults are the paper's HgTe values.

    Parameters
    ----------
    tau_cool_ps : float
        Carrier cooling into the band-edge levels, ps.
    tau_auger_ps : float
        Biexciton Auger lifetime τ_XX, ps.
    auger_scaling : {"statistical", "cubic"}
        Scaling of the n-exciton Auger rate with n.
    tau_x2x1_ps : float
        Hole relaxation VB2 → VB1 (X2 → X1), ps.
    tau_x_ps : float
        Single-exciton recombination (radiative + non-radiative band edge), ps.
    tau_capture_ps : float
        Capture of the CB1 electron into the gap state, ps.
    tau_trap_ps : float
        Recombination of the trapped electron with the hole, ps.
    ionisation_probability : float
        Fraction of Auger events that eject the electron and leave a charged dot (0–1).
    tau_charged_ps : float
        Recombination of an exciton in a charged dot (trion), ps.
    tau_neutralise_ps : float
        Loss of the resident charge of a charged dot, ps.
    x2_fraction : float
        Share of the cooled holes that end in VB2 (0–1).
    """

    tau_cool_ps: float = 1.5
    tau_auger_ps: float = 51.0
    auger_scaling: Literal["statistical", "cubic"] = "statistical"
    tau_x2x1_ps: float = 700.0
    tau_x_ps: float = 40_000.0
    tau_capture_ps: float = math.inf
    tau_trap_ps: float = 100_000.0
    ionisation_probability: float = 0.0
    tau_charged_ps: float = 10.0
    tau_neutralise_ps: float = 50_000.0
    x2_fraction: float = 0.5

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.startswith("tau_") and not (isinstance(value, int | float)
                                                 and value > 0 and not math.isnan(value)):
                raise ParameterError(
                    f"KineticParameters.{f.name} = {value!r}: time constants must be > 0 ps "
                    "(use math.inf to switch a process off)")
        for name in ("ionisation_probability", "x2_fraction"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ParameterError(f"KineticParameters.{name} = {value!r} must lie in [0, 1]")
        if self.auger_scaling not in AUGER_SCALINGS:
            raise ParameterError(f"auger_scaling {self.auger_scaling!r} unknown; "
                                 f"choose one of {AUGER_SCALINGS}")

    @property
    def gain_lifetime_ps(self) -> float:
        """Lifetime of the CB1 electron of a single exciton, 1/τ = 1/τ_X + 1/τ_capture (ps)."""
        return 1.0 / (1.0 / self.tau_x_ps + 1.0 / self.tau_capture_ps)

    def auger_rate_per_ps(self, n: int) -> float:
        """Auger rate of an n-exciton dot, ps⁻¹ (k_2 = 1/τ_XX)."""
        scale = n * (n - 1) / 2.0 if self.auger_scaling == "statistical" else n * n * (n - 1) / 4.0
        return scale / self.tau_auger_ps


@dataclass(frozen=True, slots=True)
class StateSpace:
    """Labels and carrier content of every dot state (index order of the rate matrix).

    Attributes
    ----------
    names : tuple of str
        State labels.
    electrons_cb1, holes_vb1, holes_vb2 : ndarray
        Mean occupation of CB1 (0–2), VB1 (0–4) and VB2 (0–4) by cold carriers.
    electrons_total, holes_total : ndarray
        All electrons / holes in the dot (intraband absorption counts them).
    hot_excitons : ndarray
        Excitons that have not cooled yet.
    gap_filled : ndarray of bool
        The gap state holds a (captured) electron.
    """

    names: tuple[str, ...]
    electrons_cb1: np.ndarray
    holes_vb1: np.ndarray
    holes_vb2: np.ndarray
    electrons_total: np.ndarray
    holes_total: np.ndarray
    hot_excitons: np.ndarray
    gap_filled: np.ndarray

    @property
    def size(self) -> int:
        """Number of states."""
        return len(self.names)

    def index(self, name: str) -> int:
        """Index of state ``name`` (ParameterError listing the states if unknown)."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ParameterError(f"no state {name!r}; states are {self.names}") from None


def _state_space(n_max: int, x2_fraction: float) -> StateSpace:
    rows: list[tuple[str, float, float, float, float, float, float, bool]] = []

    def holes(k: int) -> tuple[float, float]:
        return min(k * (1 - x2_fraction), 4.0), min(k * x2_fraction, 4.0)

    rows.append(("G", 0, 0, 0, 0, 0, 0, False))
    for n in range(1, n_max + 1):
        rows.append((f"H{n}", 0, 0, 0, n, n, n, False))
    for n in range(2, n_max + 1):
        rows.append((f"C{n}", min(n, 2), *holes(n), n, n, 0, False))
    rows.append(("S2", 1, 0, 1, 1, 1, 0, False))
    rows.append(("S1", 1, 1, 0, 1, 1, 0, False))
    rows.append(("T", 0, 1, 0, 1, 1, 0, True))
    for m in range(0, n_max - 1):
        rows.append((f"Q{m}", min(m, 2), *holes(m + 1), m, m + 1, 0, False))
    cols = list(zip(*rows, strict=True))
    return StateSpace(
        names=tuple(cols[0]),
        electrons_cb1=np.array(cols[1], float), holes_vb1=np.array(cols[2], float),
        holes_vb2=np.array(cols[3], float), electrons_total=np.array(cols[4], float),
        holes_total=np.array(cols[5], float), hot_excitons=np.array(cols[6], float),
        gap_filled=np.array(cols[7], bool),
    )


def rate_matrix(params: KineticParameters, n_max: int) -> tuple[np.ndarray, StateSpace]:
    """Rate matrix M (ps⁻¹) of the master equation dP/dt = M P.

    .. math:: M_{ji} = k_{i\\to j}\\ (i \\ne j), \\qquad M_{ii} = -\\sum_{j\\ne i} k_{i\\to j}

    Parameters
    ----------
    params : KineticParameters
        Time constants and branching ratios.
    n_max : int
        Largest exciton number per dot (>= 2).

    Returns
    -------
    M : ndarray, shape (S, S)
        Generator, ps⁻¹; every column sums to zero.
    states : StateSpace
        State labels and carrier content.
    """
    if int(n_max) < 2:
        raise ParameterError(f"n_max must be >= 2, got {n_max!r}")
    n_max = int(n_max)
    st = _state_space(n_max, params.x2_fraction)
    ix = {name: i for i, name in enumerate(st.names)}
    M = np.zeros((st.size, st.size))
    q = params.x2_fraction

    def add(src: str, dst: str, rate: float) -> None:
        if rate > 0:
            M[ix[dst], ix[src]] += rate
            M[ix[src], ix[src]] -= rate

    k_cool = 1.0 / params.tau_cool_ps
    add("H1", "S2", q * k_cool)
    add("H1", "S1", (1 - q) * k_cool)
    for n in range(2, n_max + 1):
        add(f"H{n}", f"C{n}", k_cool)
        k_a = params.auger_rate_per_ps(n)
        p_ion = params.ionisation_probability
        if n == 2:
            add("C2", "S2", q * (1 - p_ion) * k_a)
            add("C2", "S1", (1 - q) * (1 - p_ion) * k_a)
        else:
            add(f"C{n}", f"C{n - 1}", (1 - p_ion) * k_a)
        add(f"C{n}", f"Q{n - 2}", p_ion * k_a)
    for s in ("S2", "S1"):
        add(s, "G", 1.0 / params.tau_x_ps)
        add(s, "T", 1.0 / params.tau_capture_ps)
    add("S2", "S1", 1.0 / params.tau_x2x1_ps)
    add("T", "G", 1.0 / params.tau_trap_ps)
    for m in range(1, n_max - 1):
        add(f"Q{m}", f"Q{m - 1}", m / params.tau_charged_ps)
    add("Q0", "G", 1.0 / params.tau_neutralise_ps)
    return M, st


@dataclass(frozen=True, slots=True)
class Modes:
    """Eigen-modes of the kinetics for a set of ⟨N⟩: ΔP(t) = Σ_k V[:, k] C[f, k] e^{λ_k t}.

    ΔP = P − e_G is the change of the populations from the unexcited ensemble (all dots in G),
    valid for t >= 0 (ΔP = 0 before the pump).

    Attributes
    ----------
    rates_per_ps : ndarray, shape (K,)
        Eigenvalues λ_k of M (<= 0), ps⁻¹.
    vectors : ndarray, shape (S, K)
        Eigenvectors (columns).
    amplitudes : ndarray, shape (F, K)
        Mode amplitudes per ⟨N⟩.
    states : StateSpace
        The states.
    """

    rates_per_ps: np.ndarray
    vectors: np.ndarray
    amplitudes: np.ndarray
    states: StateSpace

    def delta_populations(self, delay_ps: np.ndarray) -> np.ndarray:
        """ΔP(t) without instrument response, shape (F, T, S); zero for t < 0."""
        t = np.asarray(delay_ps, dtype=float)
        ex = np.exp(np.outer(np.clip(t, 0.0, None), self.rates_per_ps))  # (T, K)
        ex[t < 0] = 0.0
        return np.einsum("tk,sk,fk->fts", ex, self.vectors, self.amplitudes)


def _eig(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigendecomposition robust to repeated rates (Jordan blocks): rescale columns slightly."""
    jitter = 0.0
    for _ in range(4):
        A = M.copy()
        if jitter:
            # scale each column (all out-rates of one state) by 1 + O(jitter): lifts exact
            # degeneracies, keeps zero column sums (conservation)
            A = M * (1.0 + jitter * np.arange(1, M.shape[0] + 1) / M.shape[0])[None, :]
        w, V = np.linalg.eig(A)
        w, V = w.real, V.real
        if np.linalg.cond(V) < 1e10:
            Vinv = np.linalg.inv(V)
            err = np.abs((V * w) @ Vinv - A).max() / np.abs(A).max()
            if err < 1e-9:
                return w, V, Vinv
        jitter = 1e-7 if not jitter else jitter * 10
    raise ParameterError("rate matrix is defective even after lifting degenerate rates; "
                         "change one of the coinciding time constants slightly")


def modes(params: KineticParameters, N_mean: np.ndarray | float,
          n_max: int | None = None) -> Modes:
    """Eigen-modes and their amplitudes for Poisson initial excitation at each ⟨N⟩.

    .. math:: P(0) = P_\\mathrm{Poisson}(0)\\,e_G + \\sum_{n\\ge1} P_\\mathrm{Poisson}(n)\\,e_{H_n},
              \\qquad C = V^{-1}\\,(P(0) - e_G)

    Parameters
    ----------
    params : KineticParameters
        Kinetics.
    N_mean : float or array, shape (F,)
        Mean excitons per dot ⟨N⟩ at time zero (>= 0).
    n_max : int, optional
        Largest exciton number; default from the Poisson tail of the largest ⟨N⟩ (< 1e-7),
        at most :data:`N_MAX_CAP` (the tail beyond it is lumped into C<n_max>; at ⟨N⟩ = 5
        that is 0.2 % of the dots, below it far less).
    """
    from qdgain.gain.poisson import n_max_for

    lam = check_mean_excitons(N_mean)
    n_max = min(max(2, n_max_for(lam)), N_MAX_CAP) if n_max is None else int(n_max)
    M, st = rate_matrix(params, n_max)
    w, V, Vinv = _eig(M)
    p = poisson_pmf(lam, n_max)  # (F, n_max + 1)
    dp0 = np.zeros((lam.size, st.size))
    dp0[:, 0] = p[:, 0] - 1.0
    dp0[:, 1:n_max + 1] = p[:, 1:]  # H1..Hn_max follow G in the state order
    C = dp0 @ Vinv.T
    return Modes(rates_per_ps=w, vectors=V, amplitudes=C, states=st)


def populations(params: KineticParameters, N_mean: np.ndarray | float,
                delay_ps: np.ndarray | float, n_max: int | None = None) -> tuple[np.ndarray,
                                                                                 StateSpace]:
    """Populations P_s(t; ⟨N⟩) of every dot state (no instrument response).

    Parameters
    ----------
    params : KineticParameters
        Kinetics.
    N_mean : float or array, shape (F,)
        Mean excitons per dot ⟨N⟩ (>= 0).
    delay_ps : float or array, shape (T,)
        Delays after the pump, ps (populations before the pump are all in G).
    n_max : int, optional
        Largest exciton number kept.

    Returns
    -------
    P : ndarray, shape (F, T, S)
        Fraction of dots in each state (dimensionless; sums to 1 over S).
    states : StateSpace
        The states.
    """
    m = modes(params, N_mean, n_max)
    P = m.delta_populations(np.atleast_1d(np.asarray(delay_ps, dtype=float)))
    P[..., 0] += 1.0
    return P, m.states
