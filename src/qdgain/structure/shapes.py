"""Nanocrystal shapes as vectorised predicates on positions (Kwant-style ``shape(pos) -> bool``).

Every shape is centred on the origin; :func:`qdgain.structure.nanocrystal` places the origin on the
chosen centre (cation, anion or interstitial site) before masking. A shape needs two things:
``contains(positions_nm) -> bool (N,)`` and ``bounding_radius_nm`` (how large a bulk block to cut).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qdgain.errors import ParameterError, UserCodeError

__all__ = ["Sphere", "Tetrahedron", "Cube", "CustomShape", "Shape", "TETRAHEDRON_NORMALS"]

#: outward face normals of the tetrahedron (the four cation→anion bond directions, unnormalised)
TETRAHEDRON_NORMALS = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float)

# numerical slack (nm) so that atoms lying exactly on a face are kept on every platform
_EDGE_SLACK_NM = 1e-9


def _positive(name: str, value: float | None) -> float:
    if value is None or not np.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a finite number > 0 nm, got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Sphere:
    """Sphere of diameter ``diameter_nm`` (nm): |r| ≤ d/2."""

    diameter_nm: float = 3.5

    def __post_init__(self) -> None:
        _positive("Sphere.diameter_nm", self.diameter_nm)

    @property
    def bounding_radius_nm(self) -> float:
        """Radius (nm) of a sphere that encloses the shape."""
        return 0.5 * self.diameter_nm

    @property
    def volume_nm3(self) -> float:
        """Geometric volume (nm³): V = π d³ / 6."""
        return math.pi * self.diameter_nm**3 / 6.0

    def contains(self, positions_nm: np.ndarray) -> np.ndarray:
        """Boolean mask (N,) of the positions (N, 3), nm, inside the sphere."""
        r2 = np.einsum("ij,ij->i", positions_nm, positions_nm)
        return r2 <= (0.5 * self.diameter_nm + _EDGE_SLACK_NM) ** 2


@dataclass(frozen=True, slots=True)
class Tetrahedron:
    """Regular tetrahedron with {111} faces, centroid at the origin.

    Give either ``edge_nm`` (nm) or ``equal_volume_diameter_nm`` (nm, the diameter of the sphere of
    the same volume: V = L³ / (6√2) = π d³ / 6, so L = d (√2 π)^(1/3)). The outward face normals
    are the cation→anion bond directions ⟨111⟩, so a cation-centred tetrahedron has faces normal to
    the bonds that point from the core cations to the surface anions.
    """

    edge_nm: float | None = None
    equal_volume_diameter_nm: float | None = None

    def __post_init__(self) -> None:
        if (self.edge_nm is None) == (self.equal_volume_diameter_nm is None):
            raise ParameterError(
                "Tetrahedron: give exactly one of edge_nm or equal_volume_diameter_nm "
                f"(got edge_nm={self.edge_nm!r}, "
                f"equal_volume_diameter_nm={self.equal_volume_diameter_nm!r})"
            )
        if self.edge_nm is not None:
            _positive("Tetrahedron.edge_nm", self.edge_nm)
        else:
            _positive("Tetrahedron.equal_volume_diameter_nm", self.equal_volume_diameter_nm)

    @property
    def edge(self) -> float:
        """Edge length L (nm)."""
        if self.edge_nm is not None:
            return float(self.edge_nm)
        return float(self.equal_volume_diameter_nm) * (math.sqrt(2.0) * math.pi) ** (1.0 / 3.0)

    @property
    def bounding_radius_nm(self) -> float:
        """Circumradius (nm): L √6 / 4."""
        return self.edge * math.sqrt(6.0) / 4.0

    @property
    def volume_nm3(self) -> float:
        """Geometric volume (nm³): L³ / (6√2)."""
        return self.edge**3 / (6.0 * math.sqrt(2.0))

    def contains(self, positions_nm: np.ndarray) -> np.ndarray:
        """Mask (N,): n̂_f · r ≤ r_in for the four faces f, inradius r_in = L / (2√6)."""
        normals = TETRAHEDRON_NORMALS / math.sqrt(3.0)
        r_in = self.edge / (2.0 * math.sqrt(6.0))
        return np.all(positions_nm @ normals.T <= r_in + _EDGE_SLACK_NM, axis=1)


@dataclass(frozen=True, slots=True)
class Cube:
    """Cube of edge ``edge_nm`` (nm) with {100} faces: max(|x|, |y|, |z|) ≤ L/2."""

    edge_nm: float = 3.0

    def __post_init__(self) -> None:
        _positive("Cube.edge_nm", self.edge_nm)

    @property
    def bounding_radius_nm(self) -> float:
        """Half the body diagonal (nm): L √3 / 2."""
        return self.edge_nm * math.sqrt(3.0) / 2.0

    @property
    def volume_nm3(self) -> float:
        """Geometric volume (nm³): L³."""
        return self.edge_nm**3

    def contains(self, positions_nm: np.ndarray) -> np.ndarray:
        """Mask (N,) of the positions (N, 3), nm, inside the cube."""
        return np.all(np.abs(positions_nm) <= 0.5 * self.edge_nm + _EDGE_SLACK_NM, axis=1)


@dataclass(frozen=True, slots=True)
class CustomShape:
    """A user predicate ``predicate(positions_nm (N,3)) -> bool (N,)`` inside a bounding sphere.

    Parameters
    ----------
    predicate : callable
        Vectorised test on positions in nm (centre at the origin).
    bounding_radius_nm : float
        Radius (nm) of a sphere around the origin that encloses the shape.
    """

    predicate: Callable[[np.ndarray], np.ndarray]
    bounding_radius_nm: float

    def __post_init__(self) -> None:
        _positive("CustomShape.bounding_radius_nm", self.bounding_radius_nm)

    def contains(self, positions_nm: np.ndarray) -> np.ndarray:
        """Call the user predicate; wrap its failures in :class:`UserCodeError`."""
        try:
            mask = np.asarray(self.predicate(positions_nm))
        except Exception as exc:  # noqa: BLE001 - user code, re-raised with context
            raise UserCodeError(f"shape predicate {self.predicate!r} raised: {exc}") from exc
        if mask.shape != (len(positions_nm),) or mask.dtype != bool:
            raise UserCodeError(
                f"shape predicate {self.predicate!r} must return a bool array of shape "
                f"({len(positions_nm)},), got dtype {mask.dtype} shape {mask.shape}"
            )
        return mask


Shape = Sphere | Tetrahedron | Cube | CustomShape
