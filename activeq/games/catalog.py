"""The game catalog: declarative TOML files, one game each, loaded with :func:`load_game`.

Where the files live: inside an installed wheel at ``activeq/_catalog`` (hatch force-includes the repository's
``games/`` there); in an editable install, the repository's ``games/`` directory.

File format (``games/<name>.toml``; ``name`` must equal the file stem). Required for every file:
``name``, ``title``, ``description``, ``reference`` (a citation), ``players`` (list of names) and ``actions``
(one list of action names per player). Then exactly one of:

* **payoffs** (normal-form game): a table with one array per player, keyed by player name, each indexed by the
  players' actions in order (``payoffs.row[a_row][a_col]``)::

      players = ["row", "column"]
      actions = [["cooperate", "defect"], ["cooperate", "defect"]]
      [payoffs]
      row = [[3, 0], [5, 1]]
      column = [[3, 5], [0, 1]]

  A plain array of shape ``(n_players, *n_actions)`` is accepted too.
* **rewards / transitions** (small stochastic game written out): ``states`` (names), ``rewards`` (a table keyed by
  player name of ``(S, *n_actions)`` arrays, or one ``(S, n_players, *n_actions)`` array), ``transitions``
  (``(S, *n_actions, S)``), optional ``discount`` and ``initial``.
* **generator** (large games; files never execute code): ``generator = "<registered name>"`` (see
  :mod:`activeq.games.generators`) and an optional ``[params]`` table passed to it as keyword arguments; the
  generated game's player and action counts must match ``players`` / ``actions``.

An optional ``kind`` (``"normal_form"`` / ``"stochastic"``) is checked against what the file describes.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .. import limits
from ..errors import ArgumentError, CatalogError, GameError
from ._files import read_text_file
from .normal_form import NormalFormGame
from .stochastic import StochasticGame

REQUIRED = ("name", "title", "description", "reference", "players", "actions")
KNOWN_FIELDS = set(REQUIRED) | {"kind", "payoffs", "states", "rewards", "transitions", "discount", "initial",
                                "generator", "params"}

Game = NormalFormGame | StochasticGame


@dataclass(frozen=True)
class CatalogEntry:
    """One catalog file's metadata (read without building the game)."""

    name: str
    title: str
    kind: str  # "normal_form" or "stochastic"
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    reference: str
    description: str
    path: str
    generator: str | None = None

    @property
    def shape(self) -> str:
        """Action counts joined by ``x`` (``"2x2"``, ``"2x2x2"``)."""
        return "x".join(str(len(a)) for a in self.actions)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "players": list(self.players),
                "actions": [list(a) for a in self.actions], "reference": self.reference,
                "description": self.description, "path": self.path, "generator": self.generator}


def catalog_dir() -> Path:
    """The directory holding the catalog's TOML files (wheel: ``activeq/_catalog``; editable: ``<repo>/games``)."""
    try:
        packaged = resources.files("activeq") / "_catalog"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - odd importers
        pass
    return Path(__file__).resolve().parents[2] / "games"


def _catalog_files() -> dict[str, Path]:
    root = catalog_dir()
    if not root.is_dir():
        raise CatalogError(f"the game catalog directory {root} does not exist (broken installation?)")
    return {p.stem: p for p in sorted(root.glob("*.toml"))}


def list_games() -> tuple[CatalogEntry, ...]:
    """Every catalog game's metadata, sorted by name."""
    return tuple(_entry(_read_toml(path), path) for _, path in sorted(_catalog_files().items()))


def catalog_entry(name_or_path: str | os.PathLike[str]) -> CatalogEntry:
    """Metadata of one catalog game (by name) or TOML file (by path)."""
    path = _resolve(name_or_path)
    if path.suffix.lower() != ".toml":
        raise CatalogError(f"{path}: catalog metadata exists only for .toml files")
    return _entry(_read_toml(path), path)


def load_game(name_or_path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Game:
    """Build the game named ``name_or_path`` in the catalog, or read it from a ``.toml`` / Gambit ``.nfg`` file.

    Parameters
    ----------
    name_or_path
        A catalog name (``activeq games`` lists them) or a path to a ``.toml`` or ``.nfg`` file.
    max_bytes
        Largest allocation the file may cause (a generator's parameters, an ``.nfg`` header); default
        :data:`activeq.limits.MAX_BYTES`. Files are untrusted: a file can never raise this limit itself.

    Returns
    -------
    NormalFormGame or StochasticGame
        The game, named as the file says.

    Raises
    ------
    activeq.errors.CatalogError
        Unknown names (with close matches); malformed files, naming the file and the field; games above the size
        limits, stating the estimate and the limit.
    """
    path = _resolve(name_or_path)
    if path.suffix.lower() == ".nfg":
        from .interop.gambit import read_nfg

        return read_nfg(path, max_bytes=max_bytes)
    data = _read_toml(path)
    entry = _entry(data, path)
    game = _build(data, entry, max_bytes)
    game.name, game.title, game.description = entry.name, entry.title, entry.description
    return game


# --- internals ----------------------------------------------------------------------------------------------------
def _looks_like_path(arg: str) -> bool:
    return arg.lower().endswith((".toml", ".nfg")) or "/" in arg or os.sep in arg


def _resolve(name_or_path: str | os.PathLike[str]) -> Path:
    if isinstance(name_or_path, os.PathLike) or (isinstance(name_or_path, str) and _looks_like_path(name_or_path)):
        path = Path(name_or_path)
        if path.is_file():
            return path
        if path.parent == Path(".") and path.suffix == ".toml" and path.stem in _catalog_files():
            return _catalog_files()[path.stem]  # "prisoners_dilemma.toml" typed for the catalog entry
        raise CatalogError(f"no game file at {path}")
    if not isinstance(name_or_path, str) or not name_or_path:
        raise CatalogError(f"name_or_path must be a catalog name or a file path, got {name_or_path!r}")
    files = _catalog_files()
    if name_or_path in files:
        return files[name_or_path]
    close = difflib.get_close_matches(name_or_path, list(files), n=4, cutoff=0.5)
    if not close:  # also match on substrings ("pennies" -> matching_pennies)
        close = [n for n in files if name_or_path.lower() in n][:4]
    hint = f"; did you mean {', '.join(close)}?" if close else "; `activeq games` lists the catalog"
    raise CatalogError(f"unknown game {name_or_path!r}{hint}")


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML game file: bounded size (checked before reading), UTF-8, bounded nesting, file named in errors."""
    text = read_text_file(path, str(path), CatalogError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        data = None
    depth = None if data is None else _nesting(data)
    if depth is None or depth > limits.MAX_NESTING:
        raise CatalogError(f"{path}: arrays or tables nested deeper than {limits.MAX_NESTING} levels "
                           f"(activeq.limits.MAX_NESTING); a game file needs a few")
    return data


def _nesting(data: Any) -> int | None:
    """Deepest nesting of lists/dicts in parsed TOML, found without recursion (None once past the limit)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limits.MAX_NESTING:
            return None
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (list, dict)))
    return deepest


def _field(data: dict[str, Any], key: str, path: Path, kind: type | tuple[type, ...]) -> Any:
    if key not in data:
        raise CatalogError(f"{path}: missing required field '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise CatalogError(f"{path}: field '{key}' must be a {want}, got {type(value).__name__}")
    return value


def _names_list(value: Any, field: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise CatalogError(f"{path}: field '{field}' must be a non-empty list of non-empty strings, got {value!r}")
    if len(set(value)) != len(value):
        raise CatalogError(f"{path}: field '{field}' has duplicate names: {value}")
    return tuple(value)


def _entry(data: dict[str, Any], path: Path) -> CatalogEntry:
    for key in ("name", "title", "description", "reference"):
        _field(data, key, path, str)
    if data["name"] != path.stem:
        raise CatalogError(f"{path}: field 'name' is {data['name']!r} but must equal the file name {path.stem!r}")
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise CatalogError(f"{path}: unknown field(s) {', '.join(map(repr, unknown))}; "
                           f"known: {', '.join(sorted(KNOWN_FIELDS))}")
    players = _names_list(_field(data, "players", path, list), "players", path)
    actions_raw = _field(data, "actions", path, list)
    if len(actions_raw) != len(players):
        raise CatalogError(f"{path}: field 'actions' must have one list per player ({len(players)}), "
                           f"got {len(actions_raw)}")
    actions = tuple(_names_list(a, f"actions[{i}]", path) for i, a in enumerate(actions_raw))
    sources = [k for k in ("payoffs", "transitions", "generator") if k in data]
    if len(sources) != 1:
        raise CatalogError(f"{path}: needs exactly one of 'payoffs' (normal-form), 'rewards'+'transitions' "
                           f"(stochastic) or 'generator'; found {sources or 'none'}")
    generator = None
    if sources[0] == "payoffs":
        kind = "normal_form"
    elif sources[0] == "transitions":
        kind = "stochastic"
    else:
        from .generators import get_generator

        generator = _field(data, "generator", path, str)
        try:
            kind = get_generator(generator).kind
        except CatalogError as exc:
            raise CatalogError(f"{path}: field 'generator': {exc}") from None
        if "params" in data and not isinstance(data["params"], dict):
            raise CatalogError(f"{path}: field 'params' must be a table, got {type(data['params']).__name__}")
    if "kind" in data and data["kind"] != kind:
        raise CatalogError(f"{path}: field 'kind' says {data['kind']!r} but the file describes a {kind} game")
    return CatalogEntry(name=data["name"], title=data["title"], kind=kind, players=players, actions=actions,
                        reference=data["reference"], description=data["description"], path=str(path),
                        generator=generator)


def _per_player_array(value: Any, field: str, entry: CatalogEntry, lead: tuple[int, ...]) -> np.ndarray:
    """A per-player table (or a single array with the player axis after ``lead``) as one float array."""
    path = entry.path
    if isinstance(value, dict):
        missing = [p for p in entry.players if p not in value]
        extra = [k for k in value if k not in entry.players]
        if missing or extra:
            raise CatalogError(f"{path}: field '{field}' must have one entry per player {list(entry.players)}; "
                               f"missing {missing}, unexpected {extra}")
        arrays = [_array(value[p], f"{field}.{p}", path) for p in entry.players]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise CatalogError(f"{path}: field '{field}' arrays differ in shape: "
                               + ", ".join(f"{p} {a.shape}" for p, a in zip(entry.players, arrays)))
        return np.stack(arrays, axis=len(lead))
    return _array(value, field, path)


def _array(value: Any, field: str, path: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"{path}: field '{field}' must be a rectangular array of numbers ({exc})") from None
    return arr


def _build(data: dict[str, Any], entry: CatalogEntry, max_bytes: int | None = None) -> Game:
    path = entry.path
    shape = tuple(len(a) for a in entry.actions)
    try:
        if "payoffs" in data:
            payoffs = _per_player_array(data["payoffs"], "payoffs", entry, ())
            want = (len(entry.players), *shape)
            if payoffs.shape != want:
                raise CatalogError(f"{path}: field 'payoffs' must have shape {want} (players x actions), "
                                   f"got {payoffs.shape}")
            return NormalFormGame(payoffs, action_names=entry.actions, player_names=entry.players)
        if "transitions" in data:
            states = _names_list(_field(data, "states", Path(path), list), "states", Path(path))
            rewards = _per_player_array(_field(data, "rewards", Path(path), (dict, list)), "rewards", entry, (len(states),))
            transitions = _array(data["transitions"], "transitions", path)
            discount = data.get("discount")
            return StochasticGame(rewards, transitions, discount=discount, initial=data.get("initial"),
                                  state_names=states, action_names=entry.actions, player_names=entry.players)
        from .generators import generate

        params = data.get("params", {})
        if "max_bytes" in params:
            raise CatalogError(f"{path}: field 'params' may not set max_bytes (a file cannot raise the size limit; "
                               f"pass load_game(..., max_bytes=...))")
        game = generate(entry.generator, max_bytes=max_bytes, **params)
    except CatalogError:
        raise
    except (GameError, ArgumentError) as exc:
        raise CatalogError(f"{path}: {exc}") from None
    except TypeError as exc:  # e.g. a parameter of the wrong type inside a generator
        raise CatalogError(f"{path}: generator {entry.generator!r} failed: {exc}") from None
    if not isinstance(game, (NormalFormGame, StochasticGame)):
        raise CatalogError(f"{path}: generator {entry.generator!r} returned {type(game).__name__}, not a game")
    if game.num_players != len(entry.players) or tuple(game.num_actions) != shape:
        raise CatalogError(f"{path}: fields 'players'/'actions' describe {len(entry.players)} players with actions "
                           f"{shape}, but generator {entry.generator!r} built {game.num_players} with {game.num_actions}")
    # the file's names win over the generator's defaults
    game.player_names = entry.players
    game.action_names = entry.actions
    return game
