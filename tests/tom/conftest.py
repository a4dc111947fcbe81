"""Session fixtures for the ToM probes: the tiny in-process chat model and a real OpenAI-compatible server on
127.0.0.1 serving it (built once per xdist worker), and a temporary response cache so tests never touch ~/.cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIVEQ_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    from activeq.tom.testing import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny_llama"))


@pytest.fixture(scope="session")
def tiny_backend(tiny_model_dir):
    from activeq.tom.backends import TransformersChat

    return TransformersChat(tiny_model_dir, name="tiny-llama")


@pytest.fixture(scope="session")
def tiny_server(tiny_backend):
    from activeq.tom.backends import ChatServer

    server = ChatServer(tiny_backend).start()
    yield server
    server.stop()
