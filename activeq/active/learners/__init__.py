"""The learners of activeq's active Markov games (each implements :class:`activeq.active.Learner`)."""

from .fictitious import WindowedFictitiousPlay
from .fixed import FixedPolicy
from .lola import LOLA
from .naive import NaiveLearner, SampledNaiveLearner, probs_to_logits
from .qpersona import QPersona, StateQPersona
from .reactive import TitForTat, WinStayLoseShift
from .reinforce import ReinforcePeer

__all__ = ["FixedPolicy", "NaiveLearner", "SampledNaiveLearner", "LOLA", "QPersona", "WindowedFictitiousPlay",
           "TitForTat", "WinStayLoseShift", "probs_to_logits", "StateQPersona", "ReinforcePeer"]
