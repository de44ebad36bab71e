"""ASE ``Atoms`` in and out, and ``.xyz`` export.

This is the only place where lengths change unit: qdgain works in nm, ASE and ``.xyz`` in Å
(1 nm = 10 Å).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from qdgain._io import atomic_write_text
from qdgain.errors import ParameterError
from qdgain.structure.nanocrystal import Nanocrystal, build_from_sites, resolve_material

__all__ = ["to_ase", "from_ase", "write_xyz", "ANGSTROM_PER_NM"]

#: Å per nm (definition)
ANGSTROM_PER_NM = 10.0


def to_ase(nc: Nanocrystal, with_passivants: bool = False) -> Any:
    """Convert to :class:`ase.Atoms` (positions in Å).

    Parameters
    ----------
    nc : Nanocrystal
    with_passivants : bool
        Append one H atom per dangling bond, half a bond length (a√3/8, nm) out along it — for
        display only; the Hamiltonian passivates by shifted hybrids, not by these atoms.

    Returns
    -------
    ase.Atoms
        ``info`` holds the lattice constant (nm), cation/anion and the provenance.
    """
    from ase import Atoms

    symbols = list(nc.species)
    pos_nm = np.asarray(nc.positions_nm)
    if with_passivants and len(nc.dangling_atom):
        half_bond_nm = nc.lattice_constant_nm * np.sqrt(3.0) / 8.0
        h_nm = pos_nm[nc.dangling_atom] + half_bond_nm * nc.dangling_direction
        symbols += ["H"] * len(h_nm)
        pos_nm = np.vstack([pos_nm, h_nm])
    atoms = Atoms(symbols=symbols, positions=pos_nm * ANGSTROM_PER_NM, pbc=False)
    atoms.info.update({
        "lattice_constant_nm": nc.lattice_constant_nm,
        "cation": nc.cation,
        "anion": nc.anion,
        "passivated": nc.passivated,
        **{f"provenance_{k}": v for k, v in nc.provenance.items()},
    })
    return atoms


def from_ase(atoms: Any, material_or_params: Any, passivate: bool = True) -> Nanocrystal:
    """Build a :class:`Nanocrystal` from ASE ``Atoms`` (Å) on ideal zincblende sites.

    Parameters
    ----------
    atoms : ase.Atoms
        Cation and anion atoms (any H passivants are dropped), positions in Å.
    material_or_params : str or TBParameters
        Supplies the lattice constant (nm) and species; must match the atoms.
    passivate : bool
        Passivate dangling bonds in the Hamiltonian.
    """
    params = resolve_material(material_or_params)
    symbols = np.asarray(atoms.get_chemical_symbols())
    keep = symbols != "H"
    unknown = sorted(set(symbols[keep]) - {params.cation, params.anion})
    if unknown:
        raise ParameterError(
            f"from_ase: atoms {unknown} are neither the cation {params.cation!r} nor the anion "
            f"{params.anion!r} of the parameter set; pass the matching material"
        )
    if not keep.any():
        raise ParameterError("from_ase: no cation or anion atoms in the ASE object")
    pos_nm = np.asarray(atoms.get_positions())[keep] / ANGSTROM_PER_NM
    provenance = {"builder": "qdgain.structure.from_ase",
                  "material": f"{params.cation}{params.anion}",
                  "parameter_set": str(getattr(params, "name", "")),
                  "ase_info": {k: str(v) for k, v in atoms.info.items()}}
    return build_from_sites(pos_nm, symbols[keep] == params.cation, params,
                            passivate=passivate, provenance=provenance)


def write_xyz(nc: Nanocrystal, path: str | os.PathLike[str]) -> Path:
    """Write a plain ``.xyz`` file (element, x, y, z in Å), atomically.

    Parameters
    ----------
    nc : Nanocrystal
    path : path-like
        Output file; written to a temporary file first, then renamed.
    """
    path = Path(path)
    lines = [str(nc.n_atoms),
             f"{nc.formula} zincblende a={nc.lattice_constant_nm:.5f} nm; positions in Angstrom"]
    pos = np.asarray(nc.positions_nm) * ANGSTROM_PER_NM
    lines += [f"{s:<2s} {x:14.8f} {y:14.8f} {z:14.8f}" for s, (x, y, z) in zip(nc.species, pos,
                                                                                strict=True)]
    return atomic_write_text(path, "\n".join(lines) + "\n")
