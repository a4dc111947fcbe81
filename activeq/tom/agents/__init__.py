"""Agents probed against partners: scripted references (oracle, best response to own predictions, "predicts well,
acts at random"), a tabular model-based learner, and LLMs through a backend and a prompt style."""

from .base import Agent, Decision, Episode, Player
from .llm import LLMAgent
from .model_based import ModelBased
from .scripted import BestResponder, Oracle, PredictsWell

__all__ = ["Agent", "Decision", "Episode", "Player", "Oracle", "BestResponder", "PredictsWell", "ModelBased",
           "LLMAgent"]
