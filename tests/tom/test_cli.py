"""``activeq tom`` against the tiny model's HTTP server: JSON/CSV/PNG outputs, --json, --seed, errors exit 2."""

import json
import subprocess
import sys

import pytest

from activeq.cli import main


def test_cli_probe_over_http_writes_json_csv_png(tiny_server, tmp_path, capsys):
    rc = main(["tom", "--game", "rock_paper_scissors", "--partner", "single:0", "--styles", "plain,social",
               "--backend", "openai", "--base-url", tiny_server.base_url, "--model", "tiny-llama", "--seeds", "2",
               "--rounds", "4", "--seed", "3", "--baselines", "oracle", "--out", str(tmp_path), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    cells = {(c["style"], c["model"]): c for c in data["cells"]}
    assert set(cells) == {("plain", "tiny-llama"), ("social", "tiny-llama"), ("scripted", "oracle")}
    assert cells[("plain", "tiny-llama")]["seeds"] == [3, 4]
    assert cells[("scripted", "oracle")]["functional_regret"]["mean"] == 0.0
    assert cells[("plain", "tiny-llama")]["parse_failure_rate"]["mean"] == 1.0  # gibberish, counted
    for name in ("tom_results.json", "tom_results.csv", "tom_regret.png"):
        assert (tmp_path / name).stat().st_size > 100
    assert len(list((tmp_path / "checkpoints").glob("*.jsonl"))) == 6


def test_cli_table_output(capsys):
    assert main(["tom", "--backend", "none", "--baselines", "model_based", "--rounds", "20", "--seeds", "2",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Delta_F/T" in out and "tabular_model_based" in out


@pytest.mark.parametrize("args, message", [
    (["--styles", "shouty", "--backend", "none", "--baselines", "oracle"], "style must be one of"),
    (["--backend", "carrier-pigeon"], "--backend must be"),
    (["--backend", "openai", "--model", "m"], "--base-url is required"),
    (["--partner", "sometimes", "--backend", "none", "--baselines", "oracle"], "unknown partner"),
    (["--rounds", "0", "--backend", "none", "--baselines", "oracle"], "rounds must be >= 1"),
])
def test_cli_errors_print_one_line_and_exit_2(args, message):
    code = "import sys; from activeq.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", code, "tom", "--quiet", *args], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
