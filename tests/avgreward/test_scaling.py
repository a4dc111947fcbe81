"""Mixing times grow polynomially with size: exact times, log-log fits (CI sizes; full size in analysis/)."""

import numpy as np
import pytest

from activeq.avgreward.scaling import fit_power_law, mixing_scaling, rooms_random_walk
from activeq.errors import ArgumentError


def test_fit_power_law_recovers_exponent():
    n = np.array([3, 7, 20, 50])
    a, c, r2 = fit_power_law(n, 0.4 * n ** 1.7)
    assert a == pytest.approx(1.7) and c == pytest.approx(0.4) and r2 == pytest.approx(1.0)


def test_lazy_cycle_exponent_two():
    fit = mixing_scaling("lazy_cycle", [16, 24, 32, 48, 64])
    assert abs(fit.exponent - 2) < 0.1 and fit.r_squared > 0.99


def test_rooms_mixing_grows_polynomially():
    by_length = mixing_scaling("rooms_length", [2, 3, 4, 5], rooms=4)
    by_rooms = mixing_scaling("rooms_count", [2, 4, 9, 16], length=3)
    # random walk over cells: ~ length^2 inside rooms, growing with the number of rooms through the bottlenecks
    assert 1.5 < by_length.exponent < 2.6 and by_length.r_squared > 0.95
    assert 0.4 < by_rooms.exponent < 1.5 and by_rooms.r_squared > 0.9
    assert np.all(np.diff(by_length.times) > 0) and np.all(np.diff(by_rooms.times) > 0)
    opt = mixing_scaling("rooms_count", [2, 4, 9], chain="optimal", length=3)
    assert opt.method == "return" and opt.exponent > 0.3 and np.all(np.diff(opt.times) > 0)


def test_random_walk_chain_is_stochastic_and_plot(tmp_path):
    P = rooms_random_walk(4, 3)
    np.testing.assert_allclose(np.asarray(P.sum(axis=1)).ravel(), 1.0)
    from activeq.plot.scaling import plot_scaling

    fit = mixing_scaling("lazy_path", [8, 16, 32])
    fig = plot_scaling([fit], title="lazy path")
    out = tmp_path / "scaling.png"
    fig.savefig(out)
    assert out.stat().st_size > 1000
    csv = fit.to_csv(tmp_path / "fit.csv").read_text().splitlines()
    assert len(csv) == 4 and csv[0].startswith("family,")


def test_bad_input():
    with pytest.raises(ArgumentError, match="family"):
        mixing_scaling("torus", [2, 3])
    with pytest.raises(ArgumentError, match="two different"):
        mixing_scaling("lazy_cycle", [8, 8])
    with pytest.raises(ArgumentError, match="no policy"):
        mixing_scaling("lazy_cycle", [8, 16], chain="optimal")
    with pytest.raises(ArgumentError, match="eps"):
        mixing_scaling("lazy_cycle", [8, 16], eps=1.0)
