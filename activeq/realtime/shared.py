"""Shared-memory parts of the wall-clock runtime: atomic counters, the observation ring, the action slot, the replay
buffer and the shared weights. Each one guards its data with one ``multiprocessing`` lock, so every read is a
consistent snapshot and every update is atomic across processes.

They fix the bugs of the realtime paper's public code (Riemer et al., ICLR 2025) that issue 10 lists:

* **non-atomic shared counters** (``counter.value += 1`` on an unlocked value loses increments):
  :class:`AtomicCounter` increments under its lock;
* **reading the replay slot that is about to be written** (stale or zero observations):
  :class:`ObservationRing` publishes an index only after its slot is fully written, readers take the latest
  *published* one and copy it under the lock (no torn reads);
* **a check-then-reset race on the single action slot** (the env checks "is there an action?", a worker writes
  one, the env then clears the slot: that action is lost): :class:`ActionSlot.take` reads and empties the slot in one
  critical section; an overwrite of an unconsumed action is *counted* (``lost``), never silent;
* **gradients never zeroed in the shared learner**: :class:`SharedWeights.apply` zeroes the shared gradients after
  every optimizer step, and learners zero their local gradients before every backward pass (see runtime.py).

Raises :class:`activeq.errors.RealtimeError` for a bad capacity or shape.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any

import numpy as np

from ..errors import RealtimeError

__all__ = ["AtomicCounter", "ObservationRing", "ActionSlot", "ReplayBuffer", "SharedWeights"]


def _array(ctx: Any, typecode: str, shape: tuple[int, ...], dtype: Any) -> tuple[Any, np.ndarray]:
    raw = ctx.RawArray(typecode, int(np.prod(shape, dtype=np.int64)) or 1)
    return raw, np.frombuffer(raw, dtype=dtype)[: int(np.prod(shape, dtype=np.int64))].reshape(shape)


class AtomicCounter:
    """A shared int64 whose increments never get lost (``add`` holds the lock for read-modify-write)."""

    def __init__(self, ctx: Any = None, value: int = 0):
        ctx = ctx or mp.get_context()
        self._v = ctx.Value("q", int(value), lock=True)

    def add(self, n: int = 1) -> int:
        with self._v.get_lock():
            self._v.value += n
            return int(self._v.value)

    @property
    def value(self) -> int:
        with self._v.get_lock():
            return int(self._v.value)


class ObservationRing:
    """The env's recent observations: ``publish(k, obs)`` writes step k's observation into slot ``k % capacity`` and
    only then marks k as the latest; ``latest()`` returns ``(k, copy of obs)`` for the latest published step (or
    ``(-1, None)`` before the first)."""

    def __init__(self, shape: tuple[int, ...], capacity: int = 4, ctx: Any = None):
        if capacity < 2:
            raise RealtimeError(f"capacity must be >= 2, got {capacity}")
        ctx = ctx or mp.get_context()
        self.shape = tuple(int(x) for x in shape)
        self.capacity = int(capacity)
        self._lock = ctx.Lock()
        self._raw, _ = _array(ctx, "f", (self.capacity, *self.shape), np.float32)
        self._idx = ctx.RawValue("q", -1)
        self._view: np.ndarray | None = None

    def _buf(self) -> np.ndarray:
        if self._view is None:  # one view per process (after fork/spawn)
            n = int(np.prod((self.capacity, *self.shape), dtype=np.int64))
            self._view = np.frombuffer(self._raw, dtype=np.float32)[:n].reshape((self.capacity, *self.shape))
        return self._view

    def publish(self, k: int, obs: Any) -> None:
        buf = self._buf()
        with self._lock:
            buf[k % self.capacity] = obs
            self._idx.value = int(k)

    def latest(self) -> tuple[int, np.ndarray | None]:
        buf = self._buf()
        with self._lock:
            k = int(self._idx.value)
            return (k, None) if k < 0 else (k, buf[k % self.capacity].copy())


class ActionSlot:
    """Where inference workers publish actions and the env takes them.

    ``kind="latest"``: one slot; a publish over an unconsumed action replaces it and counts it in ``lost``.
    ``kind="fifo"``: a queue of ``capacity`` actions taken in publish order (a publish into a full queue drops the
    oldest and counts it in ``lost``). Every action carries its publish time (``time.perf_counter``); ``take(deadline)``
    returns ``(action, source_step, worker)`` for the oldest action published by ``deadline`` (or None) and empties
    what it took, atomically. The deadline keeps the virtual clock's order even when the env process runs late: an
    action published after step k's nominal time waits for step k + 1.
    """

    FIELDS = 4

    def __init__(self, kind: str = "latest", capacity: int = 64, ctx: Any = None):
        if kind not in ("latest", "fifo"):
            raise RealtimeError(f"slot must be 'latest' or 'fifo', got {kind!r}")
        ctx = ctx or mp.get_context()
        self.kind = kind
        self.capacity = 1 if kind == "latest" else max(1, int(capacity))
        self._lock = ctx.Lock()
        self._data = ctx.RawArray("q", self.FIELDS * self.capacity)  # action, source, worker, publish time (ns)
        self._state = ctx.RawArray("q", 4)  # head, count, published, lost

    def publish(self, action: int, source: int, worker: int, t: float | None = None) -> None:
        stamp = time.perf_counter_ns() if t is None else int(t * 1e9)
        F = self.FIELDS
        with self._lock:
            st, d = self._state, self._data
            head, count, cap = st[0], st[1], self.capacity
            st[2] += 1
            if count == cap:  # latest: overwrite the unconsumed action; fifo: the queue is full, drop the oldest
                st[3] += 1
                head = (head + 1) % cap
                count -= 1
            pos = (head + count) % cap
            d[F * pos], d[F * pos + 1], d[F * pos + 2], d[F * pos + 3] = int(action), int(source), int(worker), stamp
            st[0], st[1] = head, count + 1

    def take(self, deadline: float | None = None) -> tuple[int, int, int] | None:
        limit = None if deadline is None else int(deadline * 1e9)
        F = self.FIELDS
        with self._lock:  # read and empty in one critical section: no check-then-reset race
            st, d = self._state, self._data
            if st[1] == 0:
                return None
            h = st[0]
            if limit is not None and d[F * h + 3] > limit:
                return None
            got = (int(d[F * h]), int(d[F * h + 1]), int(d[F * h + 2]))
            st[0] = (h + 1) % self.capacity
            st[1] -= 1
            return got

    @property
    def published(self) -> int:
        with self._lock:
            return int(self._state[2])

    @property
    def lost(self) -> int:
        with self._lock:
            return int(self._state[3])


class ReplayBuffer:
    """A shared ring of transitions ``(obs, action, reward, next_obs, done)``; ``add`` and ``sample`` lock it, so a
    sampled batch never mixes a half-written transition."""

    def __init__(self, shape: tuple[int, ...], capacity: int, ctx: Any = None):
        if capacity < 1:
            raise RealtimeError(f"replay capacity must be >= 1, got {capacity}")
        ctx = ctx or mp.get_context()
        self.shape = tuple(int(x) for x in shape)
        self.capacity = int(capacity)
        self._lock = ctx.Lock()
        n = int(np.prod(self.shape, dtype=np.int64)) or 1
        self._raw = {"obs": ctx.RawArray("f", self.capacity * n), "next_obs": ctx.RawArray("f", self.capacity * n),
                     "action": ctx.RawArray("q", self.capacity), "reward": ctx.RawArray("f", self.capacity),
                     "done": ctx.RawArray("f", self.capacity)}
        self._pos = ctx.RawArray("q", 2)  # next write, size
        self._views: dict[str, np.ndarray] | None = None

    def _v(self) -> dict[str, np.ndarray]:
        if self._views is None:
            c, sh = self.capacity, self.shape
            self._views = {"obs": np.frombuffer(self._raw["obs"], np.float32)[: c * int(np.prod(sh or (1,)))].reshape((c, *sh)),
                           "next_obs": np.frombuffer(self._raw["next_obs"], np.float32)[: c * int(np.prod(sh or (1,)))].reshape((c, *sh)),
                           "action": np.frombuffer(self._raw["action"], np.int64),
                           "reward": np.frombuffer(self._raw["reward"], np.float32),
                           "done": np.frombuffer(self._raw["done"], np.float32)}
        return self._views

    def add(self, obs: Any, action: int, reward: float, next_obs: Any, done: bool) -> None:
        v = self._v()
        with self._lock:
            i = int(self._pos[0])
            v["obs"][i] = obs
            v["next_obs"][i] = next_obs
            v["action"][i] = action
            v["reward"][i] = reward
            v["done"][i] = float(done)
            self._pos[0] = (i + 1) % self.capacity
            self._pos[1] = min(self.capacity, int(self._pos[1]) + 1)

    def __len__(self) -> int:
        with self._lock:
            return int(self._pos[1])

    def sample(self, batch: int, rng: np.random.Generator) -> dict[str, np.ndarray] | None:
        v = self._v()
        with self._lock:
            n = int(self._pos[1])
            if n < batch:
                return None
            idx = rng.integers(0, n, size=batch)
            return {k: a[idx].copy() for k, a in v.items()}


class SharedWeights:
    """A torch model whose parameters live in one shared float32 buffer (inherited by forked processes; no torch
    shared-memory manager), plus a version counter. Learners ``apply`` local gradients to it under the lock (then
    zero the shared gradients); workers ``pull`` it into their local copy when the version changed. Only parameters
    are shared (not buffers such as batch-norm statistics)."""

    def __init__(self, model: Any, ctx: Any = None):
        import torch

        ctx = ctx or mp.get_context()
        params = list(model.parameters())
        n = sum(p.numel() for p in params)
        self._raw = ctx.RawArray("f", max(1, n))
        flat = torch.from_numpy(np.frombuffer(self._raw, dtype=np.float32))
        off = 0
        for p in params:
            k = p.numel()
            flat[off:off + k].copy_(p.detach().reshape(-1).to(torch.float32))
            p.data = flat[off:off + k].view_as(p)
            off += k
        self.model = model
        self._lock = ctx.Lock()
        self._version = ctx.RawValue("q", 0)

    @property
    def version(self) -> int:
        return int(self._version.value)

    def pull(self, local: Any, seen: int) -> int:
        """Copy the shared weights into ``local`` if their version differs from ``seen``; returns the version copied."""
        if self._version.value == seen:
            return seen
        import torch

        with self._lock, torch.no_grad():
            for p_local, p_shared in zip(local.parameters(), self.model.parameters()):
                p_local.copy_(p_shared)
            return int(self._version.value)

    def apply(self, local: Any, optimizer: Any) -> int:
        """Copy ``local``'s gradients onto the shared parameters, step ``optimizer`` (built over the shared parameters),
        zero the shared gradients, bump the version. Returns the new version."""
        with self._lock:
            for p_shared, p_local in zip(self.model.parameters(), local.parameters()):
                p_shared.grad = None if p_local.grad is None else p_local.grad.detach().clone()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            self._version.value += 1
            return int(self._version.value)
