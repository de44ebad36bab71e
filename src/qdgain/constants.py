"""Physical constants, CODATA 2022 (pinned; the only place numeric constants live).

Values are typed here rather than taken from :mod:`scipy.constants` so that results do not change
when SciPy moves to a newer CODATA adjustment. Exact SI-defined values are marked (exact).
"""

from __future__ import annotations

import math

CODATA_YEAR = 2022

#: elementary charge [C] (exact)
E_CHARGE_C = 1.602176634e-19
#: Planck constant [J s] (exact)
H_J_S = 6.62607015e-34
#: reduced Planck constant [J s]
HBAR_J_S = H_J_S / (2.0 * 3.141592653589793)
#: reduced Planck constant [eV s]
HBAR_EV_S = HBAR_J_S / E_CHARGE_C
#: speed of light in vacuum [m/s] (exact)
C_M_S = 299792458.0
#: electron rest mass [kg]
M_E_KG = 9.1093837139e-31
#: vacuum permittivity [F/m]
EPS0_F_M = 8.8541878188e-12
#: Boltzmann constant [J/K] (exact)
K_B_J_K = 1.380649e-23
#: Boltzmann constant [eV/K]
K_B_EV_K = K_B_J_K / E_CHARGE_C
#: Bohr radius [m]
BOHR_M = 5.29177210544e-11
#: Avogadro constant [1/mol] (exact)
N_A_MOL = 6.02214076e23

#: h c [eV nm]: photon energy (eV) = HC_EV_NM / wavelength (nm)
HC_EV_NM = H_J_S * C_M_S / E_CHARGE_C * 1e9
#: e^2 / (4 pi eps0) [eV nm]: Coulomb energy of two elementary charges 1 nm apart in vacuum
COULOMB_EV_NM = E_CHARGE_C / (4.0 * 3.141592653589793 * EPS0_F_M) * 1e9
#: hbar^2 / (2 m_e) [eV nm^2]: free-electron kinetic energy prefactor
HBAR2_2M_EV_NM2 = HBAR_J_S**2 / (2.0 * M_E_KG) / E_CHARGE_C * 1e18
#: Gaussian full width at half maximum per standard deviation, 2 sqrt(2 ln 2) (dimensionless)
GAUSS_FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
#: fine-structure constant (dimensionless)
ALPHA_FS = COULOMB_EV_NM * 1e-9 * E_CHARGE_C / (HBAR_J_S * C_M_S)
