"""Test helpers that need no downloads: a tiny Llama-style chat model built in-process, and a served copy of it.

:func:`build_tiny_model` trains a byte-level BPE tokenizer with ``tokenizers`` on a few lines of game text, attaches a
chat template, builds a randomly initialised ``LlamaForCausalLM`` of a few tens of thousands of parameters and saves
both to a directory that ``AutoModelForCausalLM``/``AutoTokenizer.from_pretrained`` load. Its answers are gibberish,
which is what the parse-failure path needs. The test suite, the notebook and ``benchmarks/tom.py`` use it; the real
model in ``analysis/`` is SmolLM2-135M-Instruct. Raises nothing of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHAT_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                 "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

_CORPUS = ["rock paper scissors cooperate defect bach stravinsky", "You are playing a repeated game.",
           "Round 1: you played rock, partner played paper, you got -1.", "PREDICTION: rock", "ACTION: paper",
           "If you play cooperate and your partner plays defect, you get 0 and your partner gets 5."]


def build_tiny_model(path: str | Path, *, seed: int = 0, vocab_size: int = 384, hidden: int = 32,
                     layers: int = 2, context: int = 8192) -> Path:
    """Build and save the tiny chat model (see the module docstring); returns ``path``.

    Parameters
    ----------
    path : str or Path
        Directory to write (created).
    seed : int
        Weight initialisation seed.
    vocab_size, hidden, layers, context : int
        Tokenizer vocabulary, model width, depth and context length (``max_position_embeddings``).

    Returns
    -------
    Path
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(_CORPUS * 20, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   bos_token="<|im_start|>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(path)
    cfg = LlamaConfig(vocab_size=len(fast), hidden_size=hidden, intermediate_size=2 * hidden,
                      num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=context, tie_word_embeddings=True,
                      eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id, bos_token_id=fast.bos_token_id)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(cfg)
    model.save_pretrained(path)
    return path


def num_parameters(model: Any) -> int:
    """Number of distinct parameters of a torch model."""
    return sum(p.numel() for p in model.parameters())
