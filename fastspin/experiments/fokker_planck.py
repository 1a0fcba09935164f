r"""Write error rate of spin-transfer-torque switching from the Fokker-Planck equation of an axial macrospin.

The device is a :class:`fastspin.dynamics.FreeLayer` with its easy axis along z, a diagonal demagnetizing
tensor with ``N_x = N_y``, an applied field ``B_z`` along z and a fixed layer ``p = p_z z`` (``p_z = +-1``):
everything is invariant under rotations about z, so the distribution of ``u = cos(theta) = m_z`` obeys a
1-D Fokker-Planck equation (Brown 1963; its use for the write error rate: Butler et al., IEEE Trans. Magn.
48, 4684 (2012)).  The equation below is derived from the same stochastic LLGS equation as fastspin's
integrators (fastspin.dynamics.core.physics, fastspin.dynamics.cpu), so the two agree.

Model
-----
Energy per unit volume over Ms (layer.py, Louis et al. 2025 Eq. 25), up to a constant::

    E(u) / (Ms V) = -B_z u - (1/2) B_eff u^2,      B_eff = B_k - mu0 Ms (N_z - N_x).                 (1)

Stochastic LLGS, Gilbert form with the torques of fastspin/conventions.py and Brown's thermal field ``h``::

    dm/dt = -gamma m x (B + h) + alpha m x dm/dt + gamma a_J m x (m x p) - gamma b_J m x p,
    <h_i(t) h_j(t')> = 2 alpha k_B T / (gamma Ms V) delta_ij delta(t - t'),                           (2)

with ``B = -d(E/(Ms V))/dm``, ``a_J = hbar eta J / (2 |e| Ms d)`` (``stt_field_tesla``) and
``b_J = r a_J`` (``r`` = ``field_like_ratio``).  The field-like term is a field ``b_J p`` along the axis.
With the Landau-Lifshitz form ``dm/dt = gamma' [T + alpha m x T]``, ``gamma' = gamma / (1 + alpha^2)``,
``T = -m x B + a_J m x (m x p) - b_J m x p``, and ``(m x (m x z))_z = -(1 - u^2)``, ``(m x z)_z = 0``,
the deterministic part of ``du/dt`` is::

    du/dt = gamma' alpha (1 - u^2) H(u),      H(u) = B_z + B_eff u + p_z (b_J - a_J / alpha).          (3)

The axial damping-like torque thus acts on ``u`` exactly as a field ``-a_J / alpha`` along p: ``H`` is the
gradient of a pseudo-energy even with current.

Fokker-Planck equation.  In the Landau-Lifshitz form the noise is ``gamma' [-m x h - alpha m x (m x h)]``:
two orthogonal tangential parts of equal size, so an isotropic tangential white noise of intensity
``gamma'^2 (1 + alpha^2) 2 alpha k_B T / (gamma Ms V)`` per direction.  Read in the Stratonovich sense (the
sense of the stochastic Heun integrator), it is Brownian motion on the unit sphere with the diffusion
constant::

    D = gamma alpha k_B T / ((1 + alpha^2) Ms V)        (1/s; D = 1 / (2 tau_N) of Brown).           (4)

Brown's equation for the density ``W(m, t)`` on the sphere is ``dW/dt = -div(v W) + D Laplacian(W)``
with the drift ``v`` of (3); for the marginal ``rho(u, t) = integral W dphi`` (the drift (3) and the
Laplacian ``d/du[(1 - u^2) d/du]`` do not depend on the azimuth phi)::

    d rho/dt = d/du { D (1 - u^2) [ d rho/du - beta H(u) rho ] },     beta = Ms V / (k_B T),         (5)

since ``gamma' alpha = D beta``.  The flux vanishes at ``u = +-1`` (the factor ``1 - u^2``; the
boundary condition of the finite volumes below).  At ``J = 0``, ``rho ~ exp(-E(u) / k_B T)`` makes the
bracket zero: the Boltzmann distribution is stationary (Brown 1963).

Start coordinate and reduced units.  ``x = s u`` with ``s = +1`` when the start well is ``u > 0`` (start
``"parallel"`` with ``p_z = +1`` or ``"antiparallel"`` with ``p_z = -1``) and ``s = -1`` otherwise, so the
start well is always around ``x = 1``::

    d rho/dt = d/dx { D (1 - x^2) [ d rho/dx - phi'(x) rho ] },
    phi(x) = beta (B_eff x^2 / 2 + H_1 x),      H_1 = s B_z + s p_z (b_J - a_J / alpha),              (6)

and with ``Delta_0 = beta B_eff / 2``, ``kappa = H_1 / B_eff``, ``t' = D t``::

    d rho/dt' = d/dx { (1 - x^2) [ d rho/dx - 2 Delta_0 (x + kappa) rho ] }.                          (7)

``exp(phi)`` is the zero-flux stationary solution of (6) (the pseudo-Boltzmann distribution, the Boltzmann
distribution at ``J = 0``); the pseudo-energy ``-phi`` has its barrier top at ``x_b = -kappa``.  The
thermal stability factor of the start well (at ``J = 0``, ``h_0 = s B_z / B_eff``) is
``delta = Delta_0 (1 + h_0)^2`` (for ``|h_0| < 1``).

Critical current.  The start pole ``x = 1`` loses stability when ``phi'(1) = beta (B_eff + H_1)`` changes
sign, i.e. when ``a_J (1/alpha - r) = B_eff + s B_z`` (start ``"parallel"``, ``s p_z = 1``) or
``a_J (1/alpha - r) = -(B_eff + s B_z)`` (``"antiparallel"``, ``s p_z = -1``)::

    J_c0 = s p_z 2 |e| alpha Ms d (B_eff + s B_z) / (hbar eta (1 - alpha r))                         (8)

(``+`` for parallel, ``-`` for antiparallel: positive currents destabilise the parallel state, as in
fastspin/conventions.py; ``B_eff + s B_z`` is the field along the start direction).

Write error rate.  The initial state is the Boltzmann distribution of the start well,
``rho_0(x) ~ exp(phi_0(x))`` for ``x > 0`` and 0 for ``x < 0`` (``phi_0``: Eq. (6) at ``J = 0``),
normalised.  A rectangular pulse of amplitude ``J`` and width ``w`` drives (6) for ``0 < t < w``; then
``relax`` seconds at ``J = 0`` follow.  The write error rate is the probability left in the start
hemisphere::

    WER = integral_0^1 rho(x, w + relax) dx,      p_switch = integral_-1^0 rho dx = 1 - WER.          (9)

(both sums are formed separately, so each is accurate when it is the small one).

Discretisation
--------------
Cells uniform in the polar angle, ``theta_k = pi k / n`` (``n`` = ``grid``, even), edges
``x_k = -cos(theta_k)``, centres ``x_i = -cos(pi (i + 1/2) / n)``: refined near the poles where the
distribution lives on the scale ``1 - x ~ 1 / Delta_0``, and one edge at the equator ``x = 0``.  The
unknowns are the cell probabilities ``P_i = rho_i V_i`` (``V_i`` the cell widths).  The flux through the
face ``g`` between cells ``g-1`` and ``g`` is the Scharfetter-Gummel (exponentially fitted) flux, exact for
a constant flux with ``phi`` linear between the centres::

    F_g = D (1 - x_g^2) / h_g [ B(-dphi_g) rho_{g-1} - B(dphi_g) rho_g ],     B(z) = z / (e^z - 1),   (10)

with ``h_g = x_g - x_{g-1}`` (centres) and ``dphi_g = phi_g - phi_{g-1}``; no flux through the poles.  So
``dP/dt = K P`` with a tridiagonal ``K`` whose columns sum to zero (probability is conserved to rounding),
whose off-diagonal entries are positive, and for which ``P_i ~ V_i exp(phi_i)`` is an exact stationary
state (``B(-z) = e^z B(z)``: detailed balance face by face); the scheme is second order in ``1/n`` while
the cell Peclet numbers ``|dphi_g|`` stay below ~2.  With the default 400 cells a WER of 1e-9 changes by
4e-4 (relative) when the grid is doubled at ``delta = 60``, ``J = 2 J_c0``; under strong drive
(``delta = 80``, ``J = 5 J_c0``: ``|dphi| ~ 6`` near the equator, exponential fitting becomes upwinding) the
change is 3e-3 and the order drops towards 1: raise ``grid`` there.

Time integration.  The current is constant during the pulse, so ``P(w) = expm(K w) P(0)``.  A spectral
decomposition of ``K`` goes through the similarity ``diag(V e^phi)^(1/2)``, whose dynamic range
(``e^(Delta_0 (1 + |kappa|)^2)``) ruins the small tails a write error rate of 1e-12 is made of.  Instead
the exponential is built from non-negative numbers only: with ``s_max >= max_i(-K_ii)``,
``N = K + s_max I >= 0`` and for ``tau = 1 / (4 s_max)``::

    expm(K tau) = e^(-s_max tau) sum_k (N tau)^k / k!     (positive terms, truncated below 1e-35),    (11)

then ``expm(K 2^j tau)`` by repeated squaring (products of non-negative matrices, each column renormalised
to its exact sum 1), and every width ``w = m tau + r`` (``0 <= r < tau``) as the product of the squares
selected by the binary digits of ``m`` and the series (11) for ``r``.  No subtraction occurs anywhere, so
small probabilities keep their relative accuracy (against 60-digit arithmetic on the same ``K``: 1e-14 for a
WER of 2e-23, 2e-11 for 2e-63 after 2^25 elementary steps); the accuracy of the write error rate is that
of the discretisation (``grid``).

Escape time
-----------
The mean first-passage time from ``x_0`` to ``x_a < x_0`` for (6) with the reflecting pole ``x = 1``
(Gardiner, Handbook of Stochastic Methods, Sec. 5.2.7)::

    T(x_0) = integral_{x_a}^{x_0} dy / (D (1 - y^2) e^{phi(y)}) integral_y^1 e^{phi(z)} dz,          (12)

averaged over the start distribution ``rho_0``::

    tau = integral_{x_a}^1 dy [integral_y^1 e^phi dz] [integral_y^1 rho_0 dz] / (D (1 - y^2) e^phi(y)). (13)

:func:`escape_time` takes ``x_a`` = the barrier top ``-kappa`` (the edge of the start well, where the drift
(3) changes sign) when ``|kappa| < 1``, else the equator.  It evaluates the discrete counterpart of (13) on
the operator ``K`` (the exact mean first-passage time of the birth-death chain: a sum over faces of the
probability above the face, times the start probability above it, over the equilibrium one-way flux
through it; crossing face ``g`` downwards is arriving in cell ``g - 1``), interpolated linearly between
the cell centres around ``x_a``; second order in ``1/n``.  For a high barrier (Laplace's method on (13))
it tends to Brown's asymptote (Brown 1963; Coffey and Kalmykov, J. Appl. Phys. 112, 121301 (2012))::

    tau ~ sqrt(pi) exp(Delta_0 (1 + kappa)^2) / (4 D Delta_0^(3/2) (1 - kappa^2)(1 + kappa))          (14)
        = tau_0 e^delta,   tau_0 = (1 + alpha^2) / (alpha gamma B_eff) sqrt(pi / delta) / 2   (kappa = 0),

the Neel-Brown relaxation time, with a relative correction ``1/delta + O(1/delta^2)`` at ``kappa = 0``.  A
trajectory at the barrier top goes on or falls back with equal
probability, so the rate of switching out of the well is ``1 / (2 tau)``: at zero current and
``w << tau``, ``p_switch ~ w / (2 tau)``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..columns import attach_units
from ..constants import GAMMA_E, K_B, MU0
from ..conventions import stt_field_tesla
from ..dynamics.layer import FreeLayer

METHODS = ("fokker_planck",)
STARTS = ("parallel", "antiparallel")
DEFAULT_GRID = 400  #: cells in the polar angle (see the module docstring for the accuracy)
_TAYLOR_STEP = 0.25  #: s_max tau of the series (11)
_AXIAL_TOLERANCE = 1e-12  #: relative size of a transverse component that still counts as "along z"


# ----------------------------------------------------------------------------------------------- inputs
#: thermal stability factors Delta_0 (barrier over k_B T) the operator resolves: exp(+-Delta) and the drift
#: rates of the cells stay finite in double precision (devices have 20-100; 1e3 is a magnet that never flips)
DELTA_RANGE = (1e-3, 1e3)


def _scalar(value, name, owner):
    arr = np.asarray(value, dtype=float)
    if arr.size != 1 or not np.isfinite(arr).all():
        raise ValueError(f"{owner}: {name} must be one finite value (one device), got {value!r}")
    return float(arr.reshape(()))


def _axis_sign(vector, name):
    """``+1`` or ``-1`` for a vector along ``+z`` or ``-z``; ``ValueError`` naming ``name`` otherwise."""
    try:
        vec = np.asarray(vector, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 3-vector along z, got {vector!r}") from exc
    if vec.shape != (3,) or not np.isfinite(vec).all() or vec[2] == 0.0:
        raise ValueError(f"{name} must be a finite 3-vector along +z or -z, got {vector!r}")
    if np.hypot(vec[0], vec[1]) > _AXIAL_TOLERANCE * abs(vec[2]):
        raise ValueError(f"{name} must be along z (axially symmetric device), got {vector!r}")
    return 1.0 if vec[2] > 0 else -1.0


def _field_z(field):
    """``B_z`` (T) of a scalar or of a 3-vector along z."""
    try:
        arr = np.asarray(field, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"field must be a scalar B_z or a 3-vector along z (T), got {field!r}") from exc
    if not np.isfinite(arr).all():
        raise ValueError(f"field must be finite, got {field!r}")
    if arr.ndim == 0:
        return float(arr)
    if arr.shape != (3,):
        raise ValueError(f"field must be a scalar B_z or a 3-vector along z (T), got shape {arr.shape}")
    if np.hypot(arr[0], arr[1]) > _AXIAL_TOLERANCE * abs(arr[2]):
        raise ValueError(f"field must be along z (axially symmetric device), got {field!r}")
    return float(arr[2])


def _axial_layer(layer):
    """``(Ms, d, alpha, B_eff)`` of an axially symmetric FreeLayer; ``ValueError`` otherwise."""
    if not isinstance(layer, FreeLayer):
        raise ValueError(f"layer must be a fastspin.dynamics.FreeLayer, got {type(layer)!r}")
    owner = layer.owner
    ms = _scalar(layer.ms, "ms", owner)
    thickness = _scalar(layer.thickness, "thickness", owner)
    alpha = _scalar(layer.alpha, "alpha", owner)
    b_k = _scalar(layer.anisotropy_field, "anisotropy_field", owner)
    axis = np.asarray(layer.easy_axis, dtype=float)
    demag = np.asarray(layer.demag, dtype=float)
    if axis.shape != (3,) or demag.shape != (3,):
        raise ValueError(f"{owner}: easy_axis and demag must be single vectors (one device)")
    if alpha <= 0.0:
        raise ValueError(f"{owner}: alpha must be > 0 (the thermal field and the damping vanish with it)")
    if b_k != 0.0 and np.hypot(axis[0], axis[1]) > _AXIAL_TOLERANCE * abs(axis[2]):
        raise ValueError(f"{owner}: easy_axis must be along z (axially symmetric device), got {tuple(axis)}")
    if abs(demag[0] - demag[1]) > _AXIAL_TOLERANCE * max(abs(demag[0]), abs(demag[1]), 1.0):
        raise ValueError(f"{owner}: demag must have N_x = N_y (axially symmetric device), got {tuple(demag)}")
    b_eff = b_k - MU0 * ms * (demag[2] - demag[0])
    if b_eff <= 0.0:
        raise ValueError(
            f"{owner}: the effective anisotropy B_eff = B_k - mu0 Ms (N_z - N_x) (anisotropy_field, ms, demag) "
            f"= {b_eff:.4g} T must be > 0 (a perpendicular easy axis, two wells at the poles)"
        )
    return ms, thickness, alpha, b_eff


class _Device:
    """Validated parameters of Eqs (3)-(8) (SI); without ``temperature`` only the deterministic ones."""

    def __init__(self, layer, *, temperature, field, polarization, efficiency, field_like_ratio, start):
        self.ms, self.thickness, self.alpha, self.b_eff = _axial_layer(layer)
        if start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {start!r}")
        self.b_z = _field_z(field)
        self.p_z = _axis_sign(polarization, "polarization")
        self.efficiency = _scalar(efficiency, "efficiency", "torque")
        self.ratio = _scalar(field_like_ratio, "field_like_ratio", "torque")
        self.start = start
        self.s = self.p_z if start == "parallel" else -self.p_z  # x = s u
        if temperature is None:
            return
        temperature = np.asarray(temperature, dtype=float)
        if temperature.ndim != 0 or not np.isfinite(temperature) or temperature <= 0:
            raise ValueError(f"temperature must be one positive value (K), got {temperature!r}")
        if layer.area is None:
            raise ValueError(f"{layer.owner}: area is needed (the volume sets the thermal energy scale)")
        self.temperature = float(temperature)
        volume = self.thickness * _scalar(layer.area, "area", layer.owner)
        self.beta = self.ms * volume / (K_B * self.temperature)  # 1/T
        self.delta_0 = 0.5 * self.beta * self.b_eff
        if not DELTA_RANGE[0] <= self.delta_0 <= DELTA_RANGE[1]:
            raise ValueError(
                f"{layer.owner}: the thermal stability factor Delta_0 = Ms V B_eff / (2 k_B T) = {self.delta_0:.3g} "
                f"(from ms, thickness, area, anisotropy_field and temperature = {self.temperature:.3g} K) is outside "
                f"the supported range [{DELTA_RANGE[0]:g}, {DELTA_RANGE[1]:g}]: the rates of Eq. (10) overflow or "
                "vanish in double precision there"
            )
        self.diffusion = GAMMA_E / ((1.0 / self.alpha + self.alpha) * self.beta)  # D of Eq. (4), 1/s, for any alpha
        h_0 = self.s * self.b_z / self.b_eff
        self.delta = self.delta_0 * (1.0 + h_0) ** 2 if abs(h_0) < 1.0 else 0.0

    def a_j(self, current_density: float) -> float:
        return stt_field_tesla(current_density, self.ms, self.thickness, self.efficiency)

    def h_1(self, current_density: float) -> float:
        """``H_1`` of Eq. (6) (T)."""
        a_j = self.a_j(current_density)
        return self.s * self.b_z + self.s * self.p_z * (self.ratio * a_j - a_j / self.alpha)

    def critical_current_density(self) -> float:
        """``J_c0`` of Eq. (8) (A/m^2), where ``B_eff + H_1(J) = 0``; ``inf`` if ``alpha r = 1``."""
        slope = self.s * self.p_z * (self.ratio - 1.0 / self.alpha) * self.a_j(1.0)  # dH_1/dJ, T m^2/A
        return -(self.b_eff + self.s * self.b_z) / slope if slope != 0.0 else np.inf


# ----------------------------------------------------------------------------------------------- operator
def _bernoulli(z):
    """``B(z) = z / (e^z - 1)`` (``B(0) = 1``), accurate for all z."""
    z = np.asarray(z, dtype=float)
    small = np.abs(z) < 1e-8
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = np.where(small, 1.0 - 0.5 * z, z / np.expm1(np.where(small, 1.0, z)))
    return np.where(np.isfinite(out), out, 0.0)


def _grid(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 8 or n % 2:
        raise ValueError(f"grid must be an even number of cells >= 8, got {n!r}")
    n = int(n)
    edges = -np.cos(np.pi * np.arange(n + 1) / n)
    edges[0], edges[-1], edges[n // 2] = -1.0, 1.0, 0.0
    centres = -np.cos(np.pi * (np.arange(n) + 0.5) / n)
    return edges, centres


class AxialFokkerPlanck:
    """The finite-volume operator ``K`` of Eq. (10) for one device, temperature and current density.

    Probabilities live on the cells of the start coordinate ``x = s cos(theta)`` (Eq. 6), ordered from
    ``x = -1`` (the far pole) to ``x = 1`` (the start pole).  Attributes: ``edges`` (n + 1), ``x`` and
    ``volumes`` (n) of the cells, ``phi`` (Eq. 6 at the centres, this current) and ``phi_0`` (at zero
    current), ``diffusion`` (D, 1/s), ``delta_0``, ``kappa``, ``delta`` (start-well barrier at zero
    current, in k_B T), ``up``/``down`` (n - 1 rates, 1/s, from cell g-1 to g and from g to g-1),
    ``loss`` (n, the total rate out of each cell, ``-K_ii``), ``start_cells`` (the start hemisphere, x > 0).
    """

    def __init__(
        self,
        layer: FreeLayer,
        *,
        temperature: float,
        current_density: float = 0.0,
        field: npt.ArrayLike = 0.0,
        polarization: npt.ArrayLike = (0, 0, 1),
        efficiency: float = 1.0,
        field_like_ratio: float = 0.0,
        start: str = "parallel",
        grid: int = DEFAULT_GRID,
    ) -> None:
        self._init(
            _Device(
                layer,
                temperature=temperature,
                field=field,
                polarization=polarization,
                efficiency=efficiency,
                field_like_ratio=field_like_ratio,
                start=start,
            ),
            current_density,
            grid,
        )

    @classmethod
    def _of(cls, device, current_density, grid):
        self = cls.__new__(cls)
        self._init(device, current_density, grid)
        return self

    def _init(self, device, current_density, grid):
        current_density = np.asarray(current_density, dtype=float)
        if current_density.ndim != 0 or not np.isfinite(current_density):
            raise ValueError(f"current_density must be one finite value (A/m^2), got {current_density!r}")
        self.device = device
        self.current_density = float(current_density)
        self.edges, self.x = _grid(grid)
        self.volumes = np.diff(self.edges)
        self.diffusion = device.diffusion
        self.delta_0 = device.delta_0
        self.delta = device.delta
        self.h_1 = device.h_1(self.current_density)
        self.kappa = self.h_1 / device.b_eff
        self.phi = device.beta * (0.5 * device.b_eff * self.x**2 + self.h_1 * self.x)
        self.phi_0 = device.beta * (0.5 * device.b_eff * self.x**2 + device.h_1(0.0) * self.x)
        self.start_cells = self.x > 0.0
        faces = self.edges[1:-1]
        h = np.diff(self.x)
        dphi = np.diff(self.phi)
        conductance = self.diffusion * (1.0 - faces**2) / h
        self.up = conductance * _bernoulli(-dphi) / self.volumes[:-1]
        self.down = conductance * _bernoulli(dphi) / self.volumes[1:]
        if not (np.all(np.isfinite(self.up)) and np.all(np.isfinite(self.down))):
            raise ValueError(
                f"the drift of Eq. (10) overflows: H_1 = {self.h_1:.3g} T (from current_density = "
                f"{self.current_density:.3g} A/m^2, efficiency, ms, thickness, field_like_ratio and field) "
                "over B_eff = "
                f"{device.b_eff:.3g} T with Delta_0 = {device.delta_0:.3g}; the rates leave double "
                "precision"
            )
        self.loss = np.zeros(len(self.x))  # -K_ii: the total rate out of each cell
        self.loss[:-1] += self.up
        self.loss[1:] += self.down

    # -- the operator
    def field(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """``H(x) = B_eff x + H_1`` (T), Eq. (3) in the start coordinate: the drift of (6) is
        ``D beta (1 - x^2) H(x)``."""
        return self.device.b_eff * np.asarray(x, dtype=float) + self.h_1

    def matrix(self) -> npt.NDArray[np.float64]:
        """``K`` as a dense (n, n) array: ``dP/dt = K P``."""
        n = len(self.x)
        k = np.diag(-self.loss)
        k[np.arange(1, n), np.arange(n - 1)] = self.up
        k[np.arange(n - 1), np.arange(1, n)] = self.down
        return k

    def apply(self, probabilities: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """``K P`` for ``P`` of shape (n,) or (n, m)."""
        p = np.asarray(probabilities, dtype=float)
        up, down = (self.up, self.down) if p.ndim == 1 else (self.up[:, None], self.down[:, None])
        out = -(self.loss if p.ndim == 1 else self.loss[:, None]) * p
        out[1:] += up * p[:-1]
        out[:-1] += down * p[1:]
        return out

    def _apply_shifted(self, p, s_max):
        """``(K + s_max I) P`` (non-negative for ``P >= 0``)."""
        up, down = (self.up, self.down) if p.ndim == 1 else (self.up[:, None], self.down[:, None])
        out = ((s_max - self.loss) if p.ndim == 1 else (s_max - self.loss)[:, None]) * p
        out[1:] += up * p[:-1]
        out[:-1] += down * p[1:]
        return out

    # -- distributions
    def _boltzmann(self, phi, mask=None):
        weight = self.volumes * np.exp(phi - (phi.max() if mask is None else phi[mask].max()))
        if mask is not None:
            weight = np.where(mask, weight, 0.0)
        return weight / weight.sum()

    def equilibrium(self) -> npt.NDArray[np.float64]:
        """Cell probabilities of the stationary state ``V_i exp(phi_i)`` of this operator (normalised)."""
        return self._boltzmann(self.phi)

    def boltzmann(self) -> npt.NDArray[np.float64]:
        """Cell probabilities of the zero-current Boltzmann distribution ``exp(-E / k_B T)`` (normalised)."""
        return self._boltzmann(self.phi_0)

    def initial(self) -> npt.NDArray[np.float64]:
        """The start distribution of Eq. (9): Boltzmann restricted to the start hemisphere, normalised."""
        return self._boltzmann(self.phi_0, self.start_cells)

    # -- time evolution
    def evolve(self, probabilities: npt.ArrayLike, times: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """``expm(K t) P`` for every ``t`` in ``times`` (s, >= 0): shape ``times.shape + P.shape``, by
        Eq. (11) and repeated squaring (non-negative arithmetic only)."""
        p0 = np.asarray(probabilities, dtype=float)
        times = np.asarray(times, dtype=float)
        if p0.shape != self.x.shape:
            raise ValueError(f"probabilities must have shape {self.x.shape}, got {p0.shape}")
        flat = times.reshape(-1)
        out = self._propagate(np.repeat(p0[:, None], len(flat), axis=1), flat)
        return out.T.reshape(times.shape + self.x.shape)

    def _propagate(self, columns, times):
        """``expm(K t_j)`` applied to column ``j`` of ``columns`` (n, m) for the times ``t_j`` (m,)."""
        if not np.isfinite(times).all() or np.any(times < 0):
            raise ValueError(f"times must be finite and >= 0, got {times!r}")
        s_max = float(self.loss.max())
        tau = _TAYLOR_STEP / s_max
        # t = m tau + r: m (a Python integer, any size) selects squares by its binary digits
        steps = [int(q) for q in np.floor(times / tau)]
        rest = np.clip(times - np.array(steps, dtype=float) * tau, 0.0, tau)
        x = self._series(np.array(columns, dtype=float), rest, s_max)
        bits = max(steps).bit_length() if steps else 0
        if bits:
            square = self._series(np.eye(len(self.x)), np.full(len(self.x), tau), s_max)
            for j in range(bits):
                selected = np.array([(m >> j) & 1 for m in steps], dtype=bool)
                if selected.any():
                    x[:, selected] = square @ x[:, selected]
                if j + 1 < bits:
                    square = square @ square
                    square /= square.sum(axis=0)
        return x

    def _series(self, p, t, s_max):
        """Eq. (11) applied to the columns of ``p`` (times ``t`` per column, ``s_max t <= 1/4``),
        columns renormalised to the sums of ``p`` (which ``expm(K t)`` conserves)."""
        z = s_max * t
        z_max = float(np.max(z, initial=0.0))
        term = p.copy()
        total = p.copy()
        k, bound = 0, z_max
        while bound >= 1e-35:  # bound = z_max^(k+1) / (k+1)!: the next term's size relative to p
            k += 1
            term = self._apply_shifted(term, s_max) * (t / k)
            total += term
            bound *= z_max / (k + 1)
        total *= np.exp(-z)
        sums = total.sum(axis=0)
        return total * np.where(sums > 0, p.sum(axis=0) / np.where(sums > 0, sums, 1.0), 1.0)

    # -- first passage
    def mean_first_passage(self, target: float | None = None) -> float:
        """Eq. (13) on the discrete operator: mean time (s) for the start distribution to reach ``x =
        target`` (default: the barrier top ``-kappa`` when ``|kappa| < 1``, else the equator)."""
        if target is None:
            target = -self.kappa if abs(self.kappa) < 1.0 else 0.0
        if not -1.0 < target < 1.0:
            raise ValueError(f"target must lie in (-1, 1), got {target!r}")
        # log of the equilibrium probability above each face g (cells g..n-1) and of its one-way flux
        log_pi = np.log(self.volumes) + self.phi
        log_above = np.logaddexp.accumulate(log_pi[::-1])[::-1][1:]
        with np.errstate(divide="ignore"):
            log_flux = log_pi[:-1] + np.log(self.up)
        start = self.initial()
        start_above = np.cumsum(start[::-1])[::-1][1:]
        with np.errstate(over="ignore"):
            terms = np.exp(log_above - log_flux) * start_above
        # crossing face g down is arriving in cell g-1: the passage time to each cell centre (0 for the
        # top cell), interpolated at the target
        times = np.append(np.cumsum(terms[::-1])[::-1], 0.0)
        return float(np.interp(target, self.x, times))


# ----------------------------------------------------------------------------------------------- public API
def _one_d(value, name, non_negative=False):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be real numbers, got {value!r}") from exc
    if arr.ndim > 1 or arr.size == 0:
        raise ValueError(f"{name} must be a scalar or a non-empty 1-D array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got {value!r}")
    if non_negative and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return np.atleast_1d(arr)


def write_error_rate(
    layer: FreeLayer,
    *,
    current_density: npt.ArrayLike,
    width: npt.ArrayLike,
    temperature: float,
    method: str = "fokker_planck",
    field: npt.ArrayLike = 0.0,
    polarization: npt.ArrayLike = (0, 0, 1),
    efficiency: float = 1.0,
    field_like_ratio: float = 0.0,
    start: str = "parallel",
    grid: int = DEFAULT_GRID,
    relax: float = 0.0,
) -> pd.DataFrame:
    """Write error rate of a rectangular current pulse, Eq. (9), from the Fokker-Planck equation (6).

    ``layer``: an axially symmetric :class:`~fastspin.dynamics.FreeLayer` (easy axis along z when
    ``anisotropy_field != 0``, ``N_x = N_y``, ``B_eff > 0``, an ``area``); ``current_density`` (A/m^2) and
    ``width`` (s, >= 0): scalars or 1-D arrays, every pair of their Cartesian product is one row (current
    major, in the order given); ``temperature`` (K, > 0); ``field``: ``B_z`` (T) or a 3-vector along z;
    ``polarization``: the fixed layer's magnetization p, along +z or -z; ``efficiency`` eta and
    ``field_like_ratio`` r of the torque ``gamma a_J m x (m x p) - gamma r a_J m x p``
    (fastspin/conventions.py); ``start``: ``"parallel"`` (m along p) or ``"antiparallel"``; ``grid``: cells
    in the polar angle (even); ``relax``: zero-current evolution (s) after the pulse before the hemisphere
    is read.  ``method``: ``"fokker_planck"``.

    Returns a DataFrame with ``current_density, width, wer, p_switch`` and ``relax``, ``delta`` (the start
    well's barrier at zero current, E_b / k_B T), ``tau_zero_current`` (:func:`escape_time` at zero current,
    s), ``critical_current_density`` (``J_c0`` of Eq. (8), A/m^2).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    device = _Device(
        layer,
        temperature=temperature,
        field=field,
        polarization=polarization,
        efficiency=efficiency,
        field_like_ratio=field_like_ratio,
        start=start,
    )
    currents = _one_d(current_density, "current_density")
    widths = _one_d(width, "width", non_negative=True)
    relax_time = np.asarray(relax, dtype=float)
    if relax_time.ndim != 0 or not np.isfinite(relax_time) or relax_time < 0:
        raise ValueError(f"relax must be one value >= 0 (s), got {relax_time!r}")
    _grid(grid)
    rest = AxialFokkerPlanck._of(device, 0.0, grid)
    wer = np.empty((len(currents), len(widths)))
    switched = np.empty_like(wer)
    for k, current in enumerate(currents):
        op = AxialFokkerPlanck._of(device, current, grid)
        p = op._propagate(np.repeat(op.initial()[:, None], len(widths), axis=1), widths)  # (n, widths)
        if relax > 0:
            p = rest._propagate(p, np.full(len(widths), float(relax)))
        # both hemispheres summed directly (positive terms): each is accurate when it is small
        wer[k] = p[op.start_cells].sum(axis=0)
        switched[k] = p[~op.start_cells].sum(axis=0)
    frame = pd.DataFrame(
        {
            "current_density": np.repeat(currents, len(widths)),
            "width": np.tile(widths, len(currents)),
            "wer": wer.reshape(-1),
            "p_switch": switched.reshape(-1),
            "relax": float(relax),
            "delta": device.delta,
            "tau_zero_current": rest.mean_first_passage(),
            "critical_current_density": device.critical_current_density(),
        }
    )
    return attach_units(frame)


def escape_time(
    layer: FreeLayer,
    *,
    temperature: float,
    current_density: npt.ArrayLike = 0.0,
    field: npt.ArrayLike = 0.0,
    polarization: npt.ArrayLike = (0, 0, 1),
    efficiency: float = 1.0,
    field_like_ratio: float = 0.0,
    start: str = "parallel",
    grid: int = DEFAULT_GRID,
) -> float | npt.NDArray[np.float64]:
    """Mean first-passage time (s) out of the start well, Eq. (13), from the operator of write_error_rate.

    Start: the Boltzmann distribution of the start well (as :func:`write_error_rate`); target: the barrier
    top ``x = -kappa`` of the pseudo-energy at this current when ``|kappa| < 1`` (the edge of the start
    well), else the equator.  For a high barrier at zero current it is the Neel-Brown time (14); the rate of
    switching out of the well is ``1 / (2 tau)``.  ``current_density`` scalar (a float is returned) or
    1-D (an array).  Keywords as :func:`write_error_rate`.
    """
    device = _Device(
        layer,
        temperature=temperature,
        field=field,
        polarization=polarization,
        efficiency=efficiency,
        field_like_ratio=field_like_ratio,
        start=start,
    )
    currents = np.asarray(current_density, dtype=float)
    if currents.ndim > 1 or not np.isfinite(currents).all():
        raise ValueError(f"current_density must be a finite scalar or 1-D array, got {current_density!r}")
    times = np.array([AxialFokkerPlanck._of(device, j, grid).mean_first_passage() for j in np.atleast_1d(currents)])
    return float(times[0]) if currents.ndim == 0 else times


def critical_current_density(
    layer: FreeLayer,
    *,
    field: npt.ArrayLike = 0.0,
    polarization: npt.ArrayLike = (0, 0, 1),
    efficiency: float = 1.0,
    field_like_ratio: float = 0.0,
    start: str = "parallel",
) -> float:
    """Deterministic threshold ``J_c0`` (A/m^2) of Eq. (8): the start pole turns unstable (the drift (3)
    at the pole changes sign).  Positive when positive currents switch this start."""
    return _Device(
        layer,
        temperature=None,
        field=field,
        polarization=polarization,
        efficiency=efficiency,
        field_like_ratio=field_like_ratio,
        start=start,
    ).critical_current_density()


__all__ = ["AxialFokkerPlanck", "critical_current_density", "escape_time", "write_error_rate"]
