"""Average-reward analysis and learning: stationary laws, gain/bias, mixing times, exact MDP solvers,
scalable-MDP families.

Builds only on :mod:`activeq.games`.
"""

from .chains import (ChainStructure, GainBias, StationaryDistributions, gain_bias, recurrent_classes,
                     stationary_distribution)
from .mdp import AverageRewardSolution, SparseMDP, evaluate_policy, solve_average_reward
from .mixing import (MixingEstimate, MixingTime, SpectralGap, estimate_mixing_time, mixing_time,
                     sample_trajectories, spectral_gap)
from .mdp import policy_chain
from .scaling import ScalingFit, mixing_scaling

__all__ = ["ChainStructure", "GainBias", "StationaryDistributions", "gain_bias", "recurrent_classes",
           "stationary_distribution", "AverageRewardSolution", "SparseMDP", "evaluate_policy",
           "solve_average_reward", "MixingEstimate", "MixingTime", "SpectralGap", "estimate_mixing_time",
           "mixing_time", "sample_trajectories", "spectral_gap", "policy_chain", "ScalingFit", "mixing_scaling"]
from . import environments, learners, trials  # noqa: E402,F401  (learners, named environments, regret trials)
