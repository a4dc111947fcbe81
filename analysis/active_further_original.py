"""Run the original FURTHER code (Kim et al., NeurIPS 2022, github.com/dkkim93/further) as ground truth, beside ours.

The original is not part of activeq and is never copied into it: fetch it yourself and pass the path of its checkout
(the directory holding ``main.py``, ``trainer.py`` and ``config/``). This harness gives it three small stand-ins for the
packages it imports but this machine does not need (written into a temporary directory, never into the checkout):

- ``gym``: ``Env``, ``spaces.Discrete``/``spaces.Box``, ``envs.registration.register`` and ``make`` (which builds the
  registered entry point; episodes still end at ``ep_horizon`` inside the original env, as the TimeLimit wrapper would);
- ``tensorboardX``: a ``SummaryWriter`` that discards everything;
- ``git``: a ``Repo`` whose branch and commit are fixed strings.

Each seed runs ``main.py --seed K --config <game>.yaml`` unchanged in its own run directory, whose ``config/`` holds
the original YAML with only ``max_timestep`` replaced (the length this machine can afford). Two things are set from
outside the original code: torch uses 1 thread (the original asks for 4, on a machine with 2 shared cores), and the
working directory is the run directory (where the original writes ``log/``). The learning curves are read back from
the original's own log lines ("Episodic reward ... at timestep T", and for matching pennies "Accumulate reward"),
one JSON per finished seed, so an interrupted sweep resumes at the next unfinished seed.

    .venv/bin/python analysis/active_further_original.py /path/to/further imp --seeds 1-20 --steps 20000 --workers 2
    .venv/bin/python analysis/active_further_original.py /path/to/further imp --summary   # table of finished seeds

or through the experiments layer, one trial per seed (:func:`trial`; the spec names the checkout):

    PYTHONPATH=analysis OMP_NUM_THREADS=1 .venv/bin/activeq run analysis/specs/further_original_imp.toml \
        --store analysis/results/runs/further

Results: ``analysis/results/original_further/<game>_<steps>/seed<K>.json`` and ``summary.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "original_further"
GAMES = {"imp": "imp.yaml", "ibs": "ibs.yaml", "ic": "ic.yaml"}

STUB_GYM = '''"""Stand-in for the parts of gym the original FURTHER code touches (not gym)."""
import importlib

from . import spaces  # noqa: F401
from .envs import registration as _registration
from . import envs  # noqa: F401


class Env:
    metadata = {}

    def seed(self, seed=None):
        return [seed]

    def close(self):
        pass


def make(env_id, **kwargs):
    spec = _registration.REGISTRY[env_id]
    module, name = spec["entry_point"].split(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(**{**spec["kwargs"], **kwargs})
'''
STUB_SPACES = '''class Discrete:
    def __init__(self, n):
        self.n = int(n)


class Box:
    def __init__(self, low, high, shape=None, dtype=None):
        self.shape = tuple(shape or ())


class Tuple:
    def __init__(self, spaces):
        self.spaces = tuple(spaces)
'''
STUB_REGISTRATION = '''REGISTRY = {}


def register(id, entry_point, kwargs=None, max_episode_steps=None, **_):
    REGISTRY[id] = {"entry_point": entry_point, "kwargs": dict(kwargs or {}), "max_episode_steps": max_episode_steps}
'''
STUB_TB = '''class SummaryWriter:
    """Discards every scalar (stand-in for tensorboardX)."""

    def __init__(self, *args, **kwargs):
        pass

    def add_scalars(self, *args, **kwargs):
        pass

    def add_scalar(self, *args, **kwargs):
        pass

    def close(self):
        pass
'''
STUB_GIT = '''class _Commit:
    def __str__(self):
        return "not-a-git-checkout"


class _Head:
    commit = _Commit()


class Repo:
    """Stand-in for gitpython: the original only logs the branch and commit."""

    def __init__(self, path="."):
        self.head = _Head()
        self.active_branch = "unknown"
'''
LAUNCH = '''import os, runpy, sys
import torch
torch.set_num_threads(1)
torch.set_num_threads = lambda n: None   # the original asks for 4 threads; this machine has 2 shared cores
sys.argv = ["main.py"] + sys.argv[1:]
runpy.run_path(os.path.join(CHECKOUT, "main.py"), run_name="__main__")
'''

EPISODE = re.compile(r"Episodic reward: (-?[\d.]+) for agent (\d) at timestep (\d+)")
ACCUMULATE = re.compile(r"Accumulate reward: (-?[\d.]+) for agent (\d) at timestep (\d+)")


def write_stubs(directory: Path) -> None:
    """The three stand-in packages, in ``directory`` (put on PYTHONPATH ahead of the checkout)."""
    (directory / "gym" / "envs").mkdir(parents=True, exist_ok=True)
    (directory / "gym" / "__init__.py").write_text(STUB_GYM)
    (directory / "gym" / "spaces.py").write_text(STUB_SPACES)
    (directory / "gym" / "envs" / "__init__.py").write_text("from . import registration  # noqa: F401\n")
    (directory / "gym" / "envs" / "registration.py").write_text(STUB_REGISTRATION)
    (directory / "tensorboardX").mkdir(exist_ok=True)
    (directory / "tensorboardX" / "__init__.py").write_text(STUB_TB)
    (directory / "git").mkdir(exist_ok=True)
    (directory / "git" / "__init__.py").write_text(STUB_GIT)


def check_checkout(checkout: Path) -> Path:
    checkout = checkout.resolve()
    missing = [f for f in ("main.py", "trainer.py", "config") if not (checkout / f).exists()]
    if missing:
        raise SystemExit(f"{checkout} is not a FURTHER checkout (missing {', '.join(missing)})")
    return checkout


def config_text(checkout: Path, game: str, steps: int) -> str:
    """The original YAML for ``game`` with ``max_timestep`` set to ``steps + 1`` (its loop stops one short)."""
    text = (checkout / "config" / GAMES[game]).read_text()
    new, n = re.subn(r"(?m)^max_timestep:.*$", f"max_timestep: {steps + 1}", text)
    if n != 1:
        raise SystemExit(f"cannot find max_timestep in {GAMES[game]}")
    return new


def parse_log(text: str, steps: int) -> dict:
    """Per-episode average reward of both agents (and MP's cumulative reward) from the original's log lines."""
    ep = [[], []]
    acc = [[], []]
    ts = []
    for m in EPISODE.finditer(text):
        ep[int(m.group(2))].append(float(m.group(1)))
        if m.group(2) == "0":
            ts.append(int(m.group(3)))
    for m in ACCUMULATE.finditer(text):
        acc[int(m.group(2))].append(float(m.group(1)))
    out = {"episode_timestep": ts, "episode_average": ep}
    if acc[0]:
        out["accumulated"] = acc
    return out


def run_seed(checkout: Path, stubs: Path, game: str, seed: int, steps: int, out_dir: Path) -> dict:
    """Run one seed of the original to ``steps`` transitions; returns (and writes) its parsed curves."""
    target = out_dir / f"seed{seed}.json"
    if target.exists():
        return json.loads(target.read_text())
    run_dir = out_dir / f"run_seed{seed}"
    if run_dir.exists():  # an interrupted seed starts again (the original has no checkpoints)
        shutil.rmtree(run_dir)
    (run_dir / "config").mkdir(parents=True)
    (run_dir / "config" / GAMES[game]).write_text(config_text(checkout, game, steps))
    run_dir = run_dir.resolve()
    launch = run_dir / "launch.py"
    launch.write_text(LAUNCH.replace("CHECKOUT", repr(str(checkout))))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(PYTHONPATH=f"{stubs}{os.pathsep}{checkout}", OMP_NUM_THREADS="1", CUDA_VISIBLE_DEVICES="")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(launch), "--seed", str(seed), "--config", GAMES[game]],
                          cwd=run_dir, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    logs = sorted((run_dir / "log").glob("env::*_log")) if (run_dir / "log").exists() else []
    if proc.returncode != 0 or not logs:
        raise RuntimeError(f"seed {seed} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    curves = parse_log(logs[0].read_text(), steps)
    res = {"game": game, "seed": seed, "steps": steps, "seconds": seconds, **curves}
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(res))
    os.replace(tmp, target)
    shutil.rmtree(run_dir)
    return res


def trial(seed: int, checkout: str, game: str = "imp", steps: int = 10_000, context=None) -> dict:
    """One seed of the original as an ``activeq run`` trial (run with ``PYTHONPATH=analysis``; see the spec files).

    The seed's curves are the result; the run directory lives in the trial's checkpoint directory (the original has
    no checkpoints of its own, so an interrupted seed starts again).
    """
    checkout_path = check_checkout(Path(checkout))
    if game not in GAMES:
        raise ValueError(f"game must be one of {sorted(GAMES)}, got {game!r}")
    with tempfile.TemporaryDirectory(prefix="further_stubs_") as tmp:
        write_stubs(Path(tmp))
        ckpt = getattr(context, "checkpoint_dir", None) if context is not None else None
        if ckpt is None:
            with tempfile.TemporaryDirectory(prefix="further_run_") as out:
                return run_seed(checkout_path, Path(tmp), game, int(seed), int(steps), Path(out))
        return run_seed(checkout_path, Path(tmp), game, int(seed), int(steps), Path(ckpt))


def summary(out_dir: Path) -> dict:
    """Mean and spread over finished seeds: running reward of agent 0, its cumulative reward, the last 10 episodes."""
    rows = [json.loads(p.read_text()) for p in sorted(out_dir.glob("seed*.json"))]
    if not rows:
        return {"seeds": 0}
    ep = np.array([r["episode_average"][0] for r in rows])  # (seeds, episodes) of agent 0
    ep1 = np.array([r["episode_average"][1] for r in rows])
    running = ep.mean(axis=1)
    n = len(rows)
    se = float(running.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    last = ep[:, -min(10, ep.shape[1]):].mean(axis=1)
    last1 = ep1[:, -min(10, ep1.shape[1]):].mean(axis=1)
    out = {"seeds": n, "seed_list": [r["seed"] for r in rows], "steps": rows[0]["steps"],
           "episodes": int(ep.shape[1]), "agent0_running_mean": float(running.mean()), "agent0_running_se": se,
           "agent0_running_per_seed": running.tolist(), "agent0_last10_episodes": last.tolist(),
           "agent1_last10_episodes": last1.tolist(),
           "seconds_per_seed": [r["seconds"] for r in rows],
           "agent0_mean_episode_curve": ep.mean(axis=0).tolist(),
           "agent1_mean_episode_curve": ep1.mean(axis=0).tolist()}
    if "accumulated" in rows[0]:
        out["agent0_accumulated_final"] = [r["accumulated"][0][-1] for r in rows]
    return out


def parse_seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkout", type=Path, help="path of a FURTHER checkout (holds main.py, trainer.py, config/)")
    ap.add_argument("game", choices=sorted(GAMES), help="imp: matching pennies; ibs: Bach or Stravinsky; ic: cooperative")
    ap.add_argument("--seeds", default="1-20", help="e.g. 1-20 (the original's) or 1,2,3")
    ap.add_argument("--steps", type=int, default=20_000, help="transitions per seed (the original: imp 1e6)")
    ap.add_argument("--workers", type=int, default=1, help="seeds run at once (one process each)")
    ap.add_argument("--summary", action="store_true", help="only summarise the finished seeds")
    args = ap.parse_args(argv)
    checkout = check_checkout(args.checkout)
    out_dir = RESULTS / f"{args.game}_{args.steps}"
    out_dir.mkdir(parents=True, exist_ok=True)
    if not args.summary:
        seeds = parse_seeds(args.seeds)
        with tempfile.TemporaryDirectory(prefix="further_stubs_") as tmp:
            stubs = Path(tmp)
            write_stubs(stubs)
            with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
                futures = {s: pool.submit(run_seed, checkout, stubs, args.game, s, args.steps, out_dir) for s in seeds}
                for s, f in futures.items():
                    r = f.result()
                    ep = np.array(r["episode_average"][0])
                    print(f"seed {s}: agent 0 running {ep.mean():+.4f}, last 10 episodes {ep[-10:].mean():+.4f} "
                          f"({r['seconds']:.0f} s)", flush=True)
    summ = summary(out_dir)
    (out_dir / "summary.json").write_text(json.dumps(summ, indent=1))
    if summ["seeds"]:
        print(f"{args.game} {summ['steps']} steps, {summ['seeds']} seeds: agent 0 running reward "
              f"{summ['agent0_running_mean']:+.4f} +- {summ['agent0_running_se']:.4f} se")
    return 0


if __name__ == "__main__":
    sys.exit(main())
