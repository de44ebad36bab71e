"""Tight-binding parameter sets: loading, validation, flat naming, atomic saving.

A set is stored as JSON with its source, units and energy reference (``materials/data``). In
memory it is a frozen :class:`TBParameters` whose numbers live in one flat mapping ``values``
with self-describing names, which the fitter uses to address single parameters:

=========================  ===================================================================
``onsite.Hg.s``            on-site energy of the Hg ``s`` shell (shells ``s``, ``p``, ``d``, ``s*``)
``nn1.Hg-Te.sp_sigma``     1st-neighbour two-centre integral, first letter = cation orbital,
                           second = anion orbital (``sp_sigma`` = <Hg s|H|Te p> along Hg->Te)
``nn2.Hg-Hg.pd_pi``        2nd-neighbour integral between two atoms of the same species
``soc.Hg.p``               spin-orbit constant lambda of a shell, H_SO = lambda L.sigma
=========================  ===================================================================

Every integral allowed by the basis must be present and numeric: the loader never substitutes
0 (a missing entry raises :class:`~qdgain.errors.ParameterError` naming set, field and shell).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qdgain._io import atomic_write_text
from qdgain.errors import FormatError, ParameterError

__all__ = [
    "TBParameters",
    "load_parameters",
    "list_parameter_sets",
    "save_parameters",
    "required_integrals",
    "renamed",
    "shells_of",
    "ORBITAL_SHELL",
    "DEFAULT_SET",
]

DEFAULT_SET = "HgTe_sp3d5_soc_2nn"

#: shell (angular-momentum label) of every supported orbital name
ORBITAL_SHELL: Mapping[str, str] = MappingProxyType({
    "s": "s", "px": "p", "py": "p", "pz": "p",
    "dxy": "d", "dyz": "d", "dzx": "d", "dx2-y2": "d", "dz2": "d", "s*": "s*",
})
_SHELL_ORDER = ("s", "p", "d", "s*")
_SHELL_L = {"s": 0, "p": 1, "d": 2, "s*": 0}
_MCOMP = {0: ("sigma",), 1: ("sigma", "pi"), 2: ("sigma", "pi", "delta")}
#: material name -> default set, for ``load_parameters("HgTe")``
_ALIASES = {
    "HgTe": DEFAULT_SET,
    "GaAs": "GaAs_vogl1983_sp3sstar",
    "GaAs_vogl": "GaAs_vogl1983_sp3sstar",
    "GaAs_klimeck": "GaAs_klimeck2000_sp3sstar_so",
    "CdTe": "CdTe_sp3d5_soc_2nn_fit0K",
}
_SHELL_RE = re.compile(r"s\*|s|p|d")
#: provenance keys kept at the top level of a file; all others live under "provenance"
_TOP_LEVEL_PROVENANCE = ("units", "energy_reference", "bulk_checks_reported", "_note")


@dataclass(frozen=True, slots=True)
class TBParameters:
    """One tight-binding parameter set (energies in eV, lengths in nm).

    Attributes
    ----------
    name : str
        Set name (file stem or set id).
    source : str
        Literature or repository source of the numbers.
    lattice_constant_nm : float
        Cubic lattice constant a of the zincblende crystal, nm.
    cation, anion : str
        Species names (cation at (0,0,0), anion at a(1/4,1/4,1/4)).
    orbitals : tuple of str
        Orbital names in basis order, e.g. ``("s","px","py","pz","s*")``.
    n_orbitals : int
        ``len(orbitals)`` (spin not counted).
    max_shell : int
        Highest neighbour shell with hoppings (1 or 2).
    n_electrons : int
        Electrons per primitive cell (two atoms) that fill the bulk bands.
    values : Mapping[str, float]
        Every number of the set under its flat name (module docstring).
    provenance : Mapping[str, Any]
        Units, energy reference, fit history; free-form, written back on save.
    """

    name: str
    source: str
    lattice_constant_nm: float
    cation: str
    anion: str
    orbitals: tuple[str, ...]
    n_orbitals: int
    max_shell: int
    n_electrons: int
    values: Mapping[str, float]
    provenance: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def species(self) -> tuple[str, str]:
        """(cation, anion)."""
        return (self.cation, self.anion)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """All flat parameter names, sorted."""
        return tuple(sorted(self.values))

    def value(self, key: str) -> float:
        """Number stored under the flat name ``key`` (ParameterError if unknown)."""
        try:
            return self.values[key]
        except KeyError:
            raise ParameterError(
                f"set {self.name!r}: no parameter {key!r}; known names look like "
                f"{', '.join(self.parameter_names[:4])}, ... (see `qdgain params list --names`)"
            ) from None

    def with_values(self, updates: Mapping[str, float], *, name: str | None = None,
                    provenance: Mapping[str, Any] | None = None) -> TBParameters:
        """Copy of the set with some values replaced (names must exist)."""
        new = dict(self.values)
        for key, val in updates.items():
            self.value(key)
            new[key] = float(val)
        prov = dict(self.provenance) if provenance is None else dict(provenance)
        return TBParameters(
            name=self.name if name is None else name, source=self.source,
            lattice_constant_nm=self.lattice_constant_nm, cation=self.cation, anion=self.anion,
            orbitals=self.orbitals, n_orbitals=self.n_orbitals, max_shell=self.max_shell,
            n_electrons=self.n_electrons, values=MappingProxyType(new),
            provenance=MappingProxyType(prov))


def renamed(params: TBParameters, *, cation: str | None = None, anion: str | None = None,
            lattice_constant_nm: float | None = None, name: str | None = None) -> TBParameters:
    """Copy of a set with other species names and/or lattice constant (e.g. a fit start for a
    related material); every value keeps its meaning under the new names."""
    cat, an = cation or params.cation, anion or params.anion
    if cat == an:
        raise ParameterError(f"cation and anion must differ, got {cat!r} twice")
    a_nm = params.lattice_constant_nm if lattice_constant_nm is None else lattice_constant_nm
    if not a_nm > 0:
        raise ParameterError(f"lattice constant must be > 0 nm, got {a_nm}")
    table = {params.cation: cat, params.anion: an}

    def rename_key(key: str) -> str:
        kind, who, what = key.split(".", 2)
        who = "-".join(table[w] for w in who.split("-"))
        return f"{kind}.{who}.{what}"

    return TBParameters(
        name=name or params.name, source=params.source, lattice_constant_nm=float(a_nm),
        cation=cat, anion=an, orbitals=params.orbitals, n_orbitals=params.n_orbitals,
        max_shell=params.max_shell, n_electrons=params.n_electrons,
        values=MappingProxyType({rename_key(k): v for k, v in params.values.items()}),
        provenance=params.provenance)


def shells_of(orbitals: tuple[str, ...]) -> tuple[str, ...]:
    """Shells present in an orbital basis, in the order s, p, d, s*."""
    present = {ORBITAL_SHELL[o] for o in orbitals}
    return tuple(s for s in _SHELL_ORDER if s in present)


def _integral_names(sa: str, sb: str) -> list[str]:
    lmin = min(_SHELL_L[sa], _SHELL_L[sb])
    return [f"{sa}{sb}_{m}" for m in _MCOMP[lmin]]


def required_integrals(orbitals: tuple[str, ...], same_species: bool) -> tuple[str, ...]:
    """Two-centre integral names a basis needs for one neighbour shell.

    Between different species every ordered shell pair (``sp`` and ``ps``) is independent; between
    equal species ``sp = ps`` by symmetry, so only unordered pairs (``sa`` before ``sb`` in the
    order s, p, d, s*) are stored.
    """
    shells = shells_of(orbitals)
    names: list[str] = []
    for i, sa in enumerate(shells):
        for j, sb in enumerate(shells):
            if same_species and j < i:
                continue
            names += _integral_names(sa, sb)
    return tuple(names)


def parse_integral(name: str) -> tuple[str, str, str]:
    """Split ``"s*p_sigma"`` into ``("s*", "p", "sigma")``."""
    pair, _, comp = name.partition("_")
    shells = _SHELL_RE.findall(pair)
    if len(shells) != 2 or "".join(shells) != pair or comp not in ("sigma", "pi", "delta"):
        raise ParameterError(f"not a two-centre integral name: {name!r} (expected e.g. 'sp_sigma')")
    return shells[0], shells[1], comp


def _number(set_name: str, field_name: str, where: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ParameterError(
            f"set {set_name!r}: field {field_name!r} ({where}) is {raw!r}, not a finite number; "
            f"fix the parameter file")
    return float(raw)


def _section(set_name: str, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    sec = data.get(key)
    if not isinstance(sec, Mapping):
        raise ParameterError(f"set {set_name!r}: missing section {key!r} ({where}); "
                             f"add it to the parameter file")
    return sec


def _from_native(data: Mapping[str, Any], name: str) -> TBParameters:
    """Build a set from the native layout (that of ``HgTe_sp3d5_soc_2nn.json``)."""
    lat = _section(name, data, "lattice", "lattice block")
    cat, an = str(lat.get("cation", "")), str(lat.get("anion", ""))
    if not cat or not an or cat == an:
        raise ParameterError(f"set {name!r}: lattice needs distinct 'cation' and 'anion' names")
    a_nm = _number(name, "a_angstrom", "lattice", lat.get("a_angstrom")) / 10.0
    orbitals = tuple(data.get("orbitals", ()))
    bad = [o for o in orbitals if o not in ORBITAL_SHELL]
    if not orbitals or bad:
        raise ParameterError(f"set {name!r}: orbitals {list(orbitals)} contain unknown names {bad};"
                             f" allowed: {list(ORBITAL_SHELL)}")
    if "n_electrons" not in data:
        raise ParameterError(f"set {name!r}: missing 'n_electrons' (electrons per primitive cell)")
    n_el = int(_number(name, "n_electrons", "cell", data["n_electrons"]))
    shells = shells_of(orbitals)
    values: dict[str, float] = {}
    onsite = _section(name, data, "onsite", "on-site energies")
    for sp in (cat, an):
        block = _section(name, onsite, sp, f"on-site energies of {sp}")
        for sh in shells:
            if sh not in block:
                raise ParameterError(f"set {name!r}: missing field {sh!r} (on-site energy of {sp})")
            values[f"onsite.{sp}.{sh}"] = _number(name, sh, f"on-site {sp}", block[sh])
    nn1 = _section(name, data, f"first_neighbour_{cat}_{an}", f"{cat}-{an} 1st neighbours")
    for key in required_integrals(orbitals, same_species=False):
        if key not in nn1:
            raise ParameterError(f"set {name!r}: missing field {key!r} ({cat}-{an} 1st neighbours)")
        values[f"nn1.{cat}-{an}.{key}"] = _number(name, key, f"{cat}-{an} 1st neighbours", nn1[key])
    max_shell = 1
    if "second_neighbour" in data:
        max_shell = 2
        nn2 = _section(name, data, "second_neighbour", "2nd neighbours")
        for sp in (cat, an):
            block = _section(name, nn2, f"{sp}_{sp}", f"{sp}-{sp} 2nd neighbours")
            for key in required_integrals(orbitals, same_species=True):
                if key not in block:
                    raise ParameterError(
                        f"set {name!r}: missing field {key!r} ({sp}-{sp} 2nd neighbours)")
                values[f"nn2.{sp}-{sp}.{key}"] = _number(name, key, f"{sp}-{sp} 2nd neighbours",
                                                         block[key])
    soc = _section(name, data, "spin_orbit", "spin-orbit constants")
    for sp in (cat, an):
        block = _section(name, soc, sp, f"spin-orbit of {sp}")
        for sh in (s for s in shells if _SHELL_L[s] > 0):
            if sh not in block:
                raise ParameterError(f"set {name!r}: missing field {sh!r} (spin-orbit of {sp})")
            values[f"soc.{sp}.{sh}"] = _number(name, sh, f"spin-orbit {sp}", block[sh])
    prov = {k: data[k] for k in _TOP_LEVEL_PROVENANCE if k in data}
    extra = data.get("provenance", {})
    if isinstance(extra, Mapping):
        prov.update(extra)
    return TBParameters(
        name=name, source=str(data.get("source", "")), lattice_constant_nm=a_nm, cation=cat,
        anion=an, orbitals=orbitals, n_orbitals=len(orbitals), max_shell=max_shell,
        n_electrons=n_el, values=MappingProxyType(values), provenance=MappingProxyType(prov))


def to_native(params: TBParameters) -> dict[str, Any]:
    """Native JSON layout of a set (inverse of the loader)."""
    cat, an = params.cation, params.anion
    v = params.values

    def pick(prefix: str) -> dict[str, float]:
        return {k[len(prefix):]: val for k, val in v.items() if k.startswith(prefix)}

    out: dict[str, Any] = {
        "name": params.name,
        "source": params.source,
        "units": params.provenance.get("units", "eV (energies and two-centre integrals); "
                                                "lattice constant in angstrom"),
        "lattice": {"structure": "zincblende", "a_angstrom": params.lattice_constant_nm * 10.0,
                    "cation": cat, "anion": an,
                    "cation_site": [0, 0, 0], "anion_site": [0.25, 0.25, 0.25]},
        "orbitals": list(params.orbitals),
        "n_electrons": params.n_electrons,
        "onsite": {sp: pick(f"onsite.{sp}.") for sp in (cat, an)},
        f"first_neighbour_{cat}_{an}": {
            "_convention": f"first letter = {cat} orbital, second = {an} orbital "
                           f"(sp_sigma = <{cat} s|H|{an} p> along {cat}->{an})",
            **pick(f"nn1.{cat}-{an}.")},
    }
    if params.max_shell >= 2:
        out["second_neighbour"] = {f"{sp}_{sp}": pick(f"nn2.{sp}-{sp}.") for sp in (cat, an)}
        out["second_neighbour"]["_convention"] = "same-species pairs: sp = ps, sd = ds, pd = dp"
    out["spin_orbit"] = {"_convention": "H_SO = lambda L.sigma with Pauli sigma",
                         **{sp: pick(f"soc.{sp}.") for sp in (cat, an)}}
    for k in ("energy_reference", "bulk_checks_reported"):
        if k in params.provenance:
            out[k] = params.provenance[k]
    rest = {k: v for k, v in params.provenance.items() if k not in _TOP_LEVEL_PROVENANCE}
    if rest:
        out["provenance"] = rest
    return out


def _data_dir() -> Path:
    return Path(str(resources.files("qdgain.materials") / "data"))


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise FileNotFoundError(f"parameter file not found: {path}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg}", str(path), exc.lineno) from None


def _vogl_sets() -> dict[str, Mapping[str, Any]]:
    from qdgain.materials.vogl import vogl_sets

    return vogl_sets(_read_json(_data_dir() / "GaAs_validation_sets.json"))


def list_parameter_sets() -> dict[str, str]:
    """Names of the shipped sets mapped to their source line."""
    out: dict[str, str] = {}
    for p in sorted(_data_dir().glob("*.json")):
        data = _read_json(p)
        if isinstance(data, Mapping) and "onsite" in data:
            out[p.stem] = str(data.get("source", ""))
    for key, data in _vogl_sets().items():
        out[key] = str(data.get("source", ""))
    return out


def load_parameters(name_or_path: str | os.PathLike[str] = DEFAULT_SET) -> TBParameters:
    """Load and validate a tight-binding parameter set.

    Parameters
    ----------
    name_or_path : str or path
        A shipped set name (``qdgain params list``), a material alias (``"HgTe"``, ``"GaAs"``), or a
        path to a JSON file in the native layout.

    Returns
    -------
    TBParameters
        Frozen set; energies eV, lattice constant nm.

    Raises
    ------
    ParameterError
        Unknown name, or a missing / non-numeric field (the message names set, field and shell).
    FormatError
        The file is not valid JSON.
    """
    key = str(name_or_path)
    key = _ALIASES.get(key, key)
    path = Path(key)
    if path.suffix.lower() == ".json" or path.is_file():
        data = _read_json(path)
        if not isinstance(data, Mapping):
            raise FormatError("top level must be a JSON object", str(path), 1)
        return _from_native(data, path.stem)
    shipped = _data_dir() / f"{key}.json"
    if shipped.exists():
        return _from_native(_read_json(shipped), key)
    vogl = _vogl_sets()
    for vid, data in vogl.items():
        if key in (vid, "validation_" + vid):
            return _from_native(data, vid)
    raise ParameterError(f"unknown parameter set {key!r}; shipped sets: "
                         f"{', '.join(list_parameter_sets())} (or give a path to a .json file)")


def save_parameters(params: TBParameters, path: str | os.PathLike[str], *,
                    overwrite: bool = False) -> Path:
    """Write a set atomically (temp file + ``os.replace``) in the native JSON layout.

    Parameters
    ----------
    params : TBParameters
        Set to write.
    path : str or path
        Destination ``.json`` file.
    overwrite : bool
        Refuse to replace an existing file unless True (start sets are never overwritten).
    """
    dest = Path(path)
    if dest.suffix.lower() != ".json":
        raise ParameterError(f"parameter files are JSON: give a path ending in .json, not {dest}")
    if dest.exists() and not overwrite:
        raise ParameterError(f"{dest} exists; choose another --out name (start sets are never "
                             f"overwritten)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(dest, json.dumps(to_native(params), indent=1) + "\n")
