"""Physical constants (CODATA values from :mod:`scipy.constants`), nothing else.

All of fastspin works in SI units internally.
"""

from scipy import constants as _c

HBAR = _c.hbar  #: reduced Planck constant, J s
E_CHARGE = _c.e  #: elementary charge ``|e|``, C (positive; the electron charge is -E_CHARGE)
M_ELECTRON = _c.m_e  #: electron mass, kg
MU0 = _c.mu_0  #: vacuum permeability, T m / A
GAMMA_E = abs(_c.physical_constants["electron gyromag. ratio"][0])  #: ``|gamma_e|``, rad / (s T)
K_B = _c.k  #: Boltzmann constant, J / K
H_PLANCK = _c.h  #: Planck constant, J s
EV = _c.electron_volt  #: one electronvolt, J
