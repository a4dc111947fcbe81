"""Best-response regions: the drawn indifference lines sit at the closed-form indifference points, the best-response
polylines step there, and the equilibrium stars sit at the solver's equilibria."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import activeq  # noqa: E402
from activeq import nash  # noqa: E402
from activeq.errors import ArgumentError  # noqa: E402
from activeq.plot import best_response_regions, to_cartesian  # noqa: E402


def artists(ax, gid):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def stars(ax):
    return sorted((float(line.get_xdata()[0]), float(line.get_ydata()[0])) for line in artists(ax, "equilibrium"))


def test_bach_or_stravinsky_regions_and_equilibria(tmp_path):
    game = activeq.load_game("bach_or_stravinsky")
    ax = best_response_regions(game, nash.solve(game))
    (row_line,) = artists(ax, "row-indifference")
    (col_line,) = artists(ax, "column-indifference")
    np.testing.assert_allclose(row_line.get_ydata(), 1 / 3)  # 2 y = 1 - y
    np.testing.assert_allclose(col_line.get_xdata(), 2 / 3)  # x = 2 (1 - x)
    (row_br,) = artists(ax, "row-br")
    np.testing.assert_allclose(np.c_[row_br.get_xdata(), row_br.get_ydata()], [[0, 0], [0, 1 / 3], [1, 1 / 3], [1, 1]])
    (col_br,) = artists(ax, "column-br")
    np.testing.assert_allclose(np.c_[col_br.get_xdata(), col_br.get_ydata()], [[0, 0], [2 / 3, 0], [2 / 3, 1], [1, 1]])
    np.testing.assert_allclose(stars(ax), [(0, 0), (2 / 3, 1 / 3), (1, 1)], atol=1e-12)
    ax.figure.savefig(tmp_path / "bos_regions.png", dpi=80, bbox_inches="tight")
    assert (tmp_path / "bos_regions.png").stat().st_size > 10_000
    plt.close(ax.figure)


@pytest.mark.parametrize("seed", range(6))
def test_random_2x2_lines_at_closed_form_points_and_stars_on_both_correspondences(seed):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(2, 2, 2))
    game = activeq.NormalFormGame.bimatrix(A, B)
    eqs = nash.solve(game)
    ax = best_response_regions(game, eqs)
    y_star = (A[1, 1] - A[0, 1]) / (A[0, 0] - A[1, 0] - A[0, 1] + A[1, 1])
    x_star = (B[1, 1] - B[1, 0]) / (B[0, 0] - B[0, 1] - B[1, 0] + B[1, 1])
    rows, cols = artists(ax, "row-indifference"), artists(ax, "column-indifference")
    assert len(rows) == (0 < y_star < 1) and len(cols) == (0 < x_star < 1)
    if rows:
        np.testing.assert_allclose(rows[0].get_ydata(), y_star)
    if cols:
        np.testing.assert_allclose(cols[0].get_xdata(), x_star)
    (row_br,), (col_br,) = artists(ax, "row-br"), artists(ax, "column-br")
    row_pts = np.c_[row_br.get_xdata(), row_br.get_ydata()]
    col_pts = np.c_[col_br.get_xdata(), col_br.get_ydata()]
    for x, y in stars(ax):  # every equilibrium lies on both best-response polylines
        for pts in (row_pts, col_pts):
            assert min(_dist_to_segment(np.array([x, y]), p, q) for p, q in zip(pts[:-1], pts[1:])) < 1e-9
    assert len(stars(ax)) == len(eqs)
    plt.close(ax.figure)


def _dist_to_segment(p, a, b):
    d = b - a
    t = 0.0 if not d.any() else float(np.clip((p - a) @ d / (d @ d), 0, 1))
    return float(np.abs(a + t * d - p).max())


def test_von_stengel_3x2_envelope_and_simplex(tmp_path):
    """von Stengel (2002) 3x2 game: the column player's mix y0 = P(left) changes the row player's best response at
    1/3 and 2/3; the column player is indifferent on the line from (1,0,0) to (0,1/3,2/3)."""
    game = activeq.NormalFormGame.bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    eqs = nash.solve(game)
    ax_env, ax_sim = best_response_regions(game, eqs, title="von Stengel's 3x2 game")
    breaks = sorted(float(line.get_xdata()[0]) for line in artists(ax_env, "column-indifference"))
    np.testing.assert_allclose(breaks, [1 / 3, 2 / 3])
    (seg,) = artists(ax_sim, "row-indifference")
    ends = np.c_[seg.get_xdata(), seg.get_ydata()]
    want = to_cartesian(np.array([[1, 0, 0], [0, 1 / 3, 2 / 3]]))
    assert np.allclose(np.sort(ends, axis=0), np.sort(want, axis=0))
    # stars: the column part on the envelope panel (at the row player's payoff), the row part on the simplex
    env = stars(ax_env)
    np.testing.assert_allclose(env, sorted((float(e.strategies[1][0]), float(e.payoffs[0])) for e in eqs), atol=1e-12)
    sim = stars(ax_sim)
    np.testing.assert_allclose(sim, sorted(map(tuple, to_cartesian(np.array([e.strategies[0] for e in eqs])))),
                               atol=1e-12)
    ax_env.figure.savefig(tmp_path / "von_stengel.png", dpi=80, bbox_inches="tight")
    plt.close(ax_env.figure)


def test_2x3_uses_given_axes_and_rejects_other_shapes():
    game = activeq.NormalFormGame.bimatrix([[3, 2, 3], [3, 6, 1]], [[3, 2, 0], [3, 5, 6]])
    fig, axes = plt.subplots(1, 2)
    got = best_response_regions(game, ax=axes)
    assert got[0] is axes[0] and got[1] is axes[1]
    np.testing.assert_allclose(sorted(line.get_xdata()[0] for line in artists(axes[0], "column-indifference")),
                               [1 / 3, 2 / 3])
    with pytest.raises(ArgumentError, match="pair of Axes"):
        best_response_regions(game, ax=axes[0])
    with pytest.raises(ArgumentError, match="2x2, 2x3 or 3x2"):
        best_response_regions(activeq.load_game("rock_paper_scissors"))
    with pytest.raises(ArgumentError, match="lengths"):
        best_response_regions(activeq.load_game("chicken"), [([1, 0, 0], [1, 0])])
    plt.close("all")
