"""Sizing curve: CB1 − VB1 gap of HgTe spheres for each tight-binding parameter set (issue 11).

For each set and diameter: build the passivated sphere (cation-centred), the sparse SOC
Hamiltonian and the band-edge states with :func:`qdgain.electronic.band_edge_states`; print one
table row (set, diameter, atoms, CB1 − VB1 in eV and nm, time) and, with ``--json``, one JSON line.
The bulk band edge E(Γ8) of each set is printed too, so confinement energies of the conduction
(CB1 − E(Γ8)) and valence (E(Γ8) − VB1) sides can be compared between sets.

Run (heavy: about 100 s per 3 nm dot on the shared 2-core box)::

    OMP_NUM_THREADS=1 python benchmarks/sizing_curve.py --diameters 2.5 3.0 \
        --sets HgTe_sp3d5_soc_2nn HgTe_sp3d5_soc_2nn_fit0K HgTe_sp3d5_soc_2nn_fit300K
"""

from __future__ import annotations

import argparse
import json
import time

from qdgain.constants import HC_EV_NM
from qdgain.electronic import band_edge_states, hamiltonian
from qdgain.materials import gamma_levels, load_parameters
from qdgain.structure import Sphere, nanocrystal


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--diameters", type=float, nargs="+", default=[2.5, 3.0, 3.5])
    ap.add_argument("--sets", nargs="+", default=["HgTe_sp3d5_soc_2nn",
                                                  "HgTe_sp3d5_soc_2nn_fit0K",
                                                  "HgTe_sp3d5_soc_2nn_fit300K"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    print("| set | d (nm) | atoms | CB1−VB1 (eV) | λ (nm) | CB1−E(Γ8) | E(Γ8)−VB1 | time (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.sets:
        p = load_parameters(name)
        e8 = gamma_levels(p).e_gamma8
        for d in args.diameters:
            t0 = time.perf_counter()
            nc = nanocrystal(p, Sphere(diameter_nm=d))
            st = band_edge_states(hamiltonian(nc, p), n_vb=8, n_cb=4)
            dt = time.perf_counter() - t0
            row = {"set": name, "diameter_nm": d, "atoms": len(nc.positions_nm),
                   "gap_eV": st.gap_eV, "wavelength_nm": HC_EV_NM / st.gap_eV,
                   "cb1_minus_E8_eV": st.lumo_eV - e8, "E8_minus_vb1_eV": e8 - st.homo_eV,
                   "seconds": dt}
            print(f"| {name} | {d:.1f} | {row['atoms']} | {st.gap_eV:.3f} | "
                  f"{row['wavelength_nm']:.0f} | {row['cb1_minus_E8_eV']:.3f} | "
                  f"{row['E8_minus_vb1_eV']:.3f} | {dt:.0f} |", flush=True)
            if args.json:
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
