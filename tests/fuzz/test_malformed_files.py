"""The corpus of malformed game files (tests/data/malformed/): each must fail fast with the error EXPECTED.toml names.

The files are loaded in a separate process whose address space is capped (``RLIMIT_AS``: its size after imports plus
512 MiB) and whose run is timed out, so a loader that believed a header and allocated (149 GiB for a
``{ 100000 100000 }`` .nfg header, 7.28 TiB for a million bottleneck rooms) fails the test with a MemoryError instead
of taking the machine down.
"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "malformed"
EXPECTED = tomllib.loads((CORPUS / "EXPECTED.toml").read_text())

LOADER = r"""
import json, resource, sys, time
import activeq
from activeq import errors

def vm():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024

budget = vm() + 512 * 1024**2
resource.setrlimit(resource.RLIMIT_AS, (budget, resource.getrlimit(resource.RLIMIT_AS)[1]))
out = {}
for path in sys.argv[1:]:
    t = time.perf_counter()
    try:
        activeq.load_game(path)
        out[path] = ["accepted", "", 0.0]
    except BaseException as exc:
        out[path] = [type(exc).__name__ if isinstance(exc, errors.ActiveqError) else "raw " + type(exc).__name__,
                     str(exc), 0.0]
    out[path][2] = time.perf_counter() - t
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def outcomes():
    files = [str(CORPUS / name) for name in EXPECTED]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", LOADER, *files], capture_output=True, text=True, timeout=120,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {Path(k).name: v for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items()}


def test_the_corpus_lists_every_file():
    on_disk = {p.name for p in CORPUS.iterdir() if p.name != "EXPECTED.toml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_fails_fast_with_its_error(outcomes, name):
    kind, message, seconds = outcomes[name]
    want = EXPECTED[name]
    assert kind == want["error"], f"{name}: {kind}: {message}"
    assert want["match"] in message, message
    assert name in message, f"the error must name the file: {message}"
    assert seconds < 2.0


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    import activeq
    from activeq import limits
    from activeq.errors import CatalogError, InteropError

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    for suffix, error in ((".nfg", InteropError), (".toml", CatalogError)):
        big = tmp_path / f"big{suffix}"
        with open(big, "wb") as fh:  # sparse: 1 GiB on paper, nothing on disk
            fh.truncate(2**30)
        with pytest.raises(error, match=r"1 GiB, above the limit"):
            activeq.load_game(big)
