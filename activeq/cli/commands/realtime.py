"""``activeq realtime ...``: realtime asynchronous inference from the shell.

Subcommands (every one takes ``--json``; those that sample take ``--seed``):

* ``schedule``: simulate one schedule on the virtual clock (action rate, staleness, lost actions);
* ``sweep``: action rate against the number of workers, staggered and unstaggered, beside min(1, N τ_M/τ_θ);
* ``nstar``: ``N* = ⌈τ_θ/τ_M⌉`` and the sequential action rate for inference delays given in env steps;
* ``regret``: the exact inaction/delay regret decomposition on the flip MDP, beside its closed form;
* ``game``: a slow thinker against a fast learner in an iterated game, reward against τ_θ;
* ``wall``: the wall-clock runtime with sleep-emulated inference (real processes).

Times are given in env steps (``--delay``) with ``--tau-m`` seconds per step (default 1/59.7275 s, a Game Boy frame).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from ..output import add_json_flag, print_json, table

FRAME = 1 / 59.7275


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        from ...errors import RealtimeError
        raise RealtimeError(f"expected comma-separated integers, got {text!r}") from None


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        from ...errors import RealtimeError
        raise RealtimeError(f"expected comma-separated numbers, got {text!r}") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("realtime", help="realtime asynchronous inference: schedules, N*, regret, runtime",
                                   description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="realtime_command", metavar="SUBCOMMAND")

    def common(p: argparse.ArgumentParser, seed: bool = True) -> None:
        p.add_argument("--tau-m", type=float, default=FRAME, help="env step time in seconds (default 1/59.7275)")
        if seed:
            p.add_argument("--seed", type=int, default=0)
        add_json_flag(p)

    p = sub.add_parser("schedule", help="simulate one schedule on the virtual clock")
    p.add_argument("--delay", type=float, default=8.0, help="inference time tau_theta in env steps")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--schedule", default="staggered", help="sequential, staggered or unstaggered")
    p.add_argument("--padding", default="max", help="max or none")
    p.add_argument("--slot", default="latest", help="latest or fifo")
    p.add_argument("--jitter", type=float, default=0.0, help="uniform jitter of tau_theta (fraction)")
    p.add_argument("--steps", type=int, default=2000)
    common(p)
    p.set_defaults(func=_schedule)

    p = sub.add_parser("sweep", help="action rate against the number of workers (claim R1)")
    p.add_argument("--delay", type=float, default=8.0, help="inference time tau_theta in env steps")
    p.add_argument("--workers", default="1,2,4,8", help="comma-separated worker counts")
    p.add_argument("--steps", type=int, default=2000)
    common(p, seed=False)
    p.set_defaults(func=_sweep)

    p = sub.add_parser("nstar", help="N* and the sequential action rate per delay (claim R2)")
    p.add_argument("--delays", default="1,5,8,70,596", help="comma-separated inference delays in env steps")
    common(p, seed=False)
    p.set_defaults(func=_nstar)

    p = sub.add_parser("regret", help="exact inaction/delay regret on the flip MDP (claim R4)")
    p.add_argument("--p", type=float, default=0.1, help="flip probability per step")
    p.add_argument("--delays", default="1,2,3,4", help="comma-separated inference delays in env steps")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--schedule", default="sequential")
    p.add_argument("--default-action", default="noop", help="noop, repeat, random or an action index")
    common(p, seed=False)
    p.set_defaults(func=_regret)

    p = sub.add_parser("game", help="slow thinker vs fast learner in an iterated game")
    p.add_argument("--game", default="matching_pennies", help="two-player catalog game")
    p.add_argument("--delays", default="1,2,4,8", help="slow player's tau_theta in env steps")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--seeds", type=int, default=3)
    common(p)
    p.set_defaults(func=_game)

    p = sub.add_parser("wall", help="wall-clock runtime with sleep-emulated inference (real processes)")
    p.add_argument("--delay", type=float, default=8.0, help="inference time tau_theta in env steps")
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--schedule", default="staggered")
    p.add_argument("--steps", type=int, default=240)
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds")
    common(p)
    p.set_defaults(func=_wall)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _out(args: argparse.Namespace, data: Any, text: str) -> int:
    if args.json:
        print_json(data)
    else:
        print(text)
    return 0


def _schedule(args: argparse.Namespace) -> int:
    from ...realtime import simulate_schedule

    s = simulate_schedule(args.tau_m, args.delay * args.tau_m, args.workers, args.schedule, args.steps,
                          jitter=args.jitter, padding=args.padding, seed=args.seed, slot=args.slot)
    rows = [[k, v] for k, v in s.to_dict().items()]
    return _out(args, s.to_dict(), table(["quantity", "value"], rows))


def _sweep(args: argparse.Namespace) -> int:
    from ...realtime import simulate_schedule

    rows = []
    for n in _ints(args.workers):
        st = simulate_schedule(args.tau_m, args.delay * args.tau_m, n, "staggered", args.steps)
        un = simulate_schedule(args.tau_m, args.delay * args.tau_m, n, "unstaggered", args.steps)
        rows.append({"workers": n, "staggered": st.action_rate, "formula min(1, N/d)": min(1.0, n / args.delay),
                     "unstaggered": un.action_rate, "formula 1/d": 1 / args.delay,
                     "staleness": st.mean_staleness})
    text = (f"action rate (fraction of env steps with a policy action), tau_theta = {args.delay:g} env steps, "
            f"virtual clock, {args.steps} steps after warm-up\n" + table(list(rows[0]), [list(r.values()) for r in rows]))
    return _out(args, {"delay": args.delay, "rows": rows}, text)


def _nstar(args: argparse.Namespace) -> int:
    from ...realtime import n_star

    rows = [{"delay (steps)": d, "N*": n_star(d * args.tau_m, args.tau_m), "sequential rate 1/d (ours)": 1 / d,
             "reference 1/(1+d)": 1 / (1 + d)} for d in _ints(args.delays)]
    text = ("N* = ceil(tau_theta / tau_M); sequential action rate in our convention (acting at t + d) and in the "
            "reference simulation's (the acting frame counted apart)\n" + table(list(rows[0]), [list(r.values()) for r in rows]))
    return _out(args, {"rows": rows}, text)


def _regret(args: argparse.Namespace) -> int:
    from ...realtime.regret import flip_mdp, regret_decomposition

    beta: Any = args.default_action
    if beta.isdigit():
        beta = int(beta)
    rows = []
    for d in _ints(args.delays):
        r = regret_decomposition(flip_mdp(args.p), args.tau_m, d * args.tau_m, args.workers, args.schedule, beta)
        closed = 1 - (1 + (1 - 2 * args.p) ** d) / 2
        rows.append({"delay": d, "action rate": r.action_rate, "inaction": r.inaction, "delay regret": r.delay,
                     "closed form delay": closed, "total": r.total})
    text = (f"flip MDP p={args.p:g}: exact per-step regret ({args.schedule}, {args.workers} worker(s), "
            f"default {args.default_action})\n" + table(list(rows[0]), [list(r.values()) for r in rows], ".6g"))
    return _out(args, {"p": args.p, "rows": rows}, text)


def _game(args: argparse.Namespace) -> int:
    from ...realtime.game import realtime_game

    res = realtime_game(args.game, tau_m=args.tau_m, delays=_floats(args.delays), steps=args.steps, seeds=args.seeds,
                        seed=args.seed)
    return _out(args, res.to_dict(), f"{res.game}: {res.slow} (slow) vs {res.fast} (fast), {res.steps} steps x "
                                     f"{res.seeds} seeds\n" + res.table())


def _wall(args: argparse.Namespace) -> int:
    import os

    from ...realtime.runtime import RuntimeConfig, run_realtime

    from ...errors import RealtimeError
    if not math.isfinite(args.delay) or args.delay <= 0:
        raise RealtimeError(f"--delay must be a positive number of env steps, got {args.delay}")
    cfg = RuntimeConfig(tau_m=args.tau_m, tau_theta=args.delay * args.tau_m, workers=args.workers,
                        schedule=args.schedule, steps=args.steps, time_limit=args.time_limit, seed=args.seed)
    res = run_realtime(_CounterEnv, cfg, act_fn=_echo)
    summary = {**res.summary(), "load_average_1min": os.getloadavg()[0]}
    return _out(args, summary, table(["quantity", "value"], [[k, v] for k, v in summary.items()]))


def _echo(obs: Any, step: int) -> int:
    return 1


def _CounterEnv() -> Any:  # noqa: N802 - a factory named like the env it builds
    import gymnasium as gym
    from gymnasium import spaces

    class Counter(gym.Env):
        observation_space = spaces.Box(0, float("inf"), (1,))
        action_space = spaces.Discrete(2)

        def reset(self, seed: Any = None, options: Any = None) -> Any:
            self.t = 0
            return [0.0], {}

        def step(self, a: int) -> Any:
            self.t += 1
            return [float(self.t)], float(a), False, False, {}

    return Counter()
