"""`activeq games` and `activeq show`: tables, --json, one-line errors with exit code 2."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from activeq import list_games, load_game
from activeq.cli import main
from activeq.games.interop import write_nfg

ACTIVEQ = Path(sys.executable).with_name("activeq")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_games_lists_the_catalog(capsys):
    code, out, err = run(capsys, "games")
    assert code == 0 and not err
    for entry in list_games():
        assert entry.name in out and entry.title in out
    assert "three_player_matching_pennies" in out and "2x2x2" in out


def test_games_json_and_kind_filter(capsys):
    code, out, _ = run(capsys, "games", "--json")
    data = json.loads(out)
    assert code == 0 and [g["name"] for g in data["games"]] == [e.name for e in list_games()]
    code, out, _ = run(capsys, "games", "--kind", "stochastic", "--json")
    kinds = {g["kind"] for g in json.loads(out)["games"]}
    names = {g["name"] for g in json.loads(out)["games"]}
    assert kinds == {"stochastic"} and {"grid_game_1", "grid_game_2", "big_match"} <= names


def test_show_bach_or_stravinsky(capsys):
    code, out, err = run(capsys, "show", "bach_or_stravinsky")
    assert code == 0 and not err
    assert "Bach or Stravinsky" in out and "Osborne" in out
    assert "2, 1" in out and "1, 2" in out  # the bimatrix
    assert "row's payoffs" in out and "column's payoffs" in out


def test_show_json_round_trips_the_payoffs(capsys):
    code, out, _ = run(capsys, "show", "bach_or_stravinsky", "--json")
    data = json.loads(out)
    assert code == 0 and data["kind"] == "normal_form" and data["reference"]
    np.testing.assert_array_equal(data["payoffs"], load_game("bach_or_stravinsky").payoffs)
    code, out, _ = run(capsys, "show", "big_match", "--json")
    data = json.loads(out)
    assert data["kind"] == "stochastic" and data["discount"] == 0.9
    np.testing.assert_array_equal(data["transitions"], load_game("big_match").transitions)


def test_show_stochastic_states_and_transitions(capsys):
    code, out, _ = run(capsys, "show", "grid_game_2", "--state", "(0,2)", "--state", "5", "--transitions")
    assert code == 0
    assert "== state 2: (0,2) ==" in out and "== state 5: (0,5) ==" in out and out.count("== state") == 2
    assert "(up,up) -> (0,2): 0.25, (0,5): 0.25, (3,2): 0.25, (3,5): 0.25" in out
    code, out, _ = run(capsys, "show", "grid_game_1")  # large games show the start state unless asked
    assert out.count("== state") == 1 and "== state 2: (0,2) ==" in out and "--all-states" in out
    code, out, _ = run(capsys, "show", "grid_game_1", "--all-states")
    assert out.count("== state") == 81
    code, out, _ = run(capsys, "show", "three_player_matching_pennies")
    assert "P1's payoffs when P3 plays heads" in out


def test_show_reads_nfg_files(capsys, tmp_path):
    path = write_nfg(load_game("chicken"), tmp_path / "chicken.nfg")
    code, out, _ = run(capsys, "show", str(path))
    assert code == 0 and "-10, -10" in out


@pytest.mark.parametrize("argv, words", [
    (["show", "bach_or_stravinski"], ["unknown game", "did you mean bach_or_stravinsky"]),
    (["show", "grid_game_1", "--state", "nowhere"], ["--state", "nowhere"]),
    (["show", "no/such/file.toml"], ["no game file"]),
])
def test_errors_print_one_line_and_exit_2(argv, words):
    proc = subprocess.run([str(ACTIVEQ), *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"activeq {argv[0]}: error:")
    for w in words:
        assert w in lines[0]
    assert "Traceback" not in proc.stderr


def test_closed_pipe_exits_quietly():
    """`activeq show grid_game_1 --json | head -c 100` must not print a BrokenPipeError traceback."""
    proc = subprocess.Popen([str(ACTIVEQ), "show", "grid_game_1", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.read(100).startswith(b"{")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err
