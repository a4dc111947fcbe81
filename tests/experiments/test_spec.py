"""Experiment specs: sweeps (grid, zip, random), seeds, stable trial keys, TOML, and every bad input as a clear
ExperimentError naming the field; hypothesis fuzzing of the parser."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activeq.errors import ExperimentError
from activeq.experiments import Experiment, load_spec, trial_key
from activeq.experiments.spec import SPEC_KEYS, canonical_json, params_hash

from . import _trials

WALK = "experiments._trials:walk"


def test_grid_zip_random_and_seeds_expand_in_spec_order():
    e = Experiment("x", WALK, seeds=[3, 5], params={"steps": 10}, grid={"drift": [0.0, 1.0]},
                   zip={"sleep": [0.0, 0.001]})
    assert e.points() == [{"steps": 10, "drift": d, "sleep": s} for d in (0.0, 1.0) for s in (0.0, 0.001)]
    assert [t.seed for t in e.trials()] == [3, 5] * 4
    e = Experiment("x", "experiments._trials:plain", seeds=2, grid={"a": [1, 2, 3]}, zip={"b": [10, 20]})
    assert e.size == 3 * 2 * 2 == len(e.trials())
    assert [(t.params["a"], t.params["b"], t.seed) for t in e.trials()[:4]] == [(1, 10, 0), (1, 10, 1), (1, 20, 0),
                                                                                (1, 20, 1)]


def test_random_sweep_is_reproducible_and_in_range():
    r = {"samples": 20, "seed": 7, "params": {"drift": {"uniform": [-1, 1]}, "steps": {"int": [5, 8]},
                                              "sleep": {"choice": [0.0]}}}
    a = Experiment("r", WALK, seeds=1, random=r).points()
    b = Experiment("r", WALK, seeds=1, random=r).points()
    assert a == b and len(a) == 20
    assert all(-1 <= p["drift"] <= 1 and 5 <= p["steps"] <= 8 and p["sleep"] == 0.0 for p in a)
    assert len({p["steps"] for p in a}) > 1
    lu = Experiment("r", "experiments._trials:plain", random={"samples": 50, "params": {
        "a": {"log_uniform": [1e-3, 1e-1]}}}).points()
    assert all(1e-3 <= p["a"] <= 1e-1 for p in lu) and min(p["a"] for p in lu) < 1e-2 < max(p["a"] for p in lu)
    other = Experiment("r", WALK, seeds=1, random={**r, "seed": 8}).points()
    assert other != a


def test_trial_keys_are_stable_and_a_changed_parameter_makes_a_new_key():
    e1 = Experiment("k", WALK, seeds=[4], params={"steps": 10, "drift": 0.5})
    e2 = Experiment("k", WALK, seeds=[4], params={"drift": 0.5, "steps": 10})   # order does not matter
    assert e1.trials()[0].key == e2.trials()[0].key == trial_key("k", {"steps": 10, "drift": 0.5}, 4)
    key = e1.trials()[0].key
    assert key == f"k/{params_hash({'drift': 0.5, 'steps': 10})}/4"
    # the hash is of the canonical JSON, fixed by the format: a regression check on its value
    assert canonical_json({"steps": 10, "drift": 0.5}) == '{"drift":0.5,"steps":10}'
    import hashlib
    assert key.split("/")[1] == hashlib.sha256(b'{"drift":0.5,"steps":10}').hexdigest()[:16]
    e3 = Experiment("k", WALK, seeds=[4], params={"steps": 11, "drift": 0.5})
    assert e3.trials()[0].key != key


def test_toml_spec_round_trip(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('name = "walks"\nfunction = "experiments._trials:walk"\nseeds = [1, 2]\nretries = 2\n'
                 'num_cpus = 0.5\n[params]\nsteps = 20\n[grid]\ndrift = [0.0, 0.5]\n'
                 '[random]\nsamples = 2\nseed = 1\n[random.params]\nsleep = {uniform = [0, 0.001]}\n')
    e = load_spec(p)
    assert (e.name, e.seeds, e.retries, e.num_cpus, e.size) == ("walks", (1, 2), 2, 0.5, 8)
    assert Experiment.from_dict(json.loads(json.dumps(e.to_dict()))) == e
    assert Experiment("c", _trials.walk).function == WALK          # a callable is stored by its import path


@pytest.mark.parametrize("data, match", [
    ({"name": "a", "function": WALK, "sedes": 3}, "unknown key 'sedes'"),
    ({"function": WALK}, "needs 'name'"),
    ({"name": "a"}, "needs 'function'"),
    ({"name": "a b", "function": WALK}, "name must be"),
    ({"name": "a", "function": "experiments._trials.walk"}, "import path"),
    ({"name": "a", "function": WALK, "seeds": 0}, "seeds must be >= 1"),
    ({"name": "a", "function": WALK, "seeds": [1, 1]}, "1 is listed twice"),
    ({"name": "a", "function": WALK, "seeds": [-1]}, r"seeds\[0\] must be >= 0"),
    ({"name": "a", "function": WALK, "seeds": "3"}, "seeds must be a count or a list"),
    ({"name": "a", "function": WALK, "grid": {"steps": 5}}, "grid.steps must be a non-empty list"),
    ({"name": "a", "function": WALK, "grid": {"steps": []}}, "grid.steps must be a non-empty list"),
    ({"name": "a", "function": WALK, "params": {"steps": 5}, "grid": {"steps": [5]}}, "grid.steps: .* also given"),
    ({"name": "a", "function": WALK, "params": {"seed": 5}}, "params.seed: 'seed' is reserved"),
    ({"name": "a", "function": WALK, "zip": {"steps": [1, 2], "drift": [0.0]}}, "zip: every list"),
    ({"name": "a", "function": WALK, "retries": -1}, "retries must be >= 0"),
    ({"name": "a", "function": WALK, "num_cpus": 0}, "num_cpus must be a positive"),
    ({"name": "a", "function": WALK, "random": {"samples": 2, "params": {"d": {"normal": [0, 1]}}}},
     "random.params.d: unknown distribution 'normal'"),
    ({"name": "a", "function": WALK, "random": {"samples": 2, "params": {"d": {"uniform": [1, 0]}}}},
     "random.params.d.uniform must have low <= high"),
    ({"name": "a", "function": WALK, "random": {"samples": 2, "params": {"d": {"log_uniform": [0, 1]}}}},
     "log_uniform needs 0 < low"),
    ({"name": "a", "function": WALK, "random": {"sample": 2}}, "random: unknown key 'sample'"),
    ({"name": "a", "function": WALK, "grid": {"a": list(range(1000)), "b": list(range(1000)),
                                              "c": list(range(1000))}}, "expands to 1000000000 trials"),
    ({"name": "a", "function": WALK, "params": {"x": float("nan")}}, "params.x must be a finite number"),
])
def test_bad_specs_name_the_field(data, match):
    with pytest.raises(ExperimentError, match=match):
        Experiment.from_dict(data)


@pytest.mark.parametrize("function, params, match", [
    ("no_such_module_xyz:f", {}, "cannot import module 'no_such_module_xyz'"),
    ("experiments._trials:nothing", {}, "has no attribute 'nothing'"),
    ("experiments._trials:not_callable", {}, "is not callable"),
    ("experiments._trials:plain", {}, "missing a required argument: 'a'"),
    ("experiments._trials:plain", {"a": 1, "c": 2}, "unexpected keyword argument 'c'"),
    ("experiments._trials:walk", {"stepz": 3}, r"walk\(seed, steps=50, .*unexpected keyword argument 'stepz'"),
])
def test_function_that_does_not_import_or_fit_is_refused_before_running(function, params, match):
    e = Experiment("bad", function, params=params)
    with pytest.raises(ExperimentError, match=match):
        e.resolve()


def test_a_lambda_or_local_function_cannot_be_a_trial():
    def local(seed):
        return {}

    with pytest.raises(ExperimentError, match="importable by path"):
        Experiment("x", local)
    with pytest.raises(ExperimentError, match="importable by path"):
        Experiment("x", lambda seed: {})


@pytest.mark.parametrize("content, match", [
    (b"\xff\xfe name", "not UTF-8"),
    (b"name = ", "not valid TOML"),
    (b"name = 'x'\nfunction = 'experiments._trials:walk'\nseeds = " + b"[" * 5000 + b"]" * 5000,
     "not valid TOML|too deeply"),
])
def test_malformed_spec_files(tmp_path, content, match):
    p = tmp_path / "bad.toml"
    p.write_bytes(content)
    with pytest.raises(ExperimentError, match=match) as info:
        load_spec(p)
    assert str(p) in str(info.value)


def test_missing_and_oversized_spec_files(tmp_path):
    with pytest.raises(ExperimentError, match="cannot read"):
        load_spec(tmp_path / "nope.toml")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 1_000_001)
    with pytest.raises(ExperimentError, match="must be under"):
        load_spec(big)


# -- fuzzing -------------------------------------------------------------------------------------------------
names = st.text(string.ascii_letters + string.digits + "_-. ", min_size=0, max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=5))
values = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                      st.dictionaries(names, kids, max_size=3)), max_leaves=12)
spec_like = st.dictionaries(st.sampled_from(list(SPEC_KEYS) + ["other", "seed"]), values, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=spec_like, base=st.booleans())
def test_fuzz_spec_parsing_gives_a_spec_or_an_experiment_error(data, base):
    if base:
        data = {"name": "fz", "function": WALK, **{k: v for k, v in data.items() if k not in ("name", "function")}}
    try:
        e = Experiment.from_dict(data)
    except ExperimentError as exc:
        assert str(exc)
        return
    trials = e.trials()
    assert len(trials) == e.size and len({t.key for t in trials}) == len(trials)
    assert Experiment.from_dict(e.to_dict()) == e


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzz_spec_files(tmp_path_factory, blob):
    p = tmp_path_factory.mktemp("fz") / "s.toml"
    p.write_bytes(blob)
    try:
        load_spec(p)
    except ExperimentError as exc:
        assert str(p) in str(exc)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), scalars.filter(
    lambda v: not (isinstance(v, float) and v != v) and v not in (float("inf"), float("-inf"))), max_size=5),
    st.randoms())
def test_fuzz_key_is_independent_of_parameter_order(params, rnd):
    items = list(params.items())
    rnd.shuffle(items)
    assert trial_key("e", params, 1) == trial_key("e", dict(items), 1)


def test_several_zip_groups_are_crossed(tmp_path):
    e = Experiment("z", "experiments._trials:plain", zip=[{"a": [1, 2]}, {"b": [10, 20, 30]}])
    assert e.size == 6 and [(p["a"], p["b"]) for p in e.points()] == [(1, 10), (1, 20), (1, 30), (2, 10), (2, 20),
                                                                       (2, 30)]
    p = tmp_path / "z.toml"
    p.write_text('name = "z"\nfunction = "experiments._trials:plain"\n[[zip]]\na = [1, 2]\n[[zip]]\nb = [10, 20, 30]\n')
    assert load_spec(p) == e and Experiment.from_dict(e.to_dict()) == e
    with pytest.raises(ExperimentError, match=r"zip\[1\].b: parameter 'b' is also given in zip\[0\]"):
        Experiment("z", "experiments._trials:plain", zip=[{"b": [1]}, {"b": [2]}])
    with pytest.raises(ExperimentError, match=r"zip\[0\]: every list must have the same length"):
        Experiment("z", "experiments._trials:plain", zip=[{"a": [1, 2], "b": [1]}])


def test_the_readme_toml_spec_parses(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = next(b for b in readme.split("```") if "# bandit.toml" in b)
    p = tmp_path / "bandit.toml"
    p.write_text(block)
    e = load_spec(p)
    assert (e.name, e.size) == ("bandit", 16)
    e.resolve()


def test_huge_sweeps_are_refused_before_allocating_under_a_memory_limit(tmp_path):
    """A 0.9 MB spec declaring 1.25e14 trials, 1e11 seeds or 1e12 random samples fails at once with the count, in a
    process limited to 1 GiB of address space (issue 13: a file must not be able to exhaust the machine)."""
    import subprocess
    import sys

    grid = "[" + ",".join(map(str, range(50_000))) + "]"
    (tmp_path / "grid.toml").write_text(f'name = "g"\nfunction = "m:f"\n[grid]\na = {grid}\nb = {grid}\nc = {grid}\n')
    (tmp_path / "seeds.toml").write_text('name = "s"\nfunction = "m:f"\nseeds = 100000000000\n')
    (tmp_path / "random.toml").write_text('name = "r"\nfunction = "m:f"\n[random]\nsamples = 1000000000000\n'
                                          '[random.params]\nx = {uniform = [0, 1]}\n')
    code = ("import resource, sys, time; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30)); "
            "from activeq.errors import ExperimentError; from activeq.experiments.spec import load_spec\n"
            "for name in sys.argv[1:]:\n"
            "    t = time.perf_counter()\n"
            "    try:\n        load_spec(name)\n    except ExperimentError as exc:\n"
            "        print(round(time.perf_counter() - t, 2), exc)\n")
    env = {**__import__("os").environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code, *(str(tmp_path / f) for f in ("grid.toml", "seeds.toml",
                                                                                  "random.toml"))],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 3
    assert "expands to 125000000000000 trials" in lines[0] and "seeds must be at most 1000000" in lines[1]
    assert "expands to 1000000000000 trials" in lines[2]
    assert all(float(line.split()[0]) < 5 for line in lines)
