"""Calibration functions against values computed by hand from SPEC numbers (arithmetic shown)."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.calibration import (
    PAPER_MU_I_400_CM,
    band_overlap_nm,
    dielectric_from_nk,
    dot_volume_cm3,
    film_material_gain_cm,
    fluence_uJ_cm2,
    intrinsic_absorption_cm,
    intrinsic_absorption_sources,
    intrinsic_gain_cm,
    local_field_factor,
    mean_excitons,
    mean_excitons_from_power,
    photons_per_cm2_from_fluence,
    pulse_energy_uJ,
    pump_cross_section_cm2,
    pump_photons_per_cm2,
    spot_area_cm2,
    telecom_bands,
    volume_fraction,
)
from qdgain.errors import ParameterError

# Hand values are rounded to 5 significant digits, so rel=1e-4 is the comparison tolerance.
REL = 1e-4


def test_pulse_energy():
    # 1 mW / 1000 Hz = 1e-3 J/s / 1e3 /s = 1e-6 J = 1 µJ
    assert pulse_energy_uJ(1.0, 1000.0) == pytest.approx(1.0, rel=1e-12)


def test_spot_areas_and_conventions():
    # 1/e² diameter 200 µm -> w = 100 µm = 0.01 cm; peak area π w²/2 = 1.5708e-4 cm²
    assert spot_area_cm2(200.0, "gaussian-1/e2", "peak") == pytest.approx(1.5708e-4, rel=REL)
    # average fluence area = π w² = 3.1416e-4 cm² (= 2 × peak area)
    assert spot_area_cm2(200.0, "gaussian-1/e2", "average") == pytest.approx(3.1416e-4, rel=REL)
    # the same beam described by its FWHM = w √(2 ln 2) = 117.741 µm gives the same area
    fwhm = 100.0 * np.sqrt(2 * np.log(2))
    assert spot_area_cm2(fwhm, "gaussian-fwhm") == pytest.approx(1.5708e-4, rel=REL)
    # top-hat D = 200 µm: π (0.02 cm)²/4 = 3.1416e-4 cm², peak = average
    assert spot_area_cm2(200.0, "top-hat", "peak") == pytest.approx(3.1416e-4, rel=REL)
    assert spot_area_cm2(200.0, "top-hat", "average") == spot_area_cm2(200.0, "top-hat", "peak")
    # 1 µJ on the 1/e² peak area: 1 / 1.5708e-4 = 6366.2 µJ cm⁻²
    assert fluence_uJ_cm2(1.0, 200.0, "gaussian-1/e2") == pytest.approx(6366.2, rel=REL)


def test_photons_and_mean_excitons_by_hand():
    # hc/λ at 700 nm = 6.62607015e-34 × 299792458 / 700e-9 = 2.8378e-19 J
    # 1 µJ cm⁻² = 1e-6 J cm⁻² -> 1e-6 / 2.8378e-19 = 3.5239e12 photons cm⁻²
    assert photons_per_cm2_from_fluence(1.0, 700.0) == pytest.approx(3.5239e12, rel=REL)
    # power route: 1 mW @ 1 kHz = 1 µJ on a 200 µm top-hat: 1/3.1416e-4 = 3183.1 µJ cm⁻²
    # -> 3183.1 × 3.5239e12 = 1.1217e16 photons cm⁻²
    j = pump_photons_per_cm2(wavelength_nm=700.0, spot_diameter_um=200.0, profile="top-hat",
                             average_power_mW=1.0, repetition_rate_Hz=1000.0)
    assert j == pytest.approx(1.1217e16, rel=REL)
    # V(3.5 nm) = π (3.5e-7 cm)³ / 6 = π × 4.2875e-20 / 6 = 2.2449e-20 cm³
    assert dot_volume_cm3(3.5) == pytest.approx(2.2449e-20, rel=REL)
    # σ_pump = V μ_i A_pump/A_400 = 2.2449e-20 × 4.84e5 × (0.1/1.0) = 1.0865e-15 cm²
    sig = pump_cross_section_cm2(3.5, 4.84e5, 0.1, 1.0)
    assert sig == pytest.approx(1.0865e-15, rel=REL)
    # ⟨N⟩ = J σ (1-e^{-αL})/(αL), J = 1e14, αL = ln10 × 0.1 = 0.230259:
    # (1 - 0.794328)/0.230259 = 0.89322 -> 1e14 × 1.0865e-15 × 0.89322 = 0.097048
    assert mean_excitons(1e14, sig, 0.1) == pytest.approx(0.097048, rel=REL)
    # optically thin limit: the attenuation factor -> 1
    assert mean_excitons(1e14, sig, 0.0) == pytest.approx(0.10865, rel=REL)
    # paper's setup calibration 0.31 per mW: 2 mW -> 0.62
    assert mean_excitons_from_power(2.0) == pytest.approx(0.62, rel=1e-12)


def test_mu_i_from_palik_eps_by_hand():
    # Palik HgTe at 400 nm: n = 2.601, k = 1.796 -> ε1 = n²-k² = 6.7652-3.2256 = 3.5396,
    # ε2 = 2nk = 9.3428
    eps = dielectric_from_nk(2.601, 1.796)
    assert eps.real == pytest.approx(3.5396, rel=REL)
    assert eps.imag == pytest.approx(9.3428, rel=REL)
    # TCE n_s = 1.50: f = 3×2.25/(ε + 4.5) = 6.75/(8.0396 + 9.3428i);
    # |ε+4.5|² = 64.635 + 87.288 = 151.92 -> |f|² = 45.5625/151.92 = 0.29991
    assert abs(local_field_factor(eps, 1.50)) ** 2 == pytest.approx(0.29991, rel=REL)
    # μ_i = 2π/(λ n_s) |f|² ε2 = 2π/(4e-5 cm × 1.5) × 0.29991 × 9.3428
    #     = 1.04720e5 × 2.80200 = 2.9342e5 cm⁻¹   (SPEC: Palik gives only 2.4–3.0e5)
    mu = intrinsic_absorption_cm(eps, 1.50, 400.0)
    assert mu == pytest.approx(2.9342e5, rel=REL)
    assert 2.4e5 <= mu <= 3.0e5


def test_mu_i_sources_spread():
    src = intrinsic_absorption_sources(1.50)
    assert src["paper"].mu_i_cm == PAPER_MU_I_400_CM == 4.84e5
    # Lhuillier: 2.6e-17 cm² per Hg × 4/(6.46e-8 cm)³ = 2.6e-17 × 4/2.69586e-22
    #          = 2.6e-17 × 1.48376e22 = 3.8578e5 cm⁻¹  (SPEC: ≈ 3.9e5)
    assert src["lhuillier2012"].mu_i_cm == pytest.approx(3.8578e5, rel=REL)
    assert src["palik"].ratio_to_paper == pytest.approx(2.9342e5 / 4.84e5, rel=REL)
    assert all(s.source for s in src.values())


def test_volume_fraction_and_gain_by_hand():
    # f = ln10 A400/(μ L) = 2.302585 × 1.0/(4.84e5 × 0.2) = 2.302585/96800 = 2.3787e-5
    f = volume_fraction(1.0, 4.84e5, 0.2)
    assert f == pytest.approx(2.3787e-5, rel=REL)
    # g_i = -ln10 A/(f L) with A = -0.01: 0.02302585/(2.3787e-5 × 0.2) = 4840 cm⁻¹
    # (L cancels: g_i = μ_i |A| / A400 = 4.84e5 × 0.01 = 4840)
    g = intrinsic_gain_cm(-0.01, f, 0.2)
    assert g == pytest.approx(4840.0, rel=REL)
    # film: 4840 × 0.25 = 1210 cm⁻¹
    assert film_material_gain_cm(g, 0.25) == pytest.approx(1210.0, rel=REL)


def test_telecom_bands_and_overlap_exact():
    bands = telecom_bands()
    assert list(bands) == ["O", "E", "S", "C", "L"]
    assert bands["C"] == (1530.0, 1565.0)
    # paper's gain band 1290-1510 nm: O 1360-1290 = 70, E 100, S 1510-1460 = 50, C 0, L 0
    assert band_overlap_nm(1290.0, 1510.0) == {"O": 70.0, "E": 100.0, "S": 50.0, "C": 0.0,
                                               "L": 0.0}
    assert band_overlap_nm(float("nan"), float("nan"))["O"] == 0.0


@pytest.mark.parametrize(("call", "match"), [
    (lambda: spot_area_cm2(100.0, "gauss"), "unknown spot profile"),
    (lambda: spot_area_cm2(-1.0, "top-hat"), "spot_diameter_um must be finite and > 0"),
    (lambda: spot_area_cm2(10.0, "top-hat", "mean"), "fluence must be 'peak' or 'average'"),
    (lambda: pump_photons_per_cm2(wavelength_nm=700.0, spot_diameter_um=100.0,
                                  profile="top-hat", average_power_mW=1.0),
     "give pulse_energy_uJ, or both"),
    (lambda: pump_photons_per_cm2(wavelength_nm=700.0, spot_diameter_um=100.0,
                                  profile="top-hat", pulse_energy_uJ=1.0,
                                  average_power_mW=1.0, repetition_rate_Hz=1e3), "not both"),
    (lambda: mean_excitons(1e14, 1e-15, -0.1), "absorbance_pump_od must be >= 0"),
    (lambda: film_material_gain_cm(100.0, 1.5), r"film_volume_fraction must be in \(0, 1\]"),
    (lambda: band_overlap_nm(1500.0, 1400.0), "upper 1400.0 nm < lower"),
    (lambda: local_field_factor(1.0, 0.0), "n_solvent must be > 0"),
])
def test_error_paths(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
