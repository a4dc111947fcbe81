"""The documentation's code runs as written: every ```python block of the tutorial and the how-to guides is executed
(in order, one namespace per page, in a temporary directory), and every ```toml block loads as the game it
documents."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import matplotlib
import pytest

import activeq
from activeq.games.generators import GENERATORS

matplotlib.use("Agg")
DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = [DOCS / "tutorial.md"] + sorted((DOCS / "howto").glob("*.md"))


def blocks(page: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", page.read_text(), flags=re.S)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_code_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for text in blocks(page, "toml"):
        (tmp_path / f"{tomllib.loads(text)['name']}.toml").write_text(text)
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for code in blocks(page, "python"):
        exec(compile(code, str(page), "exec"), namespace)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_game_file_examples_load_as_documented(tmp_path):
    texts = blocks(DOCS / "howto" / "game_files.md", "toml")
    games = {}
    for text in texts:
        name = tomllib.loads(text)["name"]
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        games[name] = activeq.load_game(path)
    assert set(games) == {"stag_or_hare", "two_state", "big_match_95"}
    assert isinstance(games["stag_or_hare"], activeq.NormalFormGame)
    assert isinstance(games["two_state"], activeq.StochasticGame) and games["two_state"].discount == 0.9
    assert games["big_match_95"].discount == 0.95
    # the page's claim: a name that differs from the file name is refused
    wrong = tmp_path / "other_name.toml"
    wrong.write_text(texts[0])
    with pytest.raises(activeq.errors.CatalogError, match="must equal the file name 'other_name'"):
        activeq.load_game(wrong)
    # and a top-level key written after a [table] header is the documented "found none" error
    lines = texts[1].splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("transitions = "))
    moved = "\n".join(lines[:k] + lines[k + 2:] + lines[k:k + 2]) + "\n"  # transitions now after [rewards]
    (tmp_path / "two_state.toml").write_text(moved)
    with pytest.raises(activeq.errors.CatalogError, match="found none"):
        activeq.load_game(tmp_path / "two_state.toml")


def test_every_registered_generator_is_documented():
    page = (DOCS / "howto" / "game_files.md").read_text()
    for gen in GENERATORS.values():
        assert f"`{gen.name}`" in page, gen.name
        for param in gen.parameters:
            if param == "max_bytes":  # the caller's size limit: a file cannot set it (activeq.limits)
                continue
            assert f"`{param}`" in page, (gen.name, param)
