"""Device statistics and the lab's measurements, simulated: one DataFrame out of each call.

* :func:`switching_probability`: pulses over an amplitude x width grid, stochastic LLGS ensembles from the
  thermal equilibrium of the start well, Wilson intervals (fastspin.experiments.switching);
* :func:`write_error_rate`, :func:`escape_time`: the Fokker-Planck equation of an axial macrospin, down to
  1e-12 (fastspin.experiments.fokker_planck);
* :func:`thermal_stability`: the barrier and the thermal stability factor from the minimum-energy path or from
  dwell times (fastspin.experiments.stability);
* :func:`hysteresis_loop`, :func:`loop_switching`: quasi-static R-H, R-I and R-V loops, batched, and their
  switching fields or currents (fastspin.experiments.hysteresis);
* :func:`spectrum`, :func:`power_spectrum`, :func:`spectral_line`: power spectral densities of m(t) or of the
  voltage, with peak frequency, FWHM linewidth and power; :func:`pimm`: the ring-down after a field step
  (fastspin.experiments.spectra);
* :func:`st_fmr`, :func:`fit_lineshape`: the spin-torque diode's mixing voltage over field x frequency and its
  symmetric + antisymmetric Lorentzian fit (fastspin.experiments.stfmr).
"""

from .fokker_planck import critical_current_density, escape_time, write_error_rate
from .hysteresis import hysteresis_loop, loop_switching
from .spectra import pimm, power_spectrum, spectral_line, spectrum
from .stability import thermal_stability
from .stfmr import fit_lineshape, lineshape, st_fmr
from .switching import boltzmann_directions, switching_probability, wilson_interval

__all__ = [
    "hysteresis_loop",
    "loop_switching",
    "st_fmr",
    "fit_lineshape",
    "lineshape",
    "spectrum",
    "power_spectrum",
    "spectral_line",
    "pimm",
    "switching_probability",
    "wilson_interval",
    "boltzmann_directions",
    "write_error_rate",
    "escape_time",
    "critical_current_density",
    "thermal_stability",
]
