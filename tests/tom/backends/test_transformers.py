"""In-process transformers backend on the tiny Llama built by the test (no downloads)."""

import pytest

from activeq.errors import ArgumentError, ContextLengthError
from activeq.tom.backends import TransformersChat, check_backend
from activeq.tom.testing import num_parameters

MSG = [{"role": "system", "content": "Answer."}, {"role": "user", "content": "rock, paper or scissors?"}]


def test_tiny_model_is_small_and_conforms(tiny_backend):
    assert 10_000 < num_parameters(tiny_backend.lm) < 100_000
    check_backend(tiny_backend)


def test_sampling_is_seeded(tiny_model_dir, tiny_backend):
    hot = TransformersChat(tiny_backend.lm, tiny_backend.tokenizer, temperature=1.5, seed=0)
    a = [hot.complete(MSG, max_tokens=6, seed=s).text for s in range(4)]
    assert a == [hot.complete(MSG, max_tokens=6, seed=s).text for s in range(4)]
    assert len(set(a)) > 1  # different seeds sample different answers


def test_context_and_path_errors(tiny_backend, tmp_path):
    with pytest.raises(ContextLengthError, match="exceeds the maximum context length"):
        tiny_backend.complete([{"role": "user", "content": "rock " * 9000}], max_tokens=4)
    with pytest.raises(ArgumentError, match="existing local directory"):
        TransformersChat(tmp_path / "missing")
