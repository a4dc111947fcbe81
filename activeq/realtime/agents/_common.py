"""What the realtime agents share: MinAtar envs behind a :class:`~activeq.realtime.env.RealtimeEnv`, the actor
networks, the input windows that train a pipelined network, episode logs and npz/JSON checkpoints.

The MinAtar games are Young & Tian, "MinAtar: An Atari-Inspired Testbed for Thorough and Reproducible Reinforcement
Learning Experiments" (2019), through the ``minatar`` package (pure numpy, 10x10 boolean frames, channels last,
``sticky_action_prob`` = probability that a frame repeats the previous frame's action). Game Boy games (the realtime
paper's Pokemon and Tetris) cannot be run here: no ROM may be shipped or downloaded.

Raises :class:`~activeq.errors.ArgumentError` / :class:`~activeq.errors.ArgumentTypeError` for bad arguments,
:class:`~activeq.errors.ExperimentError` for a checkpoint that belongs to another run, and ``ImportError`` naming the
extra to install when ``minatar`` is missing.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Sequence

import gymnasium as gym
import numpy as np
import torch

from ..._checks import check_choice, check_in_range, check_positive_int
from ...errors import ArgumentError, ArgumentTypeError, ExperimentError
from ..pipelined import SKIPS, PipelinedCNN, PipelinedMLP

GAMES = ("asterix", "breakout", "freeway", "seaquest", "space_invaders")
SCHEDULES = ("none", "sequential", "staggered", "unstaggered")
NETWORKS = ("cnn", "mlp")
DEFAULT_ACTIONS = ("noop", "repeat", "random")
EnvFn = Callable[[int], gym.Env]


# ------------------------------------------------------------------------------------------------ the environment
@dataclass
class EnvArgs:
    """The environment an agent learns in (shared by every agent's ``Args``)."""

    game: str = "breakout"
    """MinAtar game: asterix, breakout, freeway, seaquest or space_invaders (minimal action set)."""
    sticky_action_prob: float = 0.1
    """MinAtar's stochasticity: probability that a frame repeats the previous frame's action (MinAtar default 0.1)."""
    max_episode_frames: int = 10_000
    """Episodes longer than this are cut (a time limit, treated as the episode's end)."""
    schedule: str = "sequential"
    """Inference schedule of the RealtimeEnv: "sequential", "staggered", "unstaggered", or "none" (no wrapper:
    the action acts on the frame it was computed from, ordinary turn-taking RL)."""
    inference_frames: int = 1
    """Inference time tau_theta in frames (tau_m = 1 frame); for a pipelined network, the time of one tick."""
    workers: int = 0
    """Inference workers; 0 means N* = inference_frames for staggered/unstaggered and 1 for sequential."""
    default_action: str = "repeat"
    """beta, what a frame without a fresh policy action applies: "noop", "repeat" (the last applied action) or
    "random"."""

    def check(self) -> None:
        check_choice(self.game, "game", GAMES)
        check_in_range(self.sticky_action_prob, "sticky_action_prob", 0.0, 1.0)
        check_positive_int(self.max_episode_frames, "max_episode_frames")
        check_choice(self.schedule, "schedule", SCHEDULES)
        check_positive_int(self.inference_frames, "inference_frames")
        check_positive_int(self.workers, "workers", minimum=0)
        check_choice(self.default_action, "default_action", DEFAULT_ACTIONS)
        if self.schedule == "none" and self.inference_frames != 1:
            raise ArgumentError(f"inference_frames must be 1 when schedule='none' (no inference delay), "
                                f"got {self.inference_frames}")


def make_minatar(game: str, sticky_action_prob: float = 0.1, max_episode_frames: int = 10_000) -> gym.Env:
    """A MinAtar game as a gymnasium env (minimal action set, observations ``(10, 10, C)`` booleans).

    Parameters
    ----------
    game : str
        One of :data:`GAMES`.
    sticky_action_prob : float
        Probability that a frame repeats the previous frame's action.
    max_episode_frames : int
        Time limit in frames (``truncated`` when reached).

    Returns
    -------
    gymnasium.Env
    """
    check_choice(game, "game", GAMES)
    p = check_in_range(sticky_action_prob, "sticky_action_prob", 0.0, 1.0)
    cap = check_positive_int(max_episode_frames, "max_episode_frames")
    try:
        from minatar.gym import BaseEnv
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("the MinAtar agents need the `minatar` package: pip install 'activeq[test]' "
                          "(or pip install minatar)") from exc
    return gym.wrappers.TimeLimit(BaseEnv(game, use_minimal_action_set=True, sticky_action_prob=p), cap)


def wrap_realtime(env: gym.Env, args: EnvArgs, seed: int) -> gym.Env:
    """``env`` behind the realtime wrapper that ``args`` asks for (``schedule="none"``: unwrapped).

    One frame is one time unit (``tau_m = 1``); ``inference_frames`` is ``tau_theta``.

    Parameters
    ----------
    env : gymnasium.Env
    args : EnvArgs
    seed : int
        Seed of the wrapper's own randomness (jitter, a random default action).

    Returns
    -------
    gymnasium.Env
    """
    if args.schedule == "none":
        return env
    from ..env import RealtimeEnv

    workers = args.workers or (1 if args.schedule == "sequential" else args.inference_frames)
    return RealtimeEnv(env, 1.0, float(args.inference_frames), workers=workers, schedule=args.schedule,
                       default_action=args.default_action, record=False, seed=seed)


def make_env(args: EnvArgs, seed: int) -> gym.Env:
    """The MinAtar game of ``args`` behind its realtime wrapper (see :func:`wrap_realtime`)."""
    return wrap_realtime(make_minatar(args.game, args.sticky_action_prob, args.max_episode_frames), args, seed)


def obs_shape(space: gym.Space) -> tuple[int, ...]:
    """Network input shape of an observation space: images ``(H, W, C)`` become ``(C, H, W)``, vectors stay."""
    if not isinstance(space, gym.spaces.Box) or len(space.shape) not in (1, 3):
        raise ArgumentTypeError(f"the agents take a Box observation space of 1 or 3 dimensions, got {space}")
    return (space.shape[2], space.shape[0], space.shape[1]) if len(space.shape) == 3 else tuple(space.shape)


def obs_batch(observations: Sequence[Any], flatten: bool = False) -> torch.Tensor:
    """A list of env observations as one float32 batch, images channels first (or flattened for an MLP)."""
    x = torch.as_tensor(np.stack(observations), dtype=torch.float32)
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2)
    return x.reshape(x.shape[0], -1) if flatten else x.contiguous()


def env_frames(info: dict[str, Any]) -> int:
    """Frames elapsed in one ``step`` (``RealtimeEnv`` reports it; a plain env steps one frame)."""
    return int(info.get("env_steps", 1))


class VectorEnvs:
    """``num_envs`` envs played in lockstep: one batch of observations in, one action per env out, one call each.

    Counts the frames played (``info["env_steps"]`` per call, summed over envs), logs every finished episode in
    ``log`` and restarts an env when its episode ends. ``flatten`` hands an MLP its image observations flat.
    """

    def __init__(self, env_fn: EnvFn, num_envs: int, seed: int, network: str, log: EpisodeLog, frames: int = 0):
        self.envs = [env_fn(segment_seed(seed, 0, 1000 + i)) for i in range(num_envs)]
        self.n_actions = int(self.envs[0].action_space.n)
        self.shape = obs_shape(self.envs[0].observation_space)
        self.flatten = network == "mlp" and len(self.shape) == 3
        self.net_shape = (math.prod(self.shape),) if self.flatten else self.shape
        self.binary = np.dtype(self.envs[0].observation_space.dtype) in (np.dtype(bool), np.dtype(np.uint8))
        self.delay = int(getattr(self.envs[0], "delay", 0))  # the RealtimeEnv's inference delay in frames
        self.seed, self.log, self.frames = seed, log, frames
        self._obs: list[Any] = []
        self._ret = np.zeros(num_envs)
        self._len = np.zeros(num_envs, dtype=np.int64)

    def reset(self, segment: int) -> torch.Tensor:
        """Start every env afresh from a seed derived from ``(seed, segment)``; returns the first observations."""
        self._obs = [env.reset(seed=segment_seed(self.seed, segment, i))[0] for i, env in enumerate(self.envs)]
        self._ret[:], self._len[:] = 0.0, 0
        return obs_batch(self._obs, self.flatten)

    def step(self, actions: torch.Tensor, gamma: float) -> tuple[torch.Tensor, np.ndarray, np.ndarray, np.ndarray]:
        """One call of every env; returns the next observations, rewards, discounts ``gamma ** frames`` and ends."""
        n = len(self.envs)
        rew, disc, done = np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
        for j, a_j in enumerate(actions.tolist()):
            o, r, term, trunc, info = self.envs[j].step(a_j)
            f = env_frames(info)
            self.frames += f
            self._ret[j] += r
            self._len[j] += f
            rew[j], disc[j] = r, gamma ** f
            if term or trunc:
                done[j] = True
                self.log.add(self.frames, self._ret[j], self._len[j])
                self._ret[j], self._len[j] = 0.0, 0
                o, _ = self.envs[j].reset()
            self._obs[j] = o
        return obs_batch(self._obs, self.flatten), rew, disc, done


# ------------------------------------------------------------------------------------------------ networks
@dataclass
class NetArgs:
    """The acting network (shared by every agent's ``Args``)."""

    network: str = "cnn"
    """"cnn" (the MinAtar actor of the temporal-skip paper: 3 conv + 2 FC) or "mlp" (flat observations)."""
    channels: tuple[int, ...] = (16, 16, 16)
    """Convolution channels of the CNN (one layer each)."""
    hidden: tuple[int, ...] = (128,)
    """Fully connected hidden widths (after the convolutions for the CNN)."""
    skip: str = "none"
    """Temporal skip connections: "none" (delay N), "output" (every layer feeds the output; delay 2) or "all"
    (the current input feeds every layer; delay 1)."""
    history: int = 0
    """Number of past actions in the network input (history augmentation); 0 for none."""
    pipeline: bool = True
    """True: one layer per tick (delay = number of layers for skip="none"); False: the whole network in one tick."""

    def check(self) -> None:
        check_choice(self.network, "network", NETWORKS)
        check_choice(self.skip, "skip", SKIPS)
        check_positive_int(self.history, "history", minimum=0)


def build_network(net: NetArgs, shape: tuple[int, ...], n_actions: int, out_features: int):
    """The pipelined network ``net`` describes, for observations of ``shape`` (an MLP takes them flattened)."""
    if net.network == "cnn":
        if len(shape) != 3:
            raise ArgumentError(f"network='cnn' needs image observations, got shape {shape}; use network='mlp'")
        return PipelinedCNN(shape[0], shape[1], shape[2], channels=net.channels, hidden=net.hidden,
                            out_features=out_features, skip=net.skip, history=net.history, n_actions=n_actions,
                            pipeline=net.pipeline)
    return PipelinedMLP(math.prod(shape), net.hidden, out_features=out_features, skip=net.skip,
                        history=net.history, n_actions=n_actions, pipeline=net.pipeline)


# ------------------------------------------------------------------------------------------------ input windows
def gather_windows(obs: torch.Tensor, last: torch.Tensor, pos: torch.Tensor, t: torch.Tensor, b: torch.Tensor,
                   window: int, history: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The inputs a pipelined network saw up to tick ``t`` of column ``b``, zero-padded before its episode began.

    Parameters
    ----------
    obs : torch.Tensor
        ``(L, B, *obs_shape)`` latched observations, one row per tick (a ring when the buffer wraps: indices are
        taken modulo ``L``).
    last : torch.Tensor
        ``(L, B)`` the action in effect at each tick (the one submitted at the tick before; -1 at an episode's start).
    pos : torch.Tensor
        ``(L, B)`` each tick's index within its episode (0 on the first tick).
    t, b : torch.Tensor
        ``(n,)`` the ticks and columns to build windows for.
    window, history : int
        The network's ``window`` and ``history``.

    Returns
    -------
    tuple
        ``obs_window`` ``(n, window, *obs_shape)`` and ``action_window`` ``(n, window + history - 1)`` (None when
        ``history == 0``), as :meth:`~activeq.realtime.pipelined.PipelinedMLP.forward` takes them.
    """
    L = obs.shape[0]
    back = torch.arange(window - 1, -1, -1)  # how far back each window position lies
    age = pos[t, b]
    idx = (t[:, None] - back[None, :]) % L
    ok = back[None, :] <= age[:, None]
    ow = obs[idx, b[:, None]] * ok.reshape(*ok.shape, *([1] * (obs.dim() - 2))).to(obs.dtype)
    if not history:
        return ow, None
    back_a = torch.arange(window + history - 2, -1, -1)
    idx_a = (t[:, None] - back_a[None, :]) % L
    aw = torch.where(back_a[None, :] <= age[:, None], last[idx_a, b[:, None]], torch.full_like(idx_a, -1))
    return ow, aw


# ------------------------------------------------------------------------------------------------ episode logs
@dataclass
class EpisodeLog:
    """Finished episodes: the frame count when each ended, its return and its length in frames."""

    frames: list[int] = field(default_factory=list)
    returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)

    def add(self, frame: int, ret: float, length: int) -> None:
        self.frames.append(int(frame))
        self.returns.append(float(ret))
        self.lengths.append(int(length))

    def final_return(self, total_frames: int, fraction: float = 0.2) -> float:
        """Mean return of the episodes that ended in the last ``fraction`` of the frames (nan if none)."""
        lo = total_frames * (1.0 - fraction)
        r = [x for f, x in zip(self.frames, self.returns) if f > lo]
        return float(np.mean(r)) if r else float("nan")


@dataclass(frozen=True)
class TrainResult:
    """What a training run returns: its settings, every finished episode and per-update statistics.

    ``episodes`` lists the episodes that ended during training (frame at the end, return, length in frames);
    ``updates`` one dict of losses per update; ``frames`` the frames played; ``delay`` the acting network's delay
    in ticks and ``env_delay`` the realtime wrapper's inference delay in frames.
    """

    args: dict
    episodes: EpisodeLog
    updates: list[dict]
    frames: int
    delay: int
    env_delay: int
    seconds: float

    def final_return(self, fraction: float = 0.2) -> float:
        """Mean return of the episodes that ended in the last ``fraction`` of the training frames."""
        return self.episodes.final_return(self.frames, fraction)

    def to_json(self) -> dict:
        return {"args": self.args, "episodes": asdict(self.episodes), "updates": self.updates, "frames": self.frames,
                "delay": self.delay, "env_delay": self.env_delay, "seconds": self.seconds}


# ------------------------------------------------------------------------------------------------ checkpoints
def _flatten(prefix: str, obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Tensors go to ``arrays`` (returned as a reference string), everything else stays JSON."""
    if isinstance(obj, torch.Tensor):
        key = f"{prefix}"
        arrays[key] = obj.detach().cpu().numpy()
        return {"__tensor__": key, "dtype": str(obj.dtype).removeprefix("torch.")}
    if isinstance(obj, dict):
        return {"__dict__": [[_flatten(f"{prefix}/k{i}", k, arrays), _flatten(f"{prefix}/v{i}", v, arrays)]
                             for i, (k, v) in enumerate(obj.items())]}
    if isinstance(obj, (list, tuple)):
        return {"__list__": [_flatten(f"{prefix}/{i}", v, arrays) for i, v in enumerate(obj)]}
    return obj


def _unflatten(obj: Any, arrays: Any) -> Any:
    if isinstance(obj, dict) and "__tensor__" in obj:
        return torch.from_numpy(np.array(arrays[obj["__tensor__"]])).to(getattr(torch, obj["dtype"]))
    if isinstance(obj, dict) and "__dict__" in obj:
        return {_unflatten(k, arrays): _unflatten(v, arrays) for k, v in obj["__dict__"]}
    if isinstance(obj, dict) and "__list__" in obj:
        return [_unflatten(v, arrays) for v in obj["__list__"]]
    return obj


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any]) -> None:
    """Write ``state`` (nested dicts/lists of tensors and JSON values) as ``path`` (JSON) + ``path.npz``, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    meta = _flatten("s", state, arrays)
    tmp_npz = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp_npz, **arrays)
    os.replace(tmp_npz, path.with_name(path.name + ".npz"))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, path)


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The state saved by :func:`save_checkpoint` (no pickle is read), or None when there is none."""
    path = Path(path)
    if not path.exists():
        return None
    meta = json.loads(path.read_text())
    with np.load(path.with_name(path.name + ".npz"), allow_pickle=False) as arrays:
        return _unflatten(meta, arrays)


def check_resume(saved_args: dict, args: dict, path: Path) -> None:
    """A checkpoint resumes only the run it was written by."""
    diff = sorted(k for k in set(saved_args) | set(args) if k not in ("total_frames",)
                  and json.dumps(saved_args.get(k)) != json.dumps(args.get(k)))
    if diff:
        raise ExperimentError(f"checkpoint {path} belongs to a different run (differs in {', '.join(diff)})")


def args_dict(args: Any) -> dict:
    """A dataclass of arguments as plain JSON values (tuples become lists)."""
    return json.loads(json.dumps({f.name: getattr(args, f.name) for f in fields(args)}))


def segment_seed(seed: int, segment: int, salt: int = 0) -> int:
    """Seed of one segment of a run (every segment starts its envs and samplers afresh from it)."""
    return int(np.random.SeedSequence([seed, segment, salt]).generate_state(1)[0])
