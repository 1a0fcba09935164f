"""Charge-flux equivalent circuit of a macrospin MTJ (Louis, Bradley & Tyberkevych 2025).

* :mod:`~fastspin.circuit.parameters`: the device (free layer, fixed layers, drive) shared by every model below;
* :mod:`~fastspin.circuit.variables`: ``Q``, ``Phi`` <-> ``m`` (Eqs. 28-35); :mod:`~fastspin.circuit.elements`:
  ``E``, ``V_C``, ``I_L``, ``C``, ``L``, ``Omega``, ``R_L``, ``R_C``, ``R(cos beta)``, ``I_s``, ``V_s`` (Eqs. 50-72);
* :mod:`~fastspin.circuit.integrator`: batched RK4 of the circuit equations (Eqs. 44-49);
* :mod:`~fastspin.circuit.netlist` / :mod:`~fastspin.circuit.ngspice`: SPICE netlist export and an ngspice batch runner.
"""

from .integrator import circuit_frame, simulate, trajectories
from .netlist import SpiceSettings, write_netlist
from .ngspice import NgspiceError, run_ngspice
from .parameters import EasyPlaneFreeLayer, FixedLayer, MTJCircuit, VoltageDrive
from .variables import PoleError, charge_flux_from_m, m_from_charge_flux

__all__ = [
    "EasyPlaneFreeLayer",
    "FixedLayer",
    "MTJCircuit",
    "VoltageDrive",
    "charge_flux_from_m",
    "m_from_charge_flux",
    "PoleError",
    "trajectories",
    "simulate",
    "circuit_frame",
    "SpiceSettings",
    "write_netlist",
    "run_ngspice",
    "NgspiceError",
]
