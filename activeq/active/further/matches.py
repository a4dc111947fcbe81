"""The original FURTHER experiments as ready-made batched matches (used by the trials, tests, analysis, benchmarks).

Kim et al., "Influencing Long-Term Behavior in Multiagent Reinforcement Learning", NeurIPS 2022 (github.com/
dkkim93/further: ``config/ibs.yaml``, ``ic.yaml``, ``imp.yaml``). Each builder returns a
:class:`~activeq.active.further.runner.Match` for ``num_seeds`` independent seeds; call ``.run(steps)``. Defaults are
the original settings; :mod:`activeq.active.further.reproductions` wraps them as experiment trials.

``latent_source`` (every builder): ``"own"`` runs FURTHER as written; ``"peer"`` reproduces the original trainer's
wiring, in which a misspelled loop variable makes each agent encode its next acting latent from agent 1's previous
latent: agent 0's config gets ``latent_source="peer"`` and agent 1 keeps its own (which *is* agent 1's); see
:class:`~activeq.active.further.agent.FurtherConfig`.

Q-persona step size: the original updates its persona by SGD with learning rate 0.5 on the *mean squared* TD error,
whose gradient is 2 (Q(a) - y), so each update moves Q(a) all the way to y = r + 0.9 max Q (a step size of 1.0 in
``QPersona``'s convention Q(a) += lr (y - Q(a))). ``q_lr=1.0`` reproduces the original; ``q_lr=0.5`` is the
literal reading of "lr 0.5".

The prisoner's dilemma is not in the original FURTHER repository. :func:`pd_vs_learner` pits FURTHER or LILI (the
Bach-or-Stravinsky settings, the ones tuned against a sampled learner) against opponents that learn from sampled
actions and rewards: the Q persona with a Q row per state (:class:`~activeq.active.learners.StateQPersona`) or
Meta-MAPG's REINFORCE peer (:class:`~activeq.active.learners.ReinforcePeer`, the same authors' IPD opponent).

Raises :class:`activeq.errors.ArgumentError` for an unknown ``latent_source``, agent or opponent.
"""

from __future__ import annotations

from typing import Any, Callable

from ..._checks import SeedLike, as_generator, check_choice
from ...games import NormalFormGame
from ..learners import NaiveLearner, QPersona, ReinforcePeer, StateQPersona
from .agent import LATENT_SOURCES, FurtherAgent, FurtherConfig, LiliAgent
from .runner import Match

PD_AGENTS = ("further", "lili")
PD_OPPONENTS = ("q_persona", "reinforce_cooperative", "reinforce_defective")


def _wired(config: FurtherConfig, latent_source: str, player: int) -> FurtherConfig:
    """``config`` for ``player`` when ``latent_source`` feeds the encoders ("peer": agent 1's latent, as the original)."""
    check_choice(latent_source, "latent_source", LATENT_SOURCES)
    return config.replace(latent_source="peer" if latent_source == "peer" and player == 0 else "own")


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
                     q_lr: float = 1.0, latent_source: str = "own") -> Match:
    """Iterated Bach or Stravinsky: FURTHER (row) vs the tabular Q persona (column, initial Q [10, 20])."""
    s_agent, s_match = _seeds(seed, 2)
    game = bach_or_stravinsky()
    cfg = _wired(config or FurtherConfig.preset("bach_or_stravinsky"), latent_source, 0)
    agent = FurtherAgent(5, (2, 2), player=0, num_seeds=num_seeds, seed=s_agent, config=cfg)
    persona = QPersona(initial_q=(10.0, 20.0), epsilon=0.05, discount=0.9, lr=q_lr)
    return Match(game, [agent, persona], num_seeds=num_seeds, seed=s_match)


def cooperative_further_vs_further(num_seeds: int = 10, *, seed: SeedLike = 0,
                                   config: FurtherConfig | None = None, latent_source: str = "own") -> Match:
    """Iterated cooperative game [4, 0; 0, 8]: two FURTHER agents learning together."""
    s0, s1, sm = _seeds(seed, 3)
    cfg = config or FurtherConfig.preset("cooperative")
    agents = [FurtherAgent(5, (2, 2), player=i, num_seeds=num_seeds, seed=s, config=_wired(cfg, latent_source, i))
              for i, s in enumerate((s0, s1))]
    return Match(cooperative(), agents, num_seeds=num_seeds, seed=sm)


def matching_pennies_further_vs_lili(num_seeds: int = 10, *, seed: SeedLike = 0, config: FurtherConfig | None = None,
                                     lili_config: FurtherConfig | None = None, latent_source: str = "own") -> Match:
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
    agents = [FurtherAgent(5, (2, 2), player=0, num_seeds=num_seeds, seed=s0, config=_wired(cfg, latent_source, 0)),
              LiliAgent(5, (2, 2), player=1, num_seeds=num_seeds, seed=s1,
                        config=_wired(lili_config or cfg, latent_source, 1))]
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


def pd_opponent(name: str, **overrides: Any) -> Any:
    """The sample-learning prisoner's-dilemma opponent ``name`` (see :data:`PD_OPPONENTS`), with its defaults.

    ``"q_persona"``: :class:`StateQPersona` with the original persona's Q (10, 20) in every state, i.e. starting out
    preferring to defect, epsilon 0.05, discount 0.9, step 1.0 (the original's effective step).
    ``"reinforce_cooperative"`` / ``"reinforce_defective"``: :class:`ReinforcePeer` with Meta-MAPG's IPD settings
    (64 episodes of 150 steps per update, lr 1.0, discount 0.96, 7 updates).
    """
    check_choice(name, "opponent", PD_OPPONENTS)
    if name == "q_persona":
        return StateQPersona(**({"initial_q": (10.0, 20.0), "epsilon": 0.05, "discount": 0.9, "lr": 1.0}
                                | overrides))
    return ReinforcePeer(**({"persona": name.split("_", 1)[1]} | overrides))


def pd_vs_learner(num_seeds: int = 10, *, seed: SeedLike = 0, agent: str = "further", opponent: str = "q_persona",
                  config: FurtherConfig | None = None, latent_source: str = "own",
                  opponent_options: dict[str, Any] | None = None) -> Match:
    """Iterated prisoner's dilemma: FURTHER or LILI (row) vs an opponent that learns from samples (column).

    ``opponent`` is one of :data:`PD_OPPONENTS` (see :func:`pd_opponent`; ``opponent_options`` override its
    settings, e.g. fewer episodes per update for a CI-sized run). The Q persona starts learning at the agent's
    warm-up (``window`` steps), as in the original; the REINFORCE peer from step 0, so that its batches of episodes
    line up with the match's 150-step episodes.
    """
    check_choice(agent, "agent", PD_AGENTS)
    s_agent, s_match = _seeds(seed, 2)
    cls = FurtherAgent if agent == "further" else LiliAgent
    cfg = _wired(config or FurtherConfig.preset("bach_or_stravinsky"), latent_source, 0)
    row = cls(5, (2, 2), player=0, num_seeds=num_seeds, seed=s_agent, config=cfg)
    col = pd_opponent(opponent, **(opponent_options or {}))
    warmup = 0 if isinstance(col, ReinforcePeer) else None
    return Match(prisoners_dilemma(), [row, col], num_seeds=num_seeds, seed=s_match, learner_warmup=warmup,
                 episode_length=getattr(col, "episode_length", 150))


EXPERIMENTS: dict[str, Callable[..., Match]] = {
    "bos_vs_q_persona": bos_vs_q_persona,
    "cooperative_further_vs_further": cooperative_further_vs_further,
    "matching_pennies_further_vs_lili": matching_pennies_further_vs_lili,
    "pd_vs_naive": pd_vs_naive,
    "pd_vs_learner": pd_vs_learner,
}
