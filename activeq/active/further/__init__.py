"""FURTHER and LILI: model-free agents that infer and shape the other agent's learning (torch, batched over seeds).

- :class:`FurtherAgent`: variational inference of the other agent's changing policy (latent z) plus an
  average-reward soft actor-critic on (s, z) with a learned gain rho (differential target r - rho + V(s', z')).
- :class:`LiliAgent`: the same with a discounted target r + gamma V(s', z').
- :class:`Match`: batched training loop against each other or ``activeq.active`` learners, with checkpoint/resume.
- :class:`EnvPlayer` / :func:`play`: either agent acting in a PettingZoo ``ParallelEnv`` (``act`` / ``observe``).
- ``matches``: the original experiments (and the prisoner's dilemma vs sample learners) as ready-made matches;
  ``reproductions``: the same as trial functions for ``activeq.experiments``; ``reference``: a one-seed
  implementation.
"""

from .agent import PRESETS, FurtherAgent, FurtherConfig, LiliAgent
from .env_adapter import EnvPlayer, play
from .runner import Match, MatchResult

__all__ = ["FurtherAgent", "LiliAgent", "FurtherConfig", "PRESETS", "Match", "MatchResult", "EnvPlayer", "play"]
