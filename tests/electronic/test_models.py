"""Named dot models (qdgain.electronic.models): default model, the old model on request, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdgain.electronic import (
    DEFAULT_SURFACE,
    SURFACES,
    band_edge_states,
    build_dot,
    dot_parameters,
    hamiltonian,
    solve_dot,
)
from qdgain.errors import ParameterError
from qdgain.materials import load_parameters
from qdgain.structure import Sphere, nanocrystal


def test_dot_parameters_and_surface_table():
    assert dot_parameters("HgTe").name == "HgTe_sp3d5_soc_2nn_fit300K"
    assert load_parameters("HgTe").name == "HgTe_sp3d5_soc_2nn"   # bulk reference unchanged
    assert dot_parameters("HgTe_sp3d5_soc_2nn").name == "HgTe_sp3d5_soc_2nn"
    p = load_parameters("CdTe")
    assert dot_parameters(p) is p and dot_parameters("CdTe").name == p.name
    assert DEFAULT_SURFACE == "no-twofold-te"
    m = SURFACES[DEFAULT_SURFACE]
    assert (m.min_anion_neighbours, m.passivation_shift_eV) == (3, math.inf)
    assert (SURFACES["hybrid20"].min_anion_neighbours,
            SURFACES["hybrid20"].passivation_shift_eV) == (2, 20.0)


def test_build_dot_is_the_layers_with_the_models_options():
    pub = load_parameters("HgTe")
    nc, H = build_dot("HgTe_sp3d5_soc_2nn", Sphere(diameter_nm=1.8), surface="hybrid20")
    nc0 = nanocrystal(pub, Sphere(diameter_nm=1.8))
    assert H.content_hash == hamiltonian(nc0, pub).content_hash   # the old layer defaults
    nc, H = build_dot("HgTe", Sphere(diameter_nm=1.8))
    assert (nc.n_atoms, H.options["parameter_set"]) == (75, "HgTe_sp3d5_soc_2nn_fit300K")
    assert H.options["passivation_shift_eV"] == math.inf
    dangling = np.bincount(nc.dangling_atom, minlength=nc.n_atoms)
    assert dangling[~nc.is_cation].max() == 1 and dangling[nc.is_cation].max() == 2


def test_old_and_new_model_gaps_small_dot():
    # 1.8 nm sphere, dense: the gaps of docs/boundary_states.md (its own dense scripts, 3
    # decimals): public set + hybrid20 0.721 eV (87 atoms); default model 2.089 eV (75 atoms,
    # table "fit300K, two-fold Te removed", projection column)
    old = solve_dot("HgTe", "sphere", 1.8, params="HgTe_sp3d5_soc_2nn", surface="hybrid20",
                    n_vb=4, n_cb=2, method="dense")
    new = solve_dot("HgTe", "sphere", 1.8, n_vb=4, n_cb=2, method="dense")
    assert old.nc.n_atoms == 87 and new.nc.n_atoms == 75
    assert old.states.gap_eV == pytest.approx(0.721, abs=1e-3)
    assert new.states.gap_eV == pytest.approx(2.089, abs=1e-3)
    assert new.summary()["surface"] == "no-twofold-te"
    assert old.summary()["surface"] == "hybrid20"
    # the projected dot solved by shift-invert agrees with dense (parked states far above)
    si = band_edge_states(new.H, n_vb=4, n_cb=2, method="shift-invert")
    np.testing.assert_allclose(si.energies_eV, new.states.energies_eV, atol=1e-8)


def test_model_errors():
    with pytest.raises(ParameterError, match="unknown surface model.*hybrid20"):
        build_dot("HgTe", Sphere(diameter_nm=1.5), surface="ligands")
    with pytest.raises(ParameterError, match="set by the surface model"):
        build_dot("HgTe", Sphere(diameter_nm=1.5), passivation_shift_eV=5.0)
