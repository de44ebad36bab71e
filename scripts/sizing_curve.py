"""Sizing curve of HgTe spheres per tight-binding set, beside published experimental points.

Two ways to get the rows (one JSON object per line: ``set``, ``d`` (nm), ``atoms``, ``gap``
(CB1 − VB1, eV), ``t`` (s), optionally ``X1`` (eV, lowest exciton manifold after CI)):

* compute them: ``--compute`` runs :func:`qdgain.electronic.workflow.solve_dot` (default dot
  model: surface ``no-twofold-te``, cation-centred sphere, SOC, ``n_vb=4, n_cb=2``) for every
  set and diameter; ``--excitons`` runs :func:`qdgain.optics.sweep.compute_dot` instead (adds
  the exciton CI, so X1 as well, several times dearer). Rows are appended to ``--rows``.
* read them: ``--rows FILE [FILE ...]`` JSON-lines files written by this script or by any job
  with the same fields (the last row of a (set, d) pair wins; rows with ``error`` are skipped).

Then it fits each set to E(d) = E_bulk + 1/(a d² + b d + c) (:func:`qdgain.optics.sweep
.fit_sizing`, E_bulk = bulk Γ6 − Γ8 of the set), compares with the experimental points of
:func:`qdgain.materials.experimental_sizing` at the diameters computed, writes the figure
(``--png``) and the Markdown tables (``--table`` file, and/or ``--doc`` to replace the block
between ``<!-- sizing-curve:begin -->`` and ``<!-- sizing-curve:end -->`` of a Markdown file).

Cost on the shared 2-core box (``OMP_NUM_THREADS=1``, shift-invert solver, per set): 2.5 nm
(239 atoms) 3 s, 3.5 nm (597) 19 s, 4.5 nm (1291) 56–72 s and 3.3 GB, 5.0 nm (1839) 106 s and
5.3 GB; the factorisation grows ~n², 6 nm needs ≈ 5 min and ≈ 6 GB per dot. Example::

    OMP_NUM_THREADS=1 python scripts/sizing_curve.py --compute --diameters 2.5:5.0:0.5 \\
        --rows sizing.jsonl --png docs/figures/sizing_curve.png --doc docs/sizing_curve.md
    python scripts/sizing_curve.py --rows sizing.jsonl --png docs/figures/sizing_curve.png
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qdgain.convert import ev_to_nm
from qdgain.errors import FormatError, ParameterError

SETS = ("HgTe_sp3d5_soc_2nn", "HgTe_sp3d5_soc_2nn_fit0K", "HgTe_sp3d5_soc_2nn_fit300K")
SHORT = {"HgTe_sp3d5_soc_2nn": "public", "HgTe_sp3d5_soc_2nn_fit0K": "fit 0 K",
         "HgTe_sp3d5_soc_2nn_fit300K": "fit 300 K (default)"}
BEGIN, END = "<!-- sizing-curve:begin -->", "<!-- sizing-curve:end -->"
# X1 of the default model at 3.5 nm (`qdgain reproduce`, CI on the fit300K + no-twofold-te dot)
# and its CB1 − VB1 gap: the exciton caveat printed on the figure
X1_REF = {"d": 3.5, "X1": 0.973, "gap": 1.0385}


@dataclass(frozen=True, slots=True)
class Row:
    """One computed dot: set name, diameter (nm), atoms, CB1 − VB1 (eV), X1 (eV, NaN if no CI),
    wall time (s)."""

    set: str
    d: float
    atoms: int
    gap: float
    x1: float = math.nan
    t: float = math.nan

    def as_json(self) -> dict[str, Any]:
        """The JSON-lines record (``X1`` only when computed)."""
        rec: dict[str, Any] = {"set": self.set, "d": self.d, "atoms": self.atoms,
                               "gap": self.gap, "t": self.t}
        if math.isfinite(self.x1):
            rec["X1"] = self.x1
        return rec


def parse_diameters(text: str) -> list[float]:
    """``"a,b,c"`` or ``"START:STOP:STEP"`` (STOP included when on the grid), nm."""
    from qdgain.optics.sweep import parse_diameters as _parse

    return [float(x) for x in _parse(text)]


def _write_atomic(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(text.encode() if isinstance(text, str) else text)
    os.replace(tmp, path)


def read_rows(paths: Iterable[str | os.PathLike[str]]) -> list[Row]:
    """Rows of JSON-lines files; a later row of the same (set, d) replaces an earlier one."""
    rows: dict[tuple[str, float], Row] = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    if "error" in rec:
                        continue
                    row = Row(str(rec["set"]), float(rec["d"]), int(rec["atoms"]),
                              float(rec["gap"]), float(rec.get("X1", math.nan)),
                              float(rec.get("t", math.nan)))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    raise FormatError(f"not a sizing row ({exc}); each line must be JSON with "
                                      "set, d, atoms, gap", str(path), lineno) from exc
                rows[(row.set, round(row.d, 6))] = row
    return sorted(rows.values(), key=lambda r: (r.set, r.d))


def compute_rows(sets: Sequence[str], diameters_nm: Sequence[float], *, method: str = "auto",
                 excitons: bool = False, out: str | os.PathLike[str] | None = None,
                 progress: bool = True) -> list[Row]:
    """Solve every (set, diameter) sphere; append each row to ``out`` (JSON lines) when given.

    Parameters
    ----------
    sets : sequence of str
        Tight-binding set names or files.
    diameters_nm : sequence of float
        Sphere diameters, nm.
    method : str
        Band-edge solver (``"auto"``, ``"dense"``, ``"shift-invert"``, …).
    excitons : bool
        Also run the exciton CI (:func:`qdgain.optics.sweep.compute_dot`, default ε_in = 6.8,
        ε_out = 2.25) and record X1 (eV).
    out : path, optional
        JSON-lines file; the whole file is rewritten atomically after each row.
    progress : bool
        Show a Rich progress bar.
    """
    from rich.progress import Progress
    from threadpoolctl import threadpool_limits

    from qdgain.electronic.workflow import solve_dot
    from qdgain.optics.sweep import DotSpec, SweepOptions, compute_dot

    old = read_rows([out]) if out is not None and Path(out).exists() else []
    rows: list[Row] = []
    jobs = [(s, float(d)) for d in diameters_nm for s in sets]
    with threadpool_limits(int(os.environ.get("OMP_NUM_THREADS", "1"))), \
            Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("sizing curve", total=len(jobs))
        for s, d in jobs:
            t0 = time.perf_counter()
            if excitons:
                rec = compute_dot(DotSpec("sphere", d), SweepOptions(params=s, method=method))
                row = Row(s, d, rec["n_atoms"], rec["gap_eV"], rec["X1_eV"],
                          time.perf_counter() - t0)
            else:
                r = solve_dot("HgTe", "sphere", d, params=s, n_vb=4, n_cb=2, method=method)
                row = Row(s, d, r.nc.n_atoms, float(r.states.gap_eV), math.nan,
                          time.perf_counter() - t0)
            rows.append(row)
            if out is not None:
                _write_atomic(Path(out), "".join(json.dumps(r.as_json()) + "\n"
                                                 for r in old + rows))
            bar.advance(task)
    return rows


def fits(rows: Sequence[Row]) -> dict[str, Any]:
    """Sizing fit per set (sets with < 3 diameters are left out): set → SizingFit."""
    from qdgain.materials import load_parameters
    from qdgain.optics.sweep import bulk_gap_eV, fit_sizing

    out = {}
    for s in sorted({r.set for r in rows}):
        rs = [r for r in rows if r.set == s]
        if len({r.d for r in rs}) >= 3:
            out[s] = fit_sizing(np.array([r.d for r in rs]), np.array([r.gap for r in rs]),
                                bulk_gap_eV(load_parameters(s)))
    return out


def comparison(rows: Sequence[Row], exp: Any) -> list[dict[str, Any]]:
    """Computed gap − experimental energy at every experimental diameter that was computed.

    Returns one dict per (experimental point, set): ``d`` (nm), ``quantity``, ``source``,
    ``E_exp`` (eV), ``set``, ``gap`` (eV), ``diff_eV`` = gap − E_exp, ``diff_pct`` (% of E_exp).
    """
    out = []
    for i in range(exp.sizes["point"]):
        d, e = float(exp["diameter_nm"][i]), float(exp["energy_eV"][i])
        for r in rows:
            if abs(r.d - d) < 1e-6:
                out.append({"d": d, "quantity": str(exp["quantity"][i].item()),
                            "source": str(exp["source"][i].item()), "E_exp": e, "set": r.set,
                            "gap": r.gap, "diff_eV": r.gap - e, "diff_pct": 100 * (r.gap - e) / e})
    return out


def _name(s: str) -> str:
    return SHORT.get(s, s)


def markdown(rows: Sequence[Row], fit: dict[str, Any], comp: Sequence[dict[str, Any]]) -> str:
    """The three Markdown tables: computed gaps, sizing fits, comparison with experiment."""
    sets = [s for s in SETS if any(r.set == s for r in rows)]
    sets += sorted({r.set for r in rows} - set(sets))
    ds = sorted({r.d for r in rows})
    by = {(r.set, r.d): r for r in rows}
    head = "| d (nm) | atoms | " + " | ".join(
        f"{_name(s)}: gap (eV) / λ (nm)" for s in sets) + " |"
    lines = [head, "|" + "---|" * (2 + len(sets))]
    for d in ds:
        atoms = sorted({by[(s, d)].atoms for s in sets if (s, d) in by})
        cells = []
        for s in sets:
            r = by.get((s, d))
            cells.append("—" if r is None else f"{r.gap:.4f} / {float(ev_to_nm(r.gap)):.0f}"
                         + (f" (X1 {r.x1:.4f})" if math.isfinite(r.x1) else ""))
        lines.append(f"| {d:.1f} | {'/'.join(map(str, atoms))} | " + " | ".join(cells) + " |")
    lines += ["", "| set | E_bulk (eV) | a (eV⁻¹ nm⁻²) | b (eV⁻¹ nm⁻¹) | c (eV⁻¹) | rms (meV) "
              "| points |", "|---|---|---|---|---|---|---|"]
    for s in sets:
        if s in fit:
            f = fit[s]
            lines.append(f"| {_name(s)} | {f.e_bulk_eV:+.4f} | {f.a_per_eV_nm2:.4f} | "
                         f"{f.b_per_eV_nm:.4f} | {f.c_per_eV:.4f} | {1e3 * f.rms_eV:.1f} | "
                         f"{f.n_points} |")
    lines += ["", "| d (nm) | experiment | E_exp (eV) | " + " | ".join(
        f"{_name(s)}: gap − E_exp (eV, %)" for s in sets) + " |",
        "|" + "---|" * (3 + len(sets))]
    keys = sorted({(c["d"], c["quantity"], c["source"], c["E_exp"]) for c in comp})
    for d, q, src, e in keys:
        cells = []
        for s in sets:
            c = [c for c in comp
                 if (c["d"], c["quantity"], c["source"], c["set"]) == (d, q, src, s)]
            cells.append(f"{c[0]['diff_eV']:+.3f} ({c[0]['diff_pct']:+.1f} %)" if c else "—")
        lines.append(f"| {d:.1f} | {q} ({src}) | {e:.3f} | " + " | ".join(cells) + " |")
    common = [k for k in keys if all(any((c["d"], c["quantity"], c["source"], c["E_exp"]) == k
                                         and c["set"] == s for c in comp) for s in sets)]
    for label, sel in (("all points of the set", keys), ("points computed for every set", common)):
        mean = []
        for s in sets:
            c = [abs(c["diff_eV"]) for c in comp
                 if c["set"] == s and (c["d"], c["quantity"], c["source"], c["E_exp"]) in sel]
            mean.append(f"{np.mean(c):.3f} eV ({len(c)})" if c else "—")
        lines.append(f"| | **mean abs. difference, {label}** | | " + " | ".join(mean) + " |")
    return "\n".join(lines) + "\n"


def _source_label(key: str) -> str:
    """``"kovalenko2006"`` → ``"Kovalenko 2006"``; ``"paper"`` → ``"ref. paper"``."""
    head = key.rstrip("0123456789")
    return "ref. paper" if key == "paper" else f"{head.capitalize()} {key[len(head):]}".strip()


def experiment_markdown(exp: Any) -> str:
    """Table of the experimental points with their full sources (from the loader's attrs)."""
    src = json.loads(exp.attrs["sources"])
    lines = ["| d (nm) | quantity | λ (nm) | E (eV) | approximate / derived | T (K) | source "
             "(how the size was measured) |", "|---|---|---|---|---|---|---|"]
    for i in range(exp.sizes["point"]):
        d, err = float(exp["diameter_nm"][i]), float(exp["diameter_error_nm"][i])
        t = float(exp["temperature_K"][i])
        key = str(exp["source"][i].item())
        info = src.get(key, {})
        doi = f", doi {info['doi']}" if info.get("doi") else ""
        lines.append(
            f"| {d:g}{'' if math.isnan(err) else f' ± {err:g}'} | {exp['quantity'][i].item()} | "
            f"{float(exp['wavelength_nm'][i]):.0f} | {float(exp['energy_eV'][i]):.3f} | "
            f"{'yes' if bool(exp['approximate'][i]) else 'no'} / "
            f"{'yes' if bool(exp['derived'][i]) else 'no'} | {'—' if math.isnan(t) else f'{t:g}'}"
            f" | `{key}`: {info.get('citation', key)}{doi} "
            f"(size: {info.get('diameter_method', '?')}) |")
    return "\n".join(lines) + "\n"


def _marker(quantity: str) -> tuple[str, str]:
    q = quantity.lower()
    if q.startswith("pl"):
        return "v", "PL peak"
    if "photoresponse" in q:
        return "^", "photoresponse cut-off"
    return "s", "absorption (peak/edge/derived)"


def plot(rows: Sequence[Row], fit: dict[str, Any], exp: Any, path: str | os.PathLike[str],
         d_max_nm: float = 12.5) -> None:
    """Gap vs diameter per set (lines + markers, fit dotted), experimental points by kind,
    wavelength axis on the right, exciton caveat; PNG written atomically."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qdgain.optics.sweep import sizing_energy

    fig, ax = plt.subplots(figsize=(8, 5.2))
    colors = {"HgTe_sp3d5_soc_2nn": "tab:gray", "HgTe_sp3d5_soc_2nn_fit0K": "tab:blue",
              "HgTe_sp3d5_soc_2nn_fit300K": "tab:red"}
    for s in sorted({r.set for r in rows}, key=lambda s: (s not in SETS, s)):
        rs = sorted((r for r in rows if r.set == s), key=lambda r: r.d)
        c = colors.get(s)
        ax.plot([r.d for r in rs], [r.gap for r in rs], "-o", color=c, ms=5,
                label=f"CB1 − VB1, {_name(s)}")
        x1 = [(r.d, r.x1) for r in rs if math.isfinite(r.x1)]
        if x1:
            ax.plot(*zip(*x1, strict=True), "D", mfc="none", color=c, ms=7,
                    label=f"X1 (CI), {_name(s)}")
        if s in fit:
            dd = np.linspace(rs[-1].d, d_max_nm, 60)
            ax.plot(dd, sizing_energy(fit[s], dd), ":", color=c, lw=1)
    seen, notes = set(), {}
    for i in range(exp.sizes["point"]):
        d, e = float(exp["diameter_nm"][i]), float(exp["energy_eV"][i])
        if d > d_max_nm:
            continue
        m, kind = _marker(str(exp["quantity"][i].item()))
        err = float(exp["diameter_error_nm"][i])
        ax.errorbar(d, e, xerr=None if math.isnan(err) else err, fmt=m, color="k",
                    mfc="none" if bool(exp["approximate"][i]) else "k", ms=8, capsize=2,
                    label=None if kind in seen else f"experiment: {kind}")
        seen.add(kind)
        notes.setdefault((d, str(exp["source"][i].item())), []).append((e, kind))
    # one label per (diameter, source), above its highest point; PL-only labels to the left
    by_point: dict[tuple[float, float], list[str]] = {}
    for (d, src), pts in notes.items():
        by_point.setdefault((d, max(e for e, _ in pts)), []).append(
            _source_label(src) + ("" if len(pts) == 1 else " (PL, abs.)"))
    for (d, e), labels in by_point.items():
        left = all(k == "PL peak" for (dd, _), pts in notes.items() if dd == d for _, k in pts)
        ax.annotate("\n".join(labels), (d, e), xytext=(-6 if left else 6, 4),
                    textcoords="offset points", fontsize=7, va="bottom",
                    ha="right" if left else "left")
    ax.plot([X1_REF["d"]], [X1_REF["X1"]], "D", color=colors["HgTe_sp3d5_soc_2nn_fit300K"],
            ms=6, label="X1 (CI), fit 300 K, qdgain reproduce")
    ax.set_xlabel("sphere diameter (nm)")
    ax.set_ylabel("energy (eV)")
    ax.set_xlim(2.0, d_max_nm)
    ax.set_ylim(0.05, 1.75)
    sec = ax.secondary_yaxis("right", functions=(lambda e: ev_to_nm(np.clip(e, 1e-3, None)),
                                                  lambda lam: ev_to_nm(np.clip(lam, 1e-3, None))))
    sec.set_ylabel("wavelength hc/E (nm)")
    sec.set_yticks([800, 1000, 1250, 1500, 2000, 3000, 5000])
    ax.text(0.98, 0.97, (f"CB1 − VB1 is a quasi-particle gap: X1 lies ≈ 0.07–0.12 eV lower "
                         f"after CI\n(default model, {X1_REF['d']} nm: X1 = {X1_REF['X1']} eV, gap "
                         f"{X1_REF['gap']} eV; ◇ = X1 computed here).\n"
                         "PL lies ≈ 0.12 eV below the absorption peak.\n"
                         "Open experimental markers: approximate range endpoints. "
                         "Dotted: sizing fit, extrapolated."),
            transform=ax.transAxes, ha="right", va="top", fontsize=7,
            bbox={"fc": "white", "ec": "0.7"})
    ax.legend(fontsize=7, loc="center right", bbox_to_anchor=(1.0, 0.62))
    ax.set_title("HgTe spheres: tight-binding sets vs experiment")
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=130)
    plt.close(fig)
    _write_atomic(Path(path), buf.getvalue())


def replace_block(doc: str | os.PathLike[str], block: str) -> None:
    """Replace the text between the BEGIN/END markers of a Markdown file (atomic write)."""
    text = Path(doc).read_text(encoding="utf-8")
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        raise ParameterError(f"{doc}: markers {BEGIN!r} … {END!r} not found; add them where "
                             "the generated tables belong")
    _write_atomic(Path(doc), text[: i + len(BEGIN)] + "\n" + block + text[j:])


def main(argv: Sequence[str] | None = None) -> list[Row]:
    """Command line (see the module docstring); returns the rows used."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", nargs="*", default=[], help="JSON-lines files (read; with "
                    "--compute the first one is also the output)")
    ap.add_argument("--compute", action="store_true", help="solve the dots first (see cost)")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    ap.add_argument("--diameters", default="2.5:5.0:0.5", help="'a,b,c' or START:STOP:STEP nm")
    ap.add_argument("--method", default="auto", help="band-edge solver")
    ap.add_argument("--excitons", action="store_true", help="also X1 from the exciton CI")
    ap.add_argument("--png", default=None, help="figure path")
    ap.add_argument("--table", default=None, help="Markdown tables file")
    ap.add_argument("--doc", default=None, help="Markdown file whose marked block is replaced")
    ap.add_argument("--quiet", action="store_true", help="no progress bar, no table on stdout")
    a = ap.parse_args(argv)
    from qdgain.materials import experimental_sizing

    rows: list[Row] = []
    if a.compute:
        out = a.rows[0] if a.rows else None
        rows = compute_rows([s for s in a.sets.split(",") if s], parse_diameters(a.diameters),
                            method=a.method, excitons=a.excitons, out=out, progress=not a.quiet)
    elif not a.rows:
        raise ParameterError("no rows: give --rows FILE [FILE ...] or --compute")
    if a.rows:
        rows = read_rows(a.rows)
    if not rows:
        raise ParameterError(f"no usable rows in {', '.join(a.rows)}")
    exp = experimental_sizing("HgTe")
    fit = fits(rows)
    md = markdown(rows, fit, comparison(rows, exp)) + "\n" + experiment_markdown(exp)
    if a.png:
        plot(rows, fit, exp, a.png)
    if a.table:
        _write_atomic(Path(a.table), md)
    if a.doc:
        replace_block(a.doc, md)
    if not a.quiet:
        print(md)
    return rows


if __name__ == "__main__":
    main()
