"""Fuzz tests run in a temporary working directory: a junk string given as a path (a checkpoint directory, a store)
may be valid, and whatever it creates must not land in the repository."""

import pytest


@pytest.fixture(autouse=True)
def _scratch_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
