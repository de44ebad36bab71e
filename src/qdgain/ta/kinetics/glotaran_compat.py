"""Export a qdgain kinetic scheme as pyglotaran 0.7 model and parameter YAML (for comparisons).

No pyglotaran import here: the text is what ``glotaran.io.load_model(text, format_name=
"yml_str")`` and ``load_parameters(...)`` read. Our parameters go to the group ``p`` (IRF ones
keep their ``irf.`` group), rate expressions become derived parameters ``r.rate_<i>`` with
pyglotaran ``expr``; parameters with min = 0 become ``non-negative`` (pyglotaran fits their log).
pyglotaran's IRF dispersion uses the same polynomial in (lambda - lambda_ref) / 100 nm.
"""

from __future__ import annotations

import re

import numpy as np

from qdgain.ta.kinetics.scheme import KineticScheme

__all__ = ["to_pyglotaran", "pyglotaran_name"]


def pyglotaran_name(name: str) -> str:
    """pyglotaran label of one of our parameter names (``k3`` -> ``p.k3``)."""
    return name if name.startswith("irf.") else f"p.{name}"


def to_pyglotaran(scheme: KineticScheme, wavelength: np.ndarray) -> tuple[str, str]:
    """pyglotaran 0.7 model and parameter YAML for a qdgain scheme (same rates, IRF, constraints).

    Parameters
    ----------
    scheme : KineticScheme
        Scheme with a Gaussian IRF.
    wavelength : ndarray
        Wavelength axis of the data, nm (range of the equal-spectra relations).

    Returns
    -------
    (model_yaml, parameters_yaml) : tuple of str
    """
    def expr(e: str) -> str:
        return re.sub(r"\b([A-Za-z_][A-Za-z0-9_]*)\b",
                      lambda m: "$" + pyglotaran_name(m.group(1)), e)

    names = {p.name for p in scheme.parameters}
    p_lines, derived, kmat = [], [], []
    for i, tr in enumerate(scheme.transfers):
        label = pyglotaran_name(tr.rate) if tr.rate in names else f"r.rate_{i}"
        if tr.rate not in names:
            derived.append(f"  - ['rate_{i}', 0.0, {{expr: '{expr(tr.rate)}'}}]")
        to = tr.target or tr.source
        kmat.append(f"      ({to}, {tr.source}): {label}")
    irf_lines = []
    for p in scheme.parameters:
        opts = ["vary: False"] if not p.vary else []
        if p.vary and p.min == 0:
            opts.append("non-negative: True")
        entry = f"  - ['{p.name.split('.', 1)[-1]}', {p.value!r}, {{{', '.join(opts)}}}]"
        (irf_lines if p.name.startswith("irf.") else p_lines).append(entry)
    irf_lines.append(f"  - ['dispc', {scheme.dispersion_reference_nm or 0.0}, {{vary: False}}]")
    init = [f"  - ['pop_{i}', {v}, {{vary: False}}]" for i, v in enumerate(scheme.initial)]
    params = "\n".join(["p:", *p_lines, "r:", *(derived or ["  []"]), "irf:", *irf_lines,
                        "init:", *init]) + "\n"
    sp = ", ".join(scheme.species)
    disp = ", ".join(f"irf.disp{i + 1}" for i in range(scheme.n_dispersion))
    lo, hi = float(wavelength.min()) - 1, float(wavelength.max()) + 1
    model = [
        "default_megacomplex: decay",
        "dataset:", "  dataset1:", "    megacomplex: [mc1]", "    initial_concentration: ic1",
        "    irf: irf1",
        "megacomplex:", "  mc1:", "    k_matrix: [km1]",
        "k_matrix:", "  km1:", "    matrix:", *kmat,
        "initial_concentration:", "  ic1:", f"    compartments: [{sp}]",
        f"    parameters: [{', '.join(f'init.pop_{i}' for i in range(len(scheme.species)))}]",
        "irf:", "  irf1:",
        f"    type: {'spectral-multi-gaussian' if disp else 'multi-gaussian'}",
        "    center: [irf.center]", "    width: [irf.width]",
    ]
    if disp:
        model += ["    dispersion_center: irf.dispc",
                  f"    center_dispersion_coefficients: [{disp}]"]
    if scheme.equal_spectra:
        model.append("clp_relations:")
        for i, (tgt, src, ratio) in enumerate(scheme.equal_spectra):
            params += f"rel:\n  - ['ratio_{i}', {ratio}, {{vary: False}}]\n"
            model += [f"  - source: {src}", f"    target: {tgt}", f"    parameter: rel.ratio_{i}",
                      f"    interval: [[{lo}, {hi}]]"]
    if scheme.weights:
        model.append("weights:")
        for a, b, v in scheme.weights:
            model += ["  - datasets: [dataset1]", f"    global_interval: [{a}, {b}]",
                      f"    value: {v}"]
    return "\n".join(model) + "\n", params
