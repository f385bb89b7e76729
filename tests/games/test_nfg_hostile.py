"""Hostile and oversized Gambit .nfg files: one located error line and status 2, or the right game, quickly.

Large inputs are generated with NumPy into ``tmp_path``; the tests check answers, not times. The reader
reads the payoffs in pieces: a test shrinks the pieces to a few characters and checks that every game
and every error message of the ordinary tests is unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import coop.games.nfg as nfg
from coop.errors import InputError
from coop.games.nfg import MAX_NFG_BYTES, parse_nfg, read_nfg
from coop.games.normal_form import MAX_ACTIONS, MAX_PAYOFF_BYTES, MAX_PLAYERS, check_game_size
from tests.games.test_nfg import DATA, ERRORS

HEAD = 'NFG 1 R "t" { "A" "B" }\n{ 2 2 }\n'


def digits_file(path: Path, header: str, count: int, seed: int = 0) -> np.ndarray:
    """Write ``header`` then ``count`` one-digit payoffs (ten per line); return them as floats."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 10, size=count).astype(np.uint8)
    body = np.full(2 * count, ord(" "), dtype=np.uint8)
    body[0::2] = values + ord("0")
    body[19::20] = ord("\n")
    path.write_bytes(header.encode() + body.tobytes())
    return values.astype(np.float64)


def check_one_line(coop_cli, path, line: int | None, message: str) -> str:
    res = coop_cli("validate", path)
    out = res.stdout + res.stderr
    assert res.exit_code == 2, out
    assert "Traceback" not in out
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, res.stderr
    where = f"coop: error: {path}" + (f", line {line}:" if line is not None else "")
    assert lines[0].startswith(where), lines[0]
    assert re.search(message, lines[0]), lines[0]
    assert len(lines[0]) < 600
    return lines[0]


# ---------------------------------------------------------------------- the game sizes
def test_a_large_game_is_read_exactly(tmp_path):
    """A 2236 x 2236 game (10^7 payoffs, 20 MB): read in pieces by NumPy (was over 60 s and 640 MB)."""
    n = 2236
    path = tmp_path / "big.nfg"
    flat = digits_file(path, f'NFG 1 R "big" {{ "1" "2" }} {{ {n} {n} }}\n', 2 * n * n)
    game = read_nfg(path)
    assert game.payoffs.shape == (2, n, n)
    np.testing.assert_array_equal(game.payoffs, flat.reshape((2, n, n), order="F"))


def test_far_too_many_numbers_are_counted_quickly(tmp_path, coop_cli):
    path = tmp_path / "many.nfg"
    digits_file(path, HEAD, 2_000_000)
    check_one_line(coop_cli, path, 3, r"wrong number of payoffs: expected 8 \(2 players x 4 strategy profiles\), "
                                      r"found 2000000")


def test_a_bad_token_far_into_the_payoffs_is_found(tmp_path):
    n = 1000
    path = tmp_path / "late.nfg"
    digits_file(path, f'NFG 1 R "" {{ "1" "2" }} {{ {n} {n} }}\n', 2 * n * n)
    text = path.read_text()
    cut = text.rindex(" 7 ")
    path.write_text(text[:cut] + " 7/0 " + text[cut + 3 :])
    with pytest.raises(InputError, match=r"division by zero in a payoff '7/0'") as info:
        read_nfg(path)
    assert info.value.line == text[:cut].count("\n") + 1


def test_outcome_version_of_a_large_game(tmp_path):
    n = 300
    rng = np.random.default_rng(1)
    outcomes = rng.integers(-50, 50, size=(n * n, 2))
    index = rng.permutation(n * n) + 1
    index[::7] = 0  # the null outcome
    lines = [f'NFG 1 R "o" {{ "A" "B" }} {{ {n} {n} }}', "{"]
    lines += [f'{{ "" {a}, {b} }}' for a, b in outcomes]
    lines += ["}", " ".join(map(str, index))]
    path = tmp_path / "outcomes.nfg"
    path.write_text("\n".join(lines) + "\n")
    game = read_nfg(path)
    table = np.vstack([np.zeros((1, 2)), outcomes])
    expected = np.moveaxis(table[index.reshape((n, n), order="F")], -1, 0)
    np.testing.assert_array_equal(game.payoffs, expected)


# ---------------------------------------------------------------------- refused from the header
HOSTILE = [
    ("seventy_players", 'NFG 1 R "t" { ' + '"P" ' * 70 + "} { " + "1 " * 70 + "}\n" + "1 " * 70, 1,
     rf"more than {MAX_PLAYERS} players"),
    ("seventy_counts", 'NFG 1 R "t" { "A" "B" }\n{ ' + "1 " * 70 + "}\n1 2", 2,
     r"expected 2 strategy counts .*found more"),
    ("huge_header", 'NFG 1 R "t" { "A" "B" }\n{ 100000 100000 }\n1 2 3', 2,
     r"needs 149 GiB of payoffs; expected at most 1 GiB"),
    ("many_actions", 'NFG 1 R "t" { "A" "B" }\n{ 1 100000000 }\n1 2', 2,
     rf"player 2 of 2 has 100,000,000 actions; coop handles at most {MAX_ACTIONS:,}"),
    ("long_label_list", 'NFG 1 R "t" { "A" "B" }\n{ { ' + '"a" ' * 20_000 + "}\n{ " + '"b" ' * 20_000 + "} }\n1",
     3, rf"player 2 has more than {MAX_PAYOFF_BYTES // (8 * 2 * 20_000):,} strategies: .* more than "
        rf"{MAX_PAYOFF_BYTES // 1024**3} GiB"),
    ("nul", HEAD + "1 2 3 4\x00 5 6 7 8", 3, r"NUL character"),
    ("unterminated_title", 'NFG 1 R "' + "x" * 100_000, 1, r"unterminated string"),
    ("empty", "", 1, r"expected the header 'NFG 1 R'"),
    ("yaml_instead", "title: x\n", 1, r"expected the header 'NFG 1 R'"),
    ("huge_numbers", HEAD + "1e400 2 3 4 5 6 7 8", 3, r"must be a finite number, got '1e400'"),
    ("huge_fraction", HEAD + "1" * 3000 + "/" + "1" * 1500 + " 2 3 4 5 6 7 8", 3, r"too many digits"),
]


@pytest.mark.parametrize(("text", "line", "message"), [pytest.param(*c[1:], id=c[0]) for c in HOSTILE])
def test_hostile_nfg_gives_one_line(tmp_path, coop_cli, text, line, message):
    path = tmp_path / "h.nfg"
    path.write_text(text, encoding="utf-8")
    check_one_line(coop_cli, path, line, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param('NFG 1 R "t" { "A" } { 1 } 1'.encode("utf-16"), r"UTF-16 text; save it as UTF-8", id="utf16"),
        pytest.param(bytes(range(256)) * 8, r"NUL character", id="binary"),
    ],
)
def test_undecodable_nfg_gives_one_line(tmp_path, coop_cli, content, message):
    path = tmp_path / "b.nfg"
    path.write_bytes(content)
    check_one_line(coop_cli, path, 1, message)


def test_a_file_over_the_cap_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(nfg, "MAX_NFG_BYTES", 1000)
    monkeypatch.setattr(nfg, "parse_nfg", lambda *a, **k: pytest.fail("a file over the cap must not be parsed"))
    path = tmp_path / "big.nfg"
    path.write_text(HEAD + "1 " * 600)
    size = path.stat().st_size
    with pytest.raises(InputError, match=rf"the file is {size:,} bytes; a Gambit .nfg file may be at most 1,000 bytes"):
        read_nfg(path)
    assert MAX_NFG_BYTES == 256 * 1024**2


def test_a_stream_without_a_size_is_read_only_to_the_cap(monkeypatch):
    monkeypatch.setattr(nfg, "MAX_NFG_BYTES", 1000)
    with pytest.raises(InputError, match=r"larger than 1,000 bytes"):
        read_nfg("/dev/zero")


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        pytest.param([1] * (MAX_PLAYERS + 1), rf"{MAX_PLAYERS + 1} players is too large", id="players"),
        pytest.param([2, MAX_ACTIONS + 1], rf"player 2 of 2 has {MAX_ACTIONS + 1:,} actions", id="actions"),
        pytest.param([10**400, 2], r"player 1 of 2 has about 1e400 actions", id="astronomical_count"),
        pytest.param([MAX_ACTIONS] * MAX_PLAYERS, r"needs about 1e1\d\d GiB", id="astronomical_size"),
        pytest.param([2, 0], r"at least one action", id="no_action"),
    ],
)
def test_check_game_size_limits(counts, message):
    with pytest.raises(InputError, match=message):
        check_game_size(counts)


def test_the_limits_leave_room_below_numpys_64_axes():
    check_game_size([1] * MAX_PLAYERS)
    check_game_size([MAX_ACTIONS, 2])
    assert MAX_PLAYERS + 1 + 2 <= 64  # the payoff axis and two solver axes still fit
    game = parse_nfg('NFG 1 R "" { ' + '"P" ' * MAX_PLAYERS + "} { " + "1 " * MAX_PLAYERS + "}" + " 1" * MAX_PLAYERS)
    assert game.num_players == MAX_PLAYERS


# ---------------------------------------------------------------------- pieces change nothing
def _outcome(text: str):
    try:
        game = parse_nfg(text, source="m.nfg")
    except InputError as err:
        return str(err)
    return game.payoffs.tolist(), game.players, game.actions, game.title, game.description


@pytest.mark.parametrize("chunk", [1, 3, 16])
def test_reading_in_small_pieces_gives_the_same_games_and_errors(monkeypatch, chunk):
    texts = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.nfg"))]
    texts += [case.values[0] for case in ERRORS]
    texts += [HEAD + "1, 2, 3/4, 4\n5 6 7 8\n", HEAD + '{ { "o" 1 2 } { "p" 3/4, 4 } }\n1 2 0 1\n',
              HEAD + "1 2 3 4\n5 6 7 8 9 10\n", HEAD + '{ { "o" 1 2 } }\n1 1 1 1 1 1\n']
    whole = [_outcome(t) for t in texts]
    monkeypatch.setattr(nfg, "_CHUNK", chunk)
    monkeypatch.setattr(nfg, "_OUTCOME_BATCH", chunk)
    assert [_outcome(t) for t in texts] == whole


_WORDS = ["0", "-0", "+0", "7", "-7", "+7", "007", "-05", "1.5", "-.5", "+.5", "5.", "1e3", "1E-3", "-1.5e+2",
          "123456789012345678", "1234567890123456789", "1e400", "3/4", "-3/4", "+", "-", ".", "e", "1e", "5-",
          "-5-", "+-5", "5+5", "1-2", "1..2", "--1", "x", "nan", "inf", "0x10", '"s"', "{", "}", ",", ",,"]


@settings(deadline=None, max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from([" ", "\n", ", ", "\t", ","])), max_size=12),
       st.sampled_from([1, 4, 1 << 18]), st.booleans())
def test_numpy_pieces_read_like_the_token_reader(words, chunk, outcomes):
    """Whatever the words, reading pieces with NumPy gives the token reader's values (-0.0 too) or error."""
    body = "".join(w + s for w, s in words)
    head = HEAD + ('{ { "o" 1 2 } { "p" 3 4 } }\n' if outcomes else "")
    text = head + body

    def read() -> object:
        try:
            return [repr(x) for x in parse_nfg(text, source="m.nfg").payoffs.ravel()]
        except InputError as err:
            return str(err)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(nfg, "_CHUNK", chunk)
        fast = read()
        m.setattr(nfg, "_plain_chunk", lambda *args: None)  # every piece token by token
        assert read() == fast
