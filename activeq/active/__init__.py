"""Active Markov games: learners, the farsighted (limiting-policy) objective, active best responses and equilibria.

A stochastic game plus every agent's learner (parameters θ and update function U) is a Markov process over
(s_t, θ_t). Agent i's *active average reward* ρ^i is its long-run average reward under that process; an active best
response maximises ρ^i over i's meta-policy, and an active equilibrium is a profile where nobody gains more than ε.
"""

from .learner import DTYPE, Learner, LearnerBase, Params, Transition, torch_generator
from .learners import (LOLA, FixedPolicy, NaiveLearner, QPersona, SampledNaiveLearner, TitForTat,
                       WindowedFictitiousPlay, WinStayLoseShift, probs_to_logits)
from .markov_game import ActiveMarkovGame, JointState, Rollout, as_stochastic_game
from .objective import ActiveValue, active_average_reward, finite_joint_chain
from .best_response import (ActiveBestResponse, MetaPolicy, TrackingMetaPolicy, active_best_response,
                            lookahead_sweep)
from .equilibrium import ActiveEquilibrium, active_equilibrium
from .compare import Comparison, compare, demo_comparison, make_learner, policy_trajectories, trajectories_figure

__all__ = ["DTYPE", "Learner", "LearnerBase", "Params", "Transition", "torch_generator", "FixedPolicy",
           "NaiveLearner", "SampledNaiveLearner", "LOLA", "QPersona", "WindowedFictitiousPlay", "TitForTat",
           "WinStayLoseShift", "probs_to_logits", "ActiveMarkovGame", "JointState", "Rollout", "as_stochastic_game",
           "ActiveValue", "active_average_reward", "finite_joint_chain", "ActiveBestResponse", "MetaPolicy", "TrackingMetaPolicy",
           "active_best_response", "lookahead_sweep", "ActiveEquilibrium", "active_equilibrium", "Comparison",
           "compare", "demo_comparison", "make_learner", "policy_trajectories", "trajectories_figure"]

from . import further  # noqa: E402  (FURTHER / LILI agents: activeq.active.further)
from .further import FurtherAgent, LiliAgent, Match  # noqa: E402

__all__ += ["further", "FurtherAgent", "LiliAgent", "Match"]
