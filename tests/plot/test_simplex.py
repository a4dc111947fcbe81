"""Strategy simplices: trajectories are drawn at their barycentric positions, with start/end markers and stars."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

import activeq  # noqa: E402
from activeq.errors import ArgumentError  # noqa: E402
from activeq.plot import plot_simplex_trajectories, to_cartesian  # noqa: E402


def replicator_trajectory(game: activeq.NormalFormGame, x0, y0, t_end: float, n: int = 400) -> tuple[np.ndarray, ...]:
    """Two-population replicator ODE x_i' = x_i ((A y)_i - x.A y), solved with scipy (independent of activeq)."""
    A, B = game.payoffs

    def f(_t, z):
        x, y = z[:3], z[3:]
        u, v = A @ y, B.T @ x
        return np.r_[x * (u - x @ u), y * (v - y @ v)]

    sol = solve_ivp(f, (0, t_end), np.r_[x0, y0], t_eval=np.linspace(0, t_end, n), rtol=1e-10, atol=1e-12)
    return sol.y[:3].T, sol.y[3:].T


def lines(ax, gid):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def test_to_cartesian_corners_and_centre():
    np.testing.assert_allclose(to_cartesian(np.eye(3)), [[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])
    np.testing.assert_allclose(to_cartesian(np.ones(3) / 3), [0.5, np.sqrt(3) / 6])


def test_rps_replicator_orbit_drawn_where_it_is(tmp_path):
    rps = activeq.load_game("rock_paper_scissors")
    x, y = replicator_trajectory(rps, [0.5, 0.3, 0.2], [0.3, 0.3, 0.4], 30.0)
    # zero-sum RPS: KL(uniform || x) + KL(uniform || y) is a constant of motion, so the orbit never reaches the centre
    kl = lambda p: -np.log(3 * p).mean(axis=1)  # noqa: E731
    assert np.ptp(kl(x) + kl(y)) < 1e-6
    ax = plot_simplex_trajectories({"row player": [x], "column player": [y]}, equilibria=[np.ones(3) / 3],
                                   labels=rps.action_names[0], title="RPS replicator")
    traj = lines(ax, "trajectory")
    assert len(traj) == 2
    np.testing.assert_allclose(np.c_[traj[0].get_xdata(), traj[0].get_ydata()], to_cartesian(x))
    np.testing.assert_allclose(np.c_[lines(ax, "start")[0].get_xdata(), lines(ax, "start")[0].get_ydata()],
                               to_cartesian(x[:1]))
    np.testing.assert_allclose(np.c_[lines(ax, "end")[1].get_xdata(), lines(ax, "end")[1].get_ydata()],
                               to_cartesian(y[-1:]))
    (star,) = lines(ax, "equilibrium")
    np.testing.assert_allclose([star.get_xdata()[0], star.get_ydata()[0]], [0.5, np.sqrt(3) / 6])
    assert [t.get_text() for t in ax.texts if t.get_text()] == list(rps.action_names[0])
    ax.figure.savefig(tmp_path / "rps.png", dpi=80, bbox_inches="tight")
    plt.close(ax.figure)


def test_shapley_game_replicator_spirals_out_to_the_boundary():
    """Shapley's game: the replicator orbit moves away from the interior equilibrium (Shapley 1964)."""
    game = activeq.load_game("shapley_game")
    x, y = replicator_trajectory(game, [0.36, 0.33, 0.31], [0.31, 0.36, 0.33], 60.0)
    fig, ax = plt.subplots()
    got = plot_simplex_trajectories([x], ax=ax, labels=game.action_names[0])
    assert got is ax
    centre = to_cartesian(np.ones(3) / 3)
    d = np.linalg.norm(to_cartesian(x) - centre, axis=1)
    assert d[-50:].max() > 3 * d[0]
    plt.close(fig)


def test_bad_trajectories_rejected():
    with pytest.raises(ArgumentError, match=r"shape \(T, 3\)"):
        plot_simplex_trajectories([np.ones((4, 2)) / 2])
    with pytest.raises(ArgumentError, match="probability vectors"):
        plot_simplex_trajectories([np.ones((4, 3))])
    with pytest.raises(ArgumentError, match="length 3"):
        plot_simplex_trajectories([np.ones((4, 3)) / 3], equilibria=[[0.5, 0.5]])
    plt.close("all")
