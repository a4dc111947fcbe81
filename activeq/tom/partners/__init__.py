"""Partners for repeated-game probes: finite automata (one per file) and learning partners from ``activeq.active``.

The agent is the row player, the partner the column player. Every partner binds to a game and exposes its actual
policy (state, action distribution, next state) to the exact oracle.
"""

from .base import Automaton, BoundPartner, FiniteAutomaton, Partner, bind_partner
from .cycle import Cycle, cycle
from .learning import LearnerPartner, fictitious_play, q_learner
from .single import SingleAction, single_action
from .spec import parse_partner
from .stochastic import Mixed, Noisy, mixed, noisy
from .tit_for_tat import TitForTat, tit_for_tat

__all__ = ["Automaton", "BoundPartner", "FiniteAutomaton", "Partner", "bind_partner", "single_action",
           "tit_for_tat", "cycle", "mixed", "noisy", "fictitious_play", "q_learner", "LearnerPartner",
           "parse_partner", "SingleAction", "TitForTat", "Cycle", "Mixed", "Noisy"]
