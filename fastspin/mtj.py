"""Diffusive MTJ electrodes (Manchon et al. 2012): the public face of :mod:`fastspin.transport.electrode`."""

from .transport.electrode import (
    bias_coefficients,
    bias_dependence,
    closed_form_profile,
    drive_coefficients,
    effective_spin_diffusion_length,
    electrode_profile,
    electrode_stack,
    electrode_torque,
)

__all__ = [
    "bias_coefficients",
    "bias_dependence",
    "closed_form_profile",
    "drive_coefficients",
    "effective_spin_diffusion_length",
    "electrode_profile",
    "electrode_stack",
    "electrode_torque",
]
