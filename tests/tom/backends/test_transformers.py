"""In-process transformers backend on the tiny Llama built by the test (no downloads)."""

import pytest

from activeq.errors import ArgumentError, BackendError, ContextLengthError
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


def test_prefix_reuse_gives_the_same_answers(tiny_backend):
    from activeq import load_game
    from activeq.tom.prompting import render

    game = load_game("rock_paper_scissors")
    fast = TransformersChat(tiny_backend.lm, tiny_backend.tokenizer, reuse_prefix=2)
    hot = TransformersChat(tiny_backend.lm, tiny_backend.tokenizer, temperature=1.0, seed=3)
    hot_fast = TransformersChat(tiny_backend.lm, tiny_backend.tokenizer, temperature=1.0, seed=3, reuse_prefix=2)
    prompts = [render(style, game, [(t % 3, 0)] * t, 100, None, 4) for t in range(7) for style in ("plain", "qa")]
    for k, msgs in enumerate(prompts):
        a, b = tiny_backend.complete(msgs, max_tokens=6), fast.complete(msgs, max_tokens=6)
        assert (a.text, a.prompt_tokens, a.completion_tokens) == (b.text, b.prompt_tokens, b.completion_tokens)
        assert hot.complete(msgs, max_tokens=6, seed=k).text == hot_fast.complete(msgs, max_tokens=6, seed=k).text
    # two styles alternate, and both prompts' caches are kept: each later prompt reuses its style's system + rules
    assert fast.prefix_tokens_reused > (len(prompts) - 2) * fast.count_tokens(prompts[0][:1])
    assert len(fast._kv) == 2
    check_backend(fast)


def test_batched_greedy_calls_give_the_same_answers(tiny_backend):
    """Concurrent greedy calls are answered by one left-padded generate, and each answer is the one it gets alone."""
    from concurrent.futures import ThreadPoolExecutor

    from activeq import load_game
    from activeq.tom.prompting import render

    game = load_game("rock_paper_scissors")
    prompts = [render(style, game, [(t % 3, (t + 1) % 3)] * t, 100, None, 4) for t in range(6)
               for style in ("plain", "social")]
    budgets = [4 + 3 * (k % 4) for k in range(len(prompts))]  # different lengths and budgets in one batch
    alone = [tiny_backend.complete(m, max_tokens=b) for m, b in zip(prompts, budgets)]
    batched = TransformersChat(tiny_backend.lm, tiny_backend.tokenizer, max_batch=8, batch_wait=0.5)
    with ThreadPoolExecutor(len(prompts)) as pool:
        together = list(pool.map(lambda mb: batched.complete(mb[0], max_tokens=mb[1]), zip(prompts, budgets)))
    assert [(a.text, a.prompt_tokens, a.completion_tokens) for a in alone] == \
        [(b.text, b.prompt_tokens, b.completion_tokens) for b in together]
    assert max(batched.batches) > 1 and sum(batched.batches) == len(prompts)
    check_backend(batched)


def test_batching_and_dtype_arguments_are_checked(tiny_backend, tiny_model_dir):
    with pytest.raises(ArgumentError, match="max_batch"):
        TransformersChat(tiny_backend.lm, tiny_backend.tokenizer, max_batch=0)
    with pytest.raises(ArgumentError, match="dtype"):
        TransformersChat(tiny_model_dir, dtype="int3")
    half = TransformersChat(tiny_model_dir, dtype="bfloat16")
    assert next(half.lm.parameters()).dtype.is_floating_point and str(next(half.lm.parameters()).dtype) == "torch.bfloat16"
    assert isinstance(half.complete(MSG, max_tokens=4).text, str)


def test_a_model_that_fails_to_generate_raises_backend_error(tiny_backend, monkeypatch):
    """A crash inside generate reaches the caller as a BackendError, alone and from the batcher thread alike."""
    from concurrent.futures import ThreadPoolExecutor

    def crash(*args, **kwargs):
        raise RuntimeError("simulated out of memory")

    alone = TransformersChat(tiny_backend.lm, tiny_backend.tokenizer)
    batched = TransformersChat(tiny_backend.lm, tiny_backend.tokenizer, max_batch=4, batch_wait=0.3)
    for chat in (alone, batched):
        monkeypatch.setattr(chat, "_generate_one", crash)
        monkeypatch.setattr(chat, "_generate_batch", crash)
    with pytest.raises(BackendError, match="failed to generate: simulated out of memory"):
        alone.complete(MSG, max_tokens=4)
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(batched.complete, MSG, max_tokens=4) for _ in range(3)]
        for f in futures:
            with pytest.raises(BackendError, match="failed to generate: simulated out of memory"):
                f.result(timeout=30)
