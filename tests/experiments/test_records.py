"""Results views: records, values, where, metric series, the flat table as text, CSV and a pandas DataFrame."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from activeq.experiments import Experiment, run
from activeq.experiments.examples import bandit


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    spec = Experiment("bandit", bandit, seeds=3, params={"steps": 200}, grid={"epsilon": [0.0, 0.2]})
    return run(spec, tmp_path_factory.mktemp("st"), workers=1, progress=False)


def test_records_hold_what_the_trial_returned(res):
    assert len(res) == 6 and len(res.done) == 6 and len(res.failed) == 0
    direct = bandit(2, steps=200, epsilon=0.2)
    rec = res.where(epsilon=0.2)[2]
    assert (rec.seed, rec.result) == (2, direct)
    assert rec.host and rec.activeq_version == "0.1.0" and rec.seconds >= 0
    curve = rec.series("regret")
    assert curve["step"][-1] == 200 and curve["regret"][-1] == pytest.approx(direct["regret"])
    assert res.values("regret").tolist() == [r.result["regret"] for r in res]


def test_to_frame_csv_and_table_agree(res):
    df = res.to_frame()
    assert isinstance(df, pd.DataFrame) and len(df) == 6
    assert list(df.columns[:6]) == ["key", "experiment", "seed", "status", "attempts", "seconds"]
    assert df["regret"].tolist() == res.values("regret").tolist()
    assert df.groupby("epsilon")["best_arm_fraction"].count().tolist() == [3, 3]
    rows = list(csv.DictReader(io.StringIO(res.to_csv())))
    assert [float(r["regret"]) for r in rows] == df["regret"].tolist()
    lines = res.table().splitlines()
    assert lines[0].split()[:3] == ["seed", "status", "attempts"] and len(lines) == 2 + 6
    assert json.loads(json.dumps(res.to_dicts()))[0]["params"] == {"epsilon": 0.0, "steps": 200}


def test_to_frame_without_pandas_says_so(res, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pandas(name, *a, **k):
        if name == "pandas":
            raise ImportError("no pandas")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    from activeq.errors import ExperimentError
    with pytest.raises(ExperimentError, match="needs pandas"):
        res.to_frame()
