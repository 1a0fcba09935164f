"""Physics read off the transport torque and the macrospin: the zero phi_c of the torque, the stability of the
parallel (P) and antiparallel (AP) states and their critical currents.

* :mod:`~fastspin.analysis.phi_c`: :func:`find_phi_c`, the zero of ``tau_phi`` inside (0, pi) (Barnas et al.
  2005, Sec. V, Fig. 5).
* :mod:`~fastspin.analysis.stability`: :func:`collinear_prefactors` (``a``, ``b`` at 0 and pi) and
  :func:`stiffness_fields` (``H_1``, ``H_2`` of the P and AP states; Sun, Phys. Rev. B 62, 570 (2000)).
* :mod:`~fastspin.analysis.critical_currents`: :func:`critical_currents_linear` (linear stability, Sun 2000,
  Eq. 11) and :func:`critical_currents_dynamic` (the thresholds read off a dynamic state map).

Scans of these quantities (maps over grids, stored as Parquet) are in :mod:`fastspin.scan`, which builds on this
package; this package does not use the scan machinery.
"""

from .critical_currents import critical_currents_dynamic, critical_currents_linear
from .phi_c import find_phi_c
from .stability import collinear_prefactors, stiffness_fields

__all__ = [
    "collinear_prefactors",
    "critical_currents_dynamic",
    "critical_currents_linear",
    "find_phi_c",
    "stiffness_fields",
]
