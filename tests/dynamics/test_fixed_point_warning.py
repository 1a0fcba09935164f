"""A deterministic run that starts exactly at a fixed point of its drive says so (it can never move)."""

import warnings

import numpy as np
import pytest

from fastspin.dynamics import FixedPointWarning, FreeLayer, Pulse, SpinTransfer, System, simulate

LAYER = FreeLayer(ms=8e5, thickness=2e-9, alpha=0.01, anisotropy_field=0.02)
RUN = dict(efficiency=0.4, duration=0.2e-9, dt=1e-12)


def _messages(**kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = simulate(LAYER, current_density=np.linspace(0, 3e11, 4), **{**RUN, **kw})
    return [str(w.message) for w in caught if issubclass(w.category, FixedPointWarning)], frame


def test_m0_along_the_polarizer_without_field_or_temperature_warns_and_stays():
    messages, frame = _messages()  # the default m0 is p = +x, the easy axis
    assert len(messages) == 1 and "Tilt m0" in messages[0]
    np.testing.assert_array_equal(frame[["mx", "my", "mz"]].to_numpy(), np.tile([1.0, 0.0, 0.0], (4, 1)))


@pytest.mark.parametrize(
    "kick",
    [
        dict(m0=(np.cos(0.1), np.sin(0.1), 0.0)),  # tilted start
        dict(field=(0.0, 0.01, 0.0)),  # transverse field
        dict(temperature=300.0, method="heun", seed=1),  # thermal kicks
    ],
    ids=["tilted", "transverse_field", "thermal"],
)
def test_a_kick_of_any_kind_gives_no_warning(kick):
    layer = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02, area=1e-15)  # an area: the thermal field needs it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = simulate(layer, current_density=np.linspace(0, 3e11, 4), **{**RUN, **kick})
    assert not [w for w in caught if issubclass(w.category, FixedPointWarning)]
    assert np.all(np.abs(frame["my"].to_numpy()) > 1e-9)  # every run left the start


def test_a_time_dependent_drive_that_moves_the_fixed_point_gives_no_warning():
    """A field pulse along y arrives later: the start is not a fixed point for the whole run."""
    free = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02, name="free")
    system = System([free], [SpinTransfer("free", polarizer=(1.0, 0.0, 0.0))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        field = Pulse((0.0, 0.02, 0.0), 0.1e-9, delay=0.05e-9)
        frame = simulate(system, field=field, m0={"free": (1.0, 0.0, 0.0)}, duration=0.2e-9, dt=1e-12)
    assert not [w for w in caught if issubclass(w.category, FixedPointWarning)]
    assert abs(frame["free.my"].iloc[0]) > 1e-6  # it moved
