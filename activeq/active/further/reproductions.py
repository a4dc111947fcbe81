"""The original FURTHER experiments as ready-made batched matches (used by tests, analysis and benchmarks).

Each builder returns a :class:`~activeq.active.further.runner.Match` for ``num_seeds`` independent seeds; call
``.run(steps)``. Defaults are the original settings; the CI-sized tests and full-scale analysis pass ``steps``.

Q-persona step size: the original updates its persona by SGD with learning rate 0.5 on the *mean squared* TD error,
whose gradient is 2 (Q(a) - y), so each update moves Q(a) all the way to y = r + 0.9 max Q (a step size of 1.0 in
``QPersona``'s convention Q(a) += lr (y - Q(a))). ``q_lr=1.0`` reproduces the original; ``q_lr=0.5`` is the
literal reading of "lr 0.5".
"""

from __future__ import annotations

from typing import Callable

from ..._checks import SeedLike, as_generator
from ...games import NormalFormGame
from ..learners import NaiveLearner, QPersona
from .agent import FurtherAgent, FurtherConfig, LiliAgent
from .runner import Match


def bach_or_stravinsky() -> NormalFormGame:
    return NormalFormGame.bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]], name="bach_or_stravinsky",
                                   action_names=[["bach", "stravinsky"], ["bach", "stravinsky"]])


def cooperative() -> NormalFormGame:
    return NormalFormGame.bimatrix([[4, 0], [0, 8]], [[4, 0], [0, 8]], name="cooperative")


def matching_pennies() -> NormalFormGame:
    return NormalFormGame.zero_sum([[1, -1], [-1, 1]], name="matching_pennies")


def prisoners_dilemma() -> NormalFormGame:
    """T=5, R=3, P=1, S=0 (mutual defection pays 1 each, mutual cooperation 3)."""
    return NormalFormGame.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], name="prisoners_dilemma",
                                   action_names=[["cooperate", "defect"], ["cooperate", "defect"]])


def _seeds(seed: SeedLike, k: int) -> list[int]:
    rng = as_generator(seed)
    return [int(x) for x in rng.integers(0, 2**31, size=k)]


def bos_vs_q_persona(num_seeds: int = 10, *, seed: SeedLike = 0, config: FurtherConfig | None = None,
                     q_lr: float = 1.0) -> Match:
    """Iterated Bach or Stravinsky: FURTHER (row) vs the tabular Q persona (column, initial Q [10, 20])."""
    s_agent, s_match = _seeds(seed, 2)
    game = bach_or_stravinsky()
    agent = FurtherAgent(5, (2, 2), player=0, num_seeds=num_seeds, seed=s_agent,
                         config=config or FurtherConfig.preset("bach_or_stravinsky"))
    persona = QPersona(initial_q=(10.0, 20.0), epsilon=0.05, discount=0.9, lr=q_lr)
    return Match(game, [agent, persona], num_seeds=num_seeds, seed=s_match)


def cooperative_further_vs_further(num_seeds: int = 10, *, seed: SeedLike = 0,
                                   config: FurtherConfig | None = None) -> Match:
    """Iterated cooperative game [4, 0; 0, 8]: two FURTHER agents learning together."""
    s0, s1, sm = _seeds(seed, 3)
    cfg = config or FurtherConfig.preset("cooperative")
    agents = [FurtherAgent(5, (2, 2), player=i, num_seeds=num_seeds, seed=s, config=cfg)
              for i, s in enumerate((s0, s1))]
    return Match(cooperative(), agents, num_seeds=num_seeds, seed=sm)


def matching_pennies_further_vs_lili(num_seeds: int = 10, *, seed: SeedLike = 0, config: FurtherConfig | None = None,
                                     lili_config: FurtherConfig | None = None) -> Match:
    """Iterated matching pennies: FURTHER (row, wins on a match) vs LILI (column).

    Both agents get the same config, so they differ only in the critic target: r - rho + V (FURTHER) vs
    r + 0.99 V (LILI). In this zero-sum game the learned gain rho is ~0, which makes the two targets nearly equal.
    Measured (10 seeds, seed 0): FURTHER's mean running reward is -0.006 +- 0.003 at 10,000 steps. Both policies
    settle near the uniform Nash policy within ~5,000 steps, and the decoder's probability of the other agent's
    actual action falls to ~0.505. The running reward is decided by the early transient, and the sign of that
    transient differs from seed to seed. Lower entropy (0.1) leads to sharper, cycling policies but no advantage
    (-0.001 +- 0.019 at 12,000 steps), and neither does a more myopic LILI (discount 0.9: -0.012 +- 0.006 at
    4,000 steps). The paper's claim (FURTHER > 0) does not hold in this implementation.

    ``lili_config`` (default: ``config``) lets LILI differ from FURTHER, e.g. in ``discount``, for such diagnostics.
    """
    s0, s1, sm = _seeds(seed, 3)
    cfg = config or FurtherConfig.preset("matching_pennies")
    agents = [FurtherAgent(5, (2, 2), player=0, num_seeds=num_seeds, seed=s0, config=cfg),
              LiliAgent(5, (2, 2), player=1, num_seeds=num_seeds, seed=s1, config=lili_config or cfg)]
    return Match(matching_pennies(), agents, num_seeds=num_seeds, seed=sm)


def pd_vs_naive(num_seeds: int = 10, *, seed: SeedLike = 0, config: FurtherConfig | None = None,
                naive_lr: float = 1.0, naive_discount: float = 0.96) -> Match:
    """Iterated prisoner's dilemma: FURTHER (row) vs an exact-gradient naive learner (column).

    Why FURTHER cannot shape this learner: ``NaiveLearner.update`` reads only the other agent's *policy table*
    (``Transition.policies``). It never looks at the sampled actions. FURTHER's actor and critic credit
    *actions*, Q(s, z, a_peer, a), but a FURTHER action has no effect on the naive learner's next parameters. So
    shaping is invisible to FURTHER's learning signal, and FURTHER learns the stage best response, defection.
    Measured (4 seeds): the per-step learner (lr 1.0) defects at every state ~150 updates after its warm-up ends,
    and FURTHER follows (~0.9-1.0). A naive learner that updates once per 150-step episode drifts to defection more
    slowly but the same way (FURTHER 0.99 at 8,000 steps). The same happens with a naive learner that learns from its
    own samples (``SampledNaiveLearner``: 0.98 at 4,000 steps). In all three, FURTHER's policy never becomes
    state-dependent (no tit-for-tat).
    """
    s_agent, s_match = _seeds(seed, 2)
    agent = FurtherAgent(5, (2, 2), player=0, num_seeds=num_seeds, seed=s_agent,
                         config=config or FurtherConfig.preset("bach_or_stravinsky"))
    naive = NaiveLearner(lr=naive_lr, discount=naive_discount)
    return Match(prisoners_dilemma(), [agent, naive], num_seeds=num_seeds, seed=s_match)


EXPERIMENTS: dict[str, Callable[..., Match]] = {
    "bos_vs_q_persona": bos_vs_q_persona,
    "cooperative_further_vs_further": cooperative_further_vs_further,
    "matching_pennies_further_vs_lili": matching_pennies_further_vs_lili,
    "pd_vs_naive": pd_vs_naive,
}
