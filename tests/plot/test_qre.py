"""QRE path figure: one curve per action at the given points, the Nash limit marked at the right edge."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import activeq  # noqa: E402
from activeq import nash  # noqa: E402
from activeq.errors import ArgumentError  # noqa: E402
from activeq.plot import plot_qre_path  # noqa: E402


def test_matching_pennies_variant_path_and_limit(tmp_path):
    """Asymmetric matching pennies (9 at heads-heads): the QRE path starts uniform and tends to the Nash
    equilibrium ((1/6, 5/6), (1/6, 5/6)) (each player indifferent: 9y - (1 - y) = -y + (1 - y))."""
    game = activeq.NormalFormGame.bimatrix([[9, -1], [-1, 1]], [[-9, 1], [1, -1]])
    lams = np.r_[0.0, np.geomspace(0.01, 200, 16)]
    path = [nash.qre(game, lam).strategies for lam in lams]
    rows, cols = np.array([p[0] for p in path]), np.array([p[1] for p in path])
    (eq,) = nash.solve(game)
    np.testing.assert_allclose(np.concatenate(eq.strategies), [1 / 6, 5 / 6, 1 / 6, 5 / 6], atol=1e-12)
    ax = plot_qre_path(lams, [rows, cols], action_names=game.action_names, limit=eq, title="QRE path")
    curves = [line for line in ax.get_lines() if line.get_gid() == "qre-path"]
    assert len(curves) == 4
    np.testing.assert_allclose(curves[2].get_ydata(), cols[:, 0])
    assert curves[0].get_xdata()[0] == pytest.approx(0.005)  # lambda = 0 drawn at half the smallest positive lambda
    marks = [line for line in ax.get_lines() if line.get_gid() == "nash-limit"]
    np.testing.assert_allclose([m.get_ydata()[0] for m in marks], np.concatenate(eq.strategies))
    assert all(m.get_xdata()[0] == 200 for m in marks)
    np.testing.assert_allclose(cols[-1], eq.strategies[1], atol=0.02)  # the path approaches its limit
    np.testing.assert_allclose(rows[0], [0.5, 0.5])
    ax.figure.savefig(tmp_path / "qre.png", dpi=80, bbox_inches="tight")
    plt.close(ax.figure)


def test_flat_profiles_need_num_actions():
    lams = np.array([0.0, 1.0])
    flat = np.full((2, 5), 0.5)
    flat[:, 2:] = 1 / 3
    ax = plot_qre_path(lams, flat, num_actions=(2, 3), logx=False)
    assert len([line for line in ax.get_lines() if line.get_gid() == "qre-path"]) == 5
    with pytest.raises(ArgumentError, match="num_actions"):
        plot_qre_path(lams, flat)
    with pytest.raises(ArgumentError, match="shape"):
        plot_qre_path(lams, flat, num_actions=(2, 2))
    with pytest.raises(ArgumentError, match="points"):
        plot_qre_path(lams, [np.full((3, 2), 0.5)])
    plt.close("all")


def test_a_path_object_is_accepted():
    """The shape of ``nash.qre(..., return_path=True).path``: ``lam`` (L,) and per-player ``strategies``."""
    from types import SimpleNamespace

    lam = np.array([0.0, 0.5, 1.0, 0.8, 2.0])  # a fold: lambda turns back, points stay in path order
    strategies = (np.tile([0.5, 0.5], (5, 1)), np.tile([0.2, 0.3, 0.5], (5, 1)))
    ax = plot_qre_path(SimpleNamespace(lam=lam, strategies=strategies), logx=False)
    curves = [line for line in ax.get_lines() if line.get_gid() == "qre-path"]
    assert len(curves) == 5
    np.testing.assert_array_equal(curves[0].get_xdata(), lam)
    with pytest.raises(ArgumentError, match="path object"):
        plot_qre_path(lam)
    plt.close("all")
