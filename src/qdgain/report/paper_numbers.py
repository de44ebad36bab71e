"""Every number of SPEC.md (and the paper's headline numbers), with where ours comes from.

Each :class:`PaperNumber` names the paper's value (a number or a ``(low, high)`` range), its unit,
the SPEC section, and ``ours = "stage:key"``: the scalar a pipeline stage records in its
``summary.json``. ``kind`` says what the comparison means:

- ``"computed"`` — our number is the output of a calculation or an analysis;
- ``"input"`` — the paper's number is a setting we use as an input (shown so the reader sees it
  was used, and checked: the stage records the value it actually used);
- ``"reference"`` — a published check on one of our inputs (e.g. the public TB set's bulk gap).

The table in the report and README is generated from this list; nothing here is a result.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PaperNumber", "PAPER_NUMBERS"]


@dataclass(frozen=True, slots=True)
class PaperNumber:
    """One number of SPEC.md / the paper and the key of our matching result.

    Parameters
    ----------
    key : str
        Unique identifier of the row.
    quantity : str
        What the number is, in words.
    paper : float or (float, float)
        The paper's value, or a range ``(low, high)``.
    unit : str
        Unit of both values (``"1"`` for dimensionless).
    section : str
        SPEC.md section(s) that state it (``"paper"`` when only the paper states it).
    ours : str
        ``"stage:key"`` of the scalar in that stage's ``summary.json``.
    kind : str
        ``"computed"``, ``"input"`` or ``"reference"``.
    note : str
        Short remark shown in the table.
    """

    key: str
    quantity: str
    paper: float | tuple[float, float]
    unit: str
    section: str
    ours: str
    kind: str = "computed"
    note: str = ""


P = PaperNumber
PAPER_NUMBERS: tuple[PaperNumber, ...] = (
    # §1 the system
    P("a", "HgTe lattice constant", 0.646, "nm", "1", "tb_sphere:lattice_constant_nm", "input",
      "6.46 Å"),
    P("d_range", "dot diameter studied", (3.0, 4.0), "nm", "1", "tb_sphere:diameter_nm", "input"),
    P("gap", "band gap of the dots (X1, CI)", 1.0, "eV", "1", "excitons:X1_eV"),
    P("emission", "emission wavelength (X1)", (1100.0, 1600.0), "nm", "1", "excitons:X1_nm"),
    P("inv_2level", "2-level inversion threshold ⟨N⟩", 4 / 3, "1", "1, 5",
      "gain_model:N_th_2level", note="mean occupation, g_e = 2, g_h = 4"),
    # §2 electronic structure
    P("d_ref", "reference sphere diameter", 3.5, "nm", "2", "tb_sphere:diameter_nm", "input"),
    P("gap_inv_0K", "bulk E(Γ6) − E(Γ8), 0 K", -0.30, "eV", "2", "bulk:G6_minus_G8_eV",
      "reference", "public set"),
    P("gap_inv_300K", "bulk E(Γ6) − E(Γ8), 300 K", -0.15, "eV", "2",
      "bulk:G6_minus_G8_300K_eV", "reference", "300 K fitted set"),
    P("so_split", "bulk spin–orbit splitting Δ", (1.0, 1.08), "eV", "2", "bulk:spin_orbit_eV",
      "reference"),
    P("set_gap", "public set: E(Γ6) − E(Γ8)", -0.319, "eV", "2", "bulk:G6_minus_G8_eV",
      "reference", "our bulk code on the public set"),
    P("set_so", "public set: Δ", 1.007, "eV", "2", "bulk:spin_orbit_eV", "reference"),
    P("m_set", "public set: light conduction mass", 0.041, "m0", "2", "bulk:m_c_me",
      "reference"),
    P("m_target", "target light conduction mass (fitted set)", 0.028, "m0", "2",
      "bulk:m_c_fit_me", "reference", "our fitted set"),
    P("spin_orbitals", "spin-orbitals per atom of the public set", 18, "1", "2",
      "tb_sphere:spin_orbitals_per_atom", "input", "sp3d5 with spin"),
    P("deg_cb1", "CB1 degeneracy (3.5 nm sphere)", 2, "1", "2", "tb_sphere:deg_CB1"),
    P("deg_vb1", "VB1 degeneracy", 4, "1", "2", "tb_sphere:deg_VB1"),
    P("deg_vb2", "VB2 degeneracy", 4, "1", "2", "tb_sphere:deg_VB2"),
    P("deg_x1", "X1 degeneracy", 8, "1", "2", "excitons:deg_X1"),
    P("deg_x2", "X2 degeneracy", 8, "1", "2", "excitons:deg_X2"),
    P("x2_x1", "X2 − X1 (CI)", 54.0, "meV", "2", "excitons:X2_minus_X1_meV"),
    P("f_ratio", "oscillator strength f(X2)/f(X1)", 10.0, "1", "2", "excitons:f_ratio"),
    P("n_tce", "solvent index (TCE)", 1.50, "1", "2", "excitons:n_solvent", "input"),
    P("broad", "Gaussian broadening", 35.0, "meV", "2", "excitons:broadening_meV", "input"),
    P("temp", "temperature of the Boltzmann populations", 300.0, "K", "2",
      "excitons:temperature_K", "input"),
    P("ib_ratio", "hole / electron intraband σ, last 0.1 eV below X1", 10.0, "1",
      "2", "intraband:hole_over_electron_near",
      note="paper: hole intraband 'much stronger (up to 1 order of magnitude)'"),
    P("tau_rad", "radiative lifetime (PL: 35 and 75 ns)", (35.0, 75.0), "ns", "2",
      "excitons:tau_rad_ns"),
    P("eps_in", "ε_in of the 3.5 nm dot (TB, static field)", 6.8, "1", "2",
      "dielectric:eps_in"),
    # §3 transient absorption and gain
    P("pump_fs", "pump pulse (IRF FWHM)", 200.0, "fs", "3", "simulate:irf_fwhm_fs", "input"),
    P("pump_nm", "pump wavelength", 700.0, "nm", "3", "simulate:pump_wavelength_nm", "input"),
    P("probe_lo", "probe range, short end", 450.0, "nm", "3", "simulate:probe_min_nm", "input"),
    P("probe_hi", "probe range, long end", 1620.0, "nm", "3", "simulate:probe_max_nm", "input"),
    P("delay_max", "longest delay", 2500.0, "ps", "3", "simulate:delay_max_ps", "input"),
    P("od", "OD at the first exciton", 0.1, "OD", "3", "simulate:A0_first_exciton", "input"),
    P("N_lo", "lowest ⟨N⟩ of the fluence series", 0.006, "1", "3", "simulate:N_min", "input"),
    P("N_hi", "highest ⟨N⟩ of the fluence series (> 1)", 1.2, "1", "3", "simulate:N_max",
      "input"),
    P("vqd_err", "relative error of ⟨N⟩ from V_QD", 0.32, "1", "3",
      "calibration:N_relative_error", note="3.5 ± 0.3 nm TEM distribution propagated"),
    P("ph_per_mW", "absorbed photons per dot per mW", 0.31, "1/mW", "3",
      "calibration:photons_per_dot_per_mW"),
    P("mu_i", "intrinsic absorption μ_i at 400 nm (paper)", 4.84e5, "cm^-1", "3",
      "calibration:mu_i_used_cm", "input", "default = paper's value"),
    P("mu_palik", "μ_i from Palik ε(400 nm)", (2.4e5, 3.0e5), "cm^-1", "3",
      "calibration:mu_i_palik_cm"),
    P("palik_e1", "Palik ε1 at 400 nm (n = 2.601, k = 1.796)", 3.54, "1", "3",
      "calibration:palik_eps1"),
    P("palik_e2", "Palik ε2 at 400 nm", 9.34, "1", "3", "calibration:palik_eps2"),
    P("mu_lhuillier", "μ_i from Lhuillier σ_Hg = 2.6e-17 cm² (415 nm)", 3.9e5, "cm^-1", "3",
      "calibration:mu_i_lhuillier_cm"),
    P("f_film", "volume fraction of a close-packed film", (0.2, 0.3), "1", "3",
      "calibration:f_film", "input"),
    P("delay_late", "threshold delay (single exciton)", 2500.0, "ps", "3",
      "ta_gain:delay_late_ps", "input"),
    P("delay_early", "threshold delay (multi-exciton)", 10.0, "ps", "3", "ta_gain:delay_early_ps",
      "input"),
    P("nth_min", "minimum gain threshold ⟨N⟩_th", 0.005, "1", "1, 3", "ta_gain:N_th_min"),
    P("nth_wl", "wavelength of the minimum threshold", 1500.0, "nm", "3",
      "ta_gain:N_th_min_wavelength_nm"),
    P("band_N", "⟨N⟩ of the gain-band measurement", 0.3, "1", "3", "ta_gain:band_N", "input",
      "nearest ⟨N⟩ of the series"),
    P("band_lo", "gain band at ⟨N⟩ = 0.3, short end", 1290.0, "nm", "3", "ta_gain:band_lo_nm"),
    P("band_hi", "gain band at ⟨N⟩ = 0.3, long end", 1510.0, "nm", "3", "ta_gain:band_hi_nm"),
    P("band_O", "telecom O band", (1260.0, 1360.0), "nm", "3", "calibration:band_O_nm", "input"),
    P("band_E", "telecom E band", (1360.0, 1460.0), "nm", "3", "calibration:band_E_nm", "input"),
    P("band_S", "telecom S band", (1460.0, 1530.0), "nm", "3", "calibration:band_S_nm", "input"),
    P("band_C", "telecom C band", (1530.0, 1565.0), "nm", "3", "calibration:band_C_nm", "input"),
    P("band_L", "telecom L band", (1565.0, 1625.0), "nm", "3", "calibration:band_L_nm", "input"),
    P("g_film", "film material gain, max over O–L at ⟨N⟩ = 0.3", 100.0, "cm^-1", "paper",
      "material_gain:film_gain_max_cm", note="Fig. 6: ≈ 100 cm⁻¹ across O–L; f_film = 0.25"),
    # §4 kinetics (fits of the simulated TA data)
    P("t_cool", "carrier cooling", 1.5, "ps", "4", "kinetics:tau_cooling_ps"),
    P("t_auger", "biexciton Auger", 51.0, "ps", "4", "kinetics:tau_auger_ps",
      note="fluence-series model fitted to the whole series"),
    P("t_charged", "charged-dot recombination", 10.0, "ps", "4", "kinetics:tau_charged_ps",
      note="fast component of a biexponential A(t) at 1340 nm, highest ⟨N⟩ (as SI Fig. 2)"),
    P("t_mx", "multi-exciton gain lifetime at ⟨N⟩ = 1.2", 93.0, "ps", "4",
      "kinetics:tau_mx_gain_ps"),
    P("t_x2x1", "X2 → X1 hole relaxation", 700.0, "ps", "4", "kinetics:tau_x2x1_ps"),
    P("t_pl_fast", "fast PL component", (700.0, 1100.0), "ps", "4", "kinetics:tau_x2x1_ps",
      note="same process as X2 → X1"),
    P("t_gain", "single-exciton gain lifetime (2.5 ns window)", 34.0, "ns", "1, 4",
      "ta_gain:tau_gain_ns"),
    P("x2_x1_fit", "X2 − X1 from decomposing the bleach (Fig. S5)", 76.0, "meV", "paper",
      "kinetics:X2_minus_X1_fit_meV"),
    # §5 population model
    P("excited_fraction", "excited fraction after Auger at ⟨N⟩ = 0.3 (1 − e^−⟨N⟩)",
      0.2592, "1", "5", "gain_model:excited_fraction_N0.3"),
    P("nth_3level", "3-level threshold σ_loss/(σ_loss + σ_gain)", 0.005, "1", "5",
      "gain_model:N_th_3level_min", note="≪ 1; paper's measured minimum shown"),
    P("dc_tau", "DC electrical pumping needs gain lifetime", 100.0, "ns", "5",
      "ta_gain:tau_gain_ns", "reference", "ours: our gain lifetime"),
)
