"""A real 12-size sweep (GaAs sp3s* spheres, 29–87 atoms) through a 2-worker LocalCluster.

GaAs (Vogl set, with SOC) is the project's second-material check; its small spheres are cheap
(dense diagonalisation of ≤ 870 spin-orbitals) and have a normal, monotonic sizing curve.
"""

from __future__ import annotations

import pytest

from qdgain.optics.sweep import SweepOptions, dot_grid, parse_diameters, run_sweep

# surface "hybrid20" (every atom with >= 2 neighbours, +20 eV hybrids): the GaAs machinery checks
# keep their dots; the HgTe default model (no two-fold anions, projection) is tested in electronic
GAAS = SweepOptions(params="GaAs_vogl", eps_in=10.9, n_e=2, n_h=8, surface="hybrid20")
DIAMETERS = "1.0:1.66:0.06"   # 12 sizes, 4 distinct structures (29, 35, 59, 87 atoms)


@pytest.fixture(scope="session")
def gaas_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("gaas_sweep")
    dots = dot_grid(["sphere"], parse_diameters(DIAMETERS))
    lines: list[str] = []
    res = run_sweep(dots, GAAS, out, n_workers=2, processes=False, log=lines.append)
    return res, out, lines
