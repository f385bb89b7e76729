"""Tests of the Gambit .nfg reader and writer, with pygambit as the oracle."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.nfg import format_nfg, parse_nfg, read_nfg
from tests import textbook_games
from tests.oracles import gambit_labels, gambit_payoffs, pygambit
from tests.strategies import games

DATA = Path(__file__).resolve().parent.parent / "data" / "nfg"


# ---------------------------------------------------------------------- oracle: files read by both
FILES = [
    pytest.param("asym_2x3x2_payoff.nfg", id="payoff_labels_3p"),
    pytest.param("counts_payoff_2p.nfg", id="payoff_counts_2p_NFG1D"),
    pytest.param("three_firm_outcomes.nfg", id="outcome_counts_3p"),
    pytest.param("labelled_outcomes_4p.nfg", id="outcome_labels_4p"),
    pytest.param("empty_and_repeated_labels.nfg", id="payoff_odd_labels_2p"),
]


@pytest.mark.parametrize("name", FILES)
def test_reader_agrees_with_pygambit(name):
    path = DATA / name
    ours = read_nfg(path)
    theirs = pygambit.read_nfg(str(path))
    expected = gambit_payoffs(theirs)
    assert ours.payoffs.shape == expected.shape
    np.testing.assert_array_equal(ours.payoffs, expected)  # both read decimals and fractions exactly
    assert ours.title == theirs.title
    assert ours.description == theirs.description
    players, actions = gambit_labels(theirs)
    # empty and repeated labels are renamed exactly as pygambit renames them
    assert ours.players == players
    assert ours.actions == actions
    if name == "empty_and_repeated_labels.nfg":
        assert ours.actions == (("x_1", "x_2", "_1"), ("_1", "y"))


def test_profile_order_first_player_fastest():
    """Direct check of the axis conversion on the asymmetric 2x3x2 file, independent of pygambit."""
    g = read_nfg(DATA / "asym_2x3x2_payoff.nfg")
    flat = [1, -2, 3, 4, 5, -6, 7, 8 / 3, 9, -10, 11, 12, 13, 14, -15, 16, 17.5, 18,
            19, 20, 21, -22, 23, 24, 25, 26, 27, 28, -29, 30, 31, 32, 33, 34, 35, -36.25]
    for s1, s2, s3 in itertools.product(range(2), range(3), range(2)):
        k = s1 + 2 * (s2 + 3 * s3)  # profile number, first player fastest
        assert g.payoffs[:, s1, s2, s3].tolist() == flat[3 * k : 3 * k + 3]
    assert g.payoffs[:, 1, 0, 0].tolist() == [4, 5, -6]
    assert g.payoffs[:, 0, 1, 0].tolist() == [7, 8 / 3, 9]
    assert g.payoffs[:, 0, 0, 1].tolist() == [19, 20, 21]


def test_outcome_version_hand_checked():
    g = read_nfg(DATA / "three_firm_outcomes.nfg")
    # indices 1 2 3 4 0 4 3 2 over profiles (first player fastest)
    assert g.payoffs[:, 0, 0, 0].tolist() == [3, 3, 3]
    assert g.payoffs[:, 1, 0, 0].tolist() == [0, 4, 4]
    assert g.payoffs[:, 0, 1, 0].tolist() == [0.5, -1, 2.25]
    assert g.payoffs[:, 1, 1, 0].tolist() == [100, 0.2, -3]
    assert g.payoffs[:, 0, 0, 1].tolist() == [0, 0, 0]  # null outcome
    assert g.payoffs[:, 1, 1, 1].tolist() == [0, 4, 4]


# ---------------------------------------------------------------------- writer, read back by pygambit
def _written_games():
    # pygambit 17 accepts only labels without control characters, leading, trailing or double spaces,
    # so the labels here stay inside that set (coop's own round trip covers any text)
    rng = np.random.default_rng(7)
    yield pytest.param(textbook_games.prisoners_dilemma(), id="pd")
    yield pytest.param(textbook_games.von_stengel_3x2(), id="von_stengel")
    yield pytest.param(textbook_games.three_player_matching_pennies(), id="3p_pennies")
    yield pytest.param(
        NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 3, 2)) * 1e3, players=('say "hi"', "B", "C"),
                                    actions=(("a b", "c"), ("x", "y", "z"), ("e'", "x\\y")), title="random 3p",
                                    description="multi\nline"),
        id="random_3p_odd_labels",
    )
    yield pytest.param(
        NormalFormGame.from_payoffs(rng.integers(-9, 10, (4, 2, 1, 3, 2)).astype(float) / 7),
        id="random_4p_sevenths",
    )
    yield pytest.param(
        NormalFormGame.from_payoffs([[[1e22, -1.5e-7], [5e-324, 1.7976931348623157e308]],
                                     [[-0.0, 2**60], [123456789.125, -1e16]]]),
        id="extreme_floats",
    )


@pytest.mark.parametrize("game", list(_written_games()))
def test_written_file_read_by_pygambit(game, tmp_path):
    path = tmp_path / "game.nfg"
    path.write_text(format_nfg(game), encoding="utf-8")
    theirs = pygambit.read_nfg(str(path))
    np.testing.assert_array_equal(gambit_payoffs(theirs), game.payoffs)
    assert gambit_labels(theirs) == (game.players, game.actions)
    assert theirs.title == game.title
    assert theirs.description == game.description
    # and by coop, through the class hooks
    again = NormalFormGame.from_nfg(path)
    np.testing.assert_array_equal(again.payoffs, game.payoffs)
    assert again.to_nfg() == game.to_nfg() == format_nfg(game)


def test_format_layout():
    g = NormalFormGame.from_bimatrix([[1, 2.5]], [[3, -4]], players=("P1", "P2"), actions=(("a",), ("c", "d")),
                                     title="t")
    assert format_nfg(g) == 'NFG 1 R "t" { "P1" "P2" }\n{ { "a" } { "c" "d" } }\n""\n\n1 3\n2.5 -4\n'


# ---------------------------------------------------------------------- round trip (property)
labels = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6)
finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def labelled_games(draw):
    game = draw(games(n_players=(1, 4), max_actions=3))
    players = draw(st.lists(labels, min_size=game.num_players, max_size=game.num_players, unique=True))
    actions = [draw(st.lists(labels, min_size=a, max_size=a, unique=True)) for a in game.num_actions]
    payoffs = np.array(game.payoffs)
    if draw(st.booleans()):  # arbitrary finite floats, subnormals and huge ones included
        payoffs = np.array(draw(st.lists(finite, min_size=payoffs.size, max_size=payoffs.size))).reshape(
            payoffs.shape)
    title = draw(st.text(max_size=10))
    description = draw(st.text(max_size=20))
    return NormalFormGame.from_payoffs(payoffs, players, actions, title, description)


@settings(deadline=None, max_examples=60)
@given(labelled_games())
def test_round_trip(game):
    again = parse_nfg(format_nfg(game))
    np.testing.assert_array_equal(again.payoffs, game.payoffs)
    assert again.players == game.players
    assert again.actions == game.actions
    assert again.title == game.title
    assert again.description == game.description


@settings(deadline=None, max_examples=60)
@given(st.text(max_size=80))
def test_arbitrary_text_gives_a_game_or_an_input_error(text):
    try:
        parse_nfg("NFG 1 R " + text)
    except InputError as err:
        assert "line" in str(err) and "\n" not in str(err)


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 10**6), st.sampled_from(["", "x", "{", "}", '"', "0", ",", "\n", "-", "/"]))
def test_mutated_file_gives_a_game_or_an_input_error(where, insert):
    text = (DATA / "labelled_outcomes_4p.nfg").read_text()
    k = where % (len(text) + 1)
    for mutated in (text[:k] + insert + text[k + 1 :], text[:k] + insert + text[k:]):
        try:
            parse_nfg(mutated, source="m.nfg")
        except InputError as err:
            assert str(err).startswith("m.nfg, line ")


# ---------------------------------------------------------------------- details of the reader
def test_commas_and_fractions_equal_plain_numbers():
    plain = parse_nfg('NFG 1 R "" { "A" "B" } { 2 1 } 0.75 -2 1 0.5')
    commas = parse_nfg('NFG 1 R "" { "A" "B" } { 2 1 } 3/4, -2,\n 1, 1/2')
    np.testing.assert_array_equal(plain.payoffs, commas.payoffs)


def test_escaped_quotes_and_backslashes():
    g = parse_nfg(r'NFG 1 R "a \"b\" c\\" { "x\y" "" } { { "\"" "\\\"" } { "" } } "d" 1 2 3 4')
    assert g.title == 'a "b" c\\'
    assert g.players == ("x\\y", "_1")
    assert g.actions == (('"', '\\"'), ("_1",))


@pytest.mark.parametrize(
    ("given_labels", "expected"),
    [
        pytest.param(["a", "b"], ("a", "b"), id="unique"),
        pytest.param(["", ""], ("_1", "_2"), id="empty"),
        pytest.param(["x", ""], ("x", "_1"), id="one_empty"),
        pytest.param(["_1", ""], ("_1", "_2"), id="empty_suffix_taken"),
        pytest.param(["", "_1"], ("_2", "_1"), id="empty_suffix_taken_later"),
        pytest.param(["x", "x"], ("x_1", "x_2"), id="repeated"),
        pytest.param(["a", "a_1", "a"], ("a_2", "a_1", "a_3"), id="suffix_taken"),
        pytest.param(["b", "b", "b_2"], ("b_1", "b_3", "b_2"), id="suffix_taken_later"),
        pytest.param(["2", ""], ("2", "_1"), id="digit_label_and_empty"),
    ],
)
def test_labels_made_unique(given_labels, expected):
    quoted = " ".join(f'"{s}"' for s in given_labels)
    g = parse_nfg(f'NFG 1 R "" {{ "P" "Q" }} {{ {{ {quoted} }} {{ "q" }} }}' + " 0" * (2 * len(given_labels)))
    assert g.actions[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        'NFG 1 R "" { "P" "P" } { { "a" "a_1" "a" } { "b" "b" "b_2" } }' + " 1" * 18,
        'NFG 1 R "" { "" "Q" } { { "" "x" "" } { "" "_1" } }' + " 1" * 12,
        'NFG 1 R "" { "A" "" } { 2 3 }' + " 1" * 12,
    ],
    ids=["repeated", "empty", "counts"],
)
def test_labels_renamed_like_pygambit(tmp_path, text):
    path = tmp_path / "dup.nfg"
    path.write_text(text)
    assert gambit_labels(pygambit.read_nfg(str(path))) == (read_nfg(path).players, read_nfg(path).actions)


def test_encodings(tmp_path):
    text = 'NFG 1 R "café" { "Zoë" "B" } { 1 1 } 1 2'
    (tmp_path / "latin1.nfg").write_bytes(text.encode("latin-1"))
    (tmp_path / "bom.nfg").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for name in ("latin1.nfg", "bom.nfg"):
        g = read_nfg(tmp_path / name)
        assert g.title == "café"
        assert g.players == ("Zoë", "B")


# ---------------------------------------------------------------------- errors
HEAD = 'NFG 1 R "t" { "A" "B" }\n{ 2 2 }\n'
NOT_A_NUMBER = "expected a payoff (an integer, a decimal or a fraction like 3/4)"
ERRORS = [
    pytest.param("", 1, "expected the header 'NFG 1 R'", id="empty_file"),
    pytest.param('EFG 2 R "t" { "A" } { 1 } 1', 1, "expected the header 'NFG 1 R'", id="wrong_header"),
    pytest.param('\n\nNFG 2 R "t" { "A" } { 1 } 1', 3, "format version '1'", id="wrong_version"),
    pytest.param('NFG 1 X "t" { "A" } { 1 } 1', 1, "'R' after 'NFG 1'", id="wrong_precision"),
    pytest.param('NFG 1 R { "A" } { 1 } 1', 1, "quoted game title", id="no_title"),
    pytest.param('NFG 1 R "t" { "A" "B }\n{ 2 2 }\n1 2 3 4 5 6 7 8', 1, "unterminated string",
                 id="unterminated_string"),
    pytest.param('NFG 1 R "t" { "A" "B"\n', 2, "missing '}' closing the player name list (opened on line 1)",
                 id="missing_brace_players"),
    pytest.param('NFG 1 R "t" { "A" "B" }\n{ { "a" "b" } { "c" }\n1 2 3 4', 3, "expected '}' closing the strategy",
                 id="missing_brace_strategies"),
    pytest.param('NFG 1 R "t" { "A" "B" }\n{ 2 2\n', 3, "missing '}' closing the strategy counts",
                 id="missing_brace_counts"),
    pytest.param('NFG 1 R "t" { }\n{ }\n', 1, "player list is empty", id="no_players"),
    pytest.param('NFG 1 R "t" { "A" "B" }\n{ 2 }\n1 2', 2, "expected 2 strategy counts", id="counts_vs_players"),
    pytest.param('NFG 1 R "t" { "A" }\n{ { "a" } { "b" } }\n1', 2, "expected 1 strategy lists", id="lists_vs_players"),
    pytest.param('NFG 1 R "t" { "A" }\n{ 0 }\n', 2, "at least one strategy", id="zero_strategies"),
    pytest.param('NFG 1 R "t" { "A" }\n{ 1.5 }\n', 2, "positive whole number", id="fractional_count"),
    pytest.param('NFG 1 R "t" { "A" "B" }\n{ { "a" } { } }\n1', 2, "no strategies", id="empty_strategy_list"),
    pytest.param(HEAD + "1 2 3 4\n5 6 7", 4, "expected 8 (2 players x 4 strategy profiles), found 7",
                 id="too_few_payoffs"),
    pytest.param(HEAD + "1 2 3 4\n5 6 7 8\n9", 5, "expected 8 (2 players x 4 strategy profiles), found 9",
                 id="too_many_payoffs"),
    pytest.param(HEAD, 3, "found 0", id="no_payoffs"),
    pytest.param(HEAD + "1 2 3 4\n5 six 7 8", 4, NOT_A_NUMBER, id="non_numeric"),
    pytest.param(HEAD + "1 2 3 4\n5 6 0x7 8", 4, NOT_A_NUMBER, id="hex_number"),
    pytest.param(HEAD + "1 2 3 4\n5 6 7 3/-4", 4, NOT_A_NUMBER, id="bad_fraction"),
    pytest.param(HEAD + "1 2 3 4\n5 6 7 1/0", 4, "division by zero", id="division_by_zero"),
    pytest.param(HEAD + "1 2 3 4\n5 NaN 7 8", 4, "must be a finite number, got 'NaN'", id="nan"),
    pytest.param(HEAD + "1 2 3 4\n5 6 -inf 8", 4, "must be a finite number, got '-inf'", id="minus_inf"),
    pytest.param(HEAD + "1 2 3 4\n5 6 7 1e999", 4, "must be a finite number", id="overflow"),
    pytest.param(HEAD + '"c" "d" 1 2 3 4 5 6 7 8', 3, "expected the payoffs", id="string_for_payoffs"),
    pytest.param(HEAD + '"c"\n1 2 "3" 4 5 6 7 8', 4, "expected a payoff (a number), got '\"3\"'",
                 id="string_among_payoffs"),
    pytest.param('NFG 1 R "t" { "A" "B" "C" }\n{ 100000 100000 100000 }\n1 2 3', 2, "GiB", id="too_large"),
    pytest.param('NFG 1 R "t" { "A" }\n{ 12345678901234567890123 }\n1', 2, "too large", id="huge_count"),
    pytest.param(HEAD + '{ { "o" 1 2 } }\n1 1 2 1', 4, "outcome number 2 is out of range: expected 0 (no outcome) to 1",
                 id="outcome_index_out_of_range"),
    pytest.param(HEAD + '{ { "o" 1 2 } }\n1 1 1', 4, "expected 4 (one per strategy profile), found 3",
                 id="too_few_outcome_numbers"),
    pytest.param(HEAD + '{ { "o" 1 2 } }\n1 1 1 1\n0', 5, "expected 4 (one per strategy profile), found 5",
                 id="too_many_outcome_numbers"),
    pytest.param(HEAD + '{ { "o" 1 2 } }\n1 1 1.0 1', 4, "expected an outcome number", id="fractional_outcome"),
    pytest.param(HEAD + '{ { "o" 1 2 }\n{ "p" 1, 2, 3 } }\n1 1 1 1', 4, "outcome 2 has 3 payoffs; expected 2",
                 id="outcome_payoff_count"),
    pytest.param(HEAD + '{ { "o" 1 nan } }\n1 1 1 1', 3, "finite", id="outcome_nan"),
    pytest.param(HEAD + '{ { "o" 1 2 }\n1 1 1 1', 4, "expected '{' opening an outcome", id="outcome_list_unclosed"),
    pytest.param(HEAD + '{ { "o" 1 2 ', 3, "missing '}' closing outcome 1 (opened on line 3)", id="outcome_unclosed"),
    pytest.param('NFG 1 R "t" { "A" }\n{ 1 }\x00\n1', 2, "NUL character", id="binary"),
]


@pytest.mark.parametrize(("text", "line", "message"), ERRORS)
def test_errors_name_file_and_line(text, line, message, tmp_path):
    path = tmp_path / "bad.nfg"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_nfg(path)
    err = info.value
    text_of_error = str(err)
    assert err.source == str(path)
    assert err.line == line, text_of_error
    assert text_of_error.startswith(f"{path}, line {line}: ")
    assert message in text_of_error
    assert "\n" not in text_of_error and "Traceback" not in text_of_error


def test_size_checked_before_reading_numbers():
    # a declared size beyond memory is reported even though the payoff list is tiny and wrong
    with pytest.raises(InputError, match="GiB"):
        parse_nfg('NFG 1 R "" { "A" "B" } { 1000000 1000000 } 1 2 x')


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda d: d / "missing.nfg", "no such file", id="missing"),
        pytest.param(lambda d: d, "is a directory", id="directory"),
    ],
)
def test_unreadable_paths(make, message, tmp_path):
    path = make(tmp_path)
    with pytest.raises(InputError) as info:
        read_nfg(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)
