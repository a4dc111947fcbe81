"""Average-reward learners (model-based gain optimisers and baselines), environments and the regret runner.

Example::

    from activeq.avgreward.environments import ENVIRONMENTS
    from activeq.avgreward.learners import make_learner, run

    env = ENVIRONMENTS["rooms"](rooms=4, length=3)                 # 144 states (task x cell)
    res = run(make_learner("rho_on", env.num_states, env.num_actions), env, 5000, seed=0, progress=False)
    res.regret_at(5000)                                            # sum_t (g* - r_t), g* exact

Model-based: ``rho_on`` (:class:`OnPolicyRho`), ``rho_off`` (:class:`OffPolicyRho`), ``rho_pg``
(:class:`RhoPolicyGradient`), ``rho_iter`` (:class:`IterativeGain`); ``solver="fast"`` (rank-one updates) or
``"dense"`` (straightforward re-solves, identical decisions). Baselines: ``q_learning``, ``q_replay``, ``dyna_q``
(discounted), ``differential_q``, ``r_learning`` (average reward).
"""

from .base import Learner
from .baselines import DifferentialQLearning, DynaQ, QLearning, QLearningReplay, RLearning
from .environment import Environment, MDPEnvironment, SwitchingEnvironment, as_environment
from .gain import DenseChainGain, FastChainGain, make_chain_gain
from .model import TabularModel
from .model_based import IterativeGain, OffPolicyRho, OnPolicyRho, RhoPolicyGradient
from .runner import RunResult, run

LEARNERS = {cls.name: cls for cls in (OnPolicyRho, OffPolicyRho, RhoPolicyGradient, IterativeGain, QLearning,
                                      QLearningReplay, DynaQ, DifferentialQLearning, RLearning)}


def make_learner(name: str, num_states: int, num_actions: int, **kwargs) -> Learner:
    """A learner by its registered name (``LEARNERS``), e.g. ``make_learner("rho_on", S, A, solver="dense")``."""
    from ..._checks import check_choice
    check_choice(name, "name", tuple(LEARNERS))
    return LEARNERS[name](num_states, num_actions, **kwargs)


__all__ = ["Learner", "QLearning", "QLearningReplay", "DynaQ", "DifferentialQLearning", "RLearning",
           "OnPolicyRho", "OffPolicyRho", "RhoPolicyGradient", "IterativeGain", "Environment", "MDPEnvironment",
           "SwitchingEnvironment", "as_environment", "TabularModel", "DenseChainGain", "FastChainGain",
           "make_chain_gain", "RunResult", "run", "LEARNERS", "make_learner"]
