"""The `institutions` section: loading, errors, and the comparison `coop solve` reports."""

from __future__ import annotations

import pytest

from coop.errors import InputError
from coop.scenarios import load
from coop.scenarios.library import resolve


def rows(doc: dict) -> dict[tuple[str, str], dict]:
    return {(r["design"], r["profile"]): r for r in doc["institutions"]["analyses"]}


def test_bundled_comparison_matches_closed_forms(coop_json):
    # T, R, P, S = 4, 3, 0, -1 per government; grim trigger needs delta >= (T - R - s_e) / (T - P)
    # while the expected sanction s_e = q (1 - f) (sanction + reputation) stays <= P - S = 1.
    doc = coop_json("solve", "ai-safety-institutions", "--format", "json")
    r = rows(doc)
    assert [d["name"] for d in doc["institutions"]["designs"]] == [
        "none", "IAEA-like body", "FSB-like peer review", "fragmented regime complex"
    ]
    assert r[("none", "grim_trigger")]["critical_delta_overall"] == pytest.approx(0.25, abs=1e-6)
    assert r[("none", "grim_trigger")]["subgame_perfect"] is False
    s_fsb = 0.6 * 0.9 * 1.0
    fsb_grim = r[("FSB-like peer review", "grim_trigger")]
    assert fsb_grim["critical_delta_overall"] == pytest.approx((1 - s_fsb) / 4, abs=1e-6)
    assert r[("FSB-like peer review", "grim_trigger")]["subgame_perfect"] is True
    # IAEA-like: s_e = 0.8 * 2.5 = 2 > 1, so grim trigger's punishment is not credible; always-cooperate works
    assert r[("IAEA-like body", "grim_trigger")]["subgame_perfect"] is False
    assert r[("IAEA-like body", "grim_trigger")]["sanction_ceiling"] == pytest.approx(1 / 0.8 - 0.5, abs=1e-6)
    assert r[("IAEA-like body", "always_cooperate")]["subgame_perfect"] is True
    # fragmented: least sanction s with 0.35 (s + 0.5) = T - R - delta (T - P) = 0.2
    fragmented = r[("fragmented regime complex", "grim_trigger")]
    assert fragmented["least_sanction"] == pytest.approx(0.2 / 0.35 - 0.5, abs=1e-6)
    # participation costs lower the payoffs
    assert r[("IAEA-like body", "always_cooperate")]["payoffs"]["US"] == pytest.approx(3 - 0.2, abs=1e-9)


def test_text_report_has_the_institutions_table(coop_cli):
    res = coop_cli("solve", "ai-safety-institutions")
    assert res.exit_code == 0
    assert "Institutions (repeated game, delta = 0.2)" in res.stdout
    assert "least sanction" in res.stdout and "sanction ceiling" in res.stdout


def base_text() -> str:
    return resolve("ai-safety-institutions").read_text()


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("    like: fsb_like\n", "    like: fsb_lik\n", r"unknown design 'fsb_lik' \(did you mean 'fsb_like'"),
        ("    detection: 0.6\n", "    detection: 1.6\n", r"detection must be a probability in \[0, 1\]"),
        ("    forum_shopping: 0.5\n", "    forum_shopping: 0.5\n    members: [US, Chin]\n", "unknown player 'Chin'"),
        ("  - name: none\n", "  - name: none\n    sanctoin: 1\n", r"unknown key 'sanctoin'.*did you mean 'sanction'"),
        ("  - name: FSB-like peer review\n", "  - name: none\n", "duplicate institution 'none'"),
        ("    sanction: 1.5\n", "    sanction: -2\n", "sanction must be >= 0"),
    ],
)
def test_errors(tmp_path, old, new, message, coop_cli):
    text = base_text()
    assert old in text
    path = tmp_path / "inst.yaml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError, match=message) as info:
        load(path)
    assert info.value.line is not None
    res = coop_cli("solve", str(path))
    assert res.exit_code == 2 and "Traceback" not in res.stderr


def test_institutions_need_a_repeated_section(tmp_path):
    text = base_text()
    start, end = text.index("repeated:\n"), text.index("institutions:\n")
    path = tmp_path / "norep.yaml"
    path.write_text(text[:start] + text[end:])
    with pytest.raises(InputError, match="add a 'repeated' section"):
        load(path)


def test_members_subset(tmp_path, coop_json):
    text = base_text().replace(
        "    forum_shopping: 0.1\n", "    forum_shopping: 0.1\n    members: [US, EU]\n", 1
    )
    path = tmp_path / "members.yaml"
    path.write_text(text)
    r = rows(coop_json("solve", path, "--format", "json"))[("FSB-like peer review", "grim_trigger")]
    assert r["members"] == ["US", "EU"]
    assert r["critical_delta"]["China"] == pytest.approx(0.25, abs=1e-6)  # China faces no peer review
    assert r["subgame_perfect"] is False


def test_least_sanction_under_the_limit_of_means(tmp_path, coop_json, coop_cli):
    """The bundled game (u_i = 2 k - 3 [i complies], k compliers: T = 4, R = 3, P = 0, S = -1) under the limit of
    means, every government a member, s_e = q (1 - f)(s + rho): always-cooperate needs T - s_e <= R, s_e >= 1;
    grim trigger needs no sanction, and stays credible while a lone complier's S = -1 is no better than the
    punishment's P - s_e, s_e <= 1 (tests/solvers/repeated/test_institutions.py derives both)."""
    text = base_text().replace("  delta: patience\n", "  criterion: limit_of_means\n", 1)
    path = tmp_path / "lom.yaml"
    path.write_text(text)
    r = rows(coop_json("solve", path, "--format", "json"))
    designs = {"IAEA-like body": (0.8, 0.5), "FSB-like peer review": (0.6 * 0.9, 1.0),
               "fragmented regime complex": (0.7 * 0.5, 0.5)}
    for name, (eff, rho) in designs.items():
        allc, grim = r[(name, "always_cooperate")], r[(name, "grim_trigger")]
        assert allc["least_sanction"] == pytest.approx(1 / eff - rho, abs=1e-12) and allc["sanction_ceiling"] is None
        assert grim["least_sanction"] == 0.0 and grim["sanction_ceiling"] == pytest.approx(1 / eff - rho, abs=1e-12)
        assert allc["criterion"] == "average" and allc["limit_of_means"]["criterion"] == "limit of means"
    assert r[("IAEA-like body", "always_cooperate")]["subgame_perfect"] is True  # sanction 2 >= 0.75
    assert r[("IAEA-like body", "grim_trigger")]["subgame_perfect"] is False  # 2 > 0.75: punishing is sanctioned
    assert r[("none", "always_cooperate")]["least_sanction"] is None
    assert r[("none", "grim_trigger")]["least_sanction"] == 0.0 and r[("none", "grim_trigger")]["subgame_perfect"]
    out = " ".join(coop_cli("solve", str(path)).stdout.split())
    assert "Institutions (repeated game, limit of means)" in out
    assert "subgame perfect under the limit of means" in out
    assert "computed at a discount factor only" not in out
