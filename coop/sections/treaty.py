"""The treaty of a scenario: which coalition sizes are stable, and what clauses and sanctions change.

JSON: ``treaty``. Figure kind ``treaty``: a member's payoff and a leaver's against the size.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from coop.errors import InputError
from coop.report_text import WIDTH, format_number, plural, table_lines
from coop.sections.base import (
    Analysis,
    Metric,
    PlotOptions,
    SectionResult,
    SolveOptions,
    SolverSection,
    finite_or_none,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput

#: Sizes up to this many countries get a table of every size in the text report.
TABLE_SIZES = 20


def _num(x: Any) -> str:
    v = finite_or_none(x)
    return "-" if v is None else format_number(round(v, 6))


def _sizes(sizes: tuple[int, ...]) -> str:
    return ", ".join(str(k) for k in sizes) if sizes else "none"


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


@dataclass(frozen=True, eq=False)
class TreatySection(SolverSection):
    """The treaty's result (:class:`~coop.solvers.coalitions.stability.TreatyResult`)."""

    # -------------------------------------------------------------- text
    def _payoff_source(self) -> str:
        r = self.result
        g = r.game
        if r.method == "formulas":
            return "payoffs given as formulas of the treaty's size k"
        stage = g.payoffs
        how = {"closed form": "solved in closed form", "numeric": "solved numerically",
               "binary": "with binary abatement (abate or not)"}[r.method]
        if stage.timing == "members_lead":
            return (f"payoffs from the second stage {stage.payoff.text!r} {how}: members choose first a common "
                    "abatement that maximises their joint payoff, anticipating the non-members' best response "
                    "(Barrett 1994)")
        return (f"payoffs from the second stage {stage.payoff.text!r} {how}: members choose a common abatement "
                "that maximises their joint payoff while non-members best respond (a Nash equilibrium)")

    def text(self) -> list[str]:
        r = self.result
        g = r.game
        who = (f"{plural(g.n, 'country', 'countries')}: {', '.join(g.countries)}" if g.named
               else f"{plural(g.n, 'identical country', 'identical countries')}")
        lines = textwrap.wrap(f"Treaty {g.name!r}: {who}; {self._payoff_source()}.", WIDTH,
                              subsequent_indent="  ")
        from coop.games.treaty import TIE_RULE_TEXT

        lines += _wrap(f"Tie rule {g.tie_rule!r}: {TIE_RULE_TEXT[g.tie_rule]}.")
        if r.asymmetric is not None:
            lines += self._asymmetric_text()
        else:
            lines += self._symmetric_text()
        if r.forum is not None:
            lines += self._forum_text()
        return lines

    def _symmetric_text(self) -> list[str]:
        r = self.result
        g = r.game
        t = r.table
        lines: list[str] = []
        stable = t.stable_sizes
        if stable:
            lines += _wrap(f"Stable coalition {'size' if len(stable) == 1 else 'sizes'}: {_sizes(stable)} "
                           f"(of {g.n}).")
        else:
            lines += _wrap("No coalition size is stable: at every size either a member gains by leaving or a "
                           "non-member by joining.")
        for k in stable[:3]:
            i = k - 1
            why = (f"At k = {k} a member gets {_num(t.member[i])} and would get {_num(t.leaver[i])} by leaving"
                   + (f" (less the sanction {format_number(t.sanction)})" if t.sanction > 0 and k >= max(
                       t.minimum_participation, 1) else ""))
            if k < g.n:
                why += (f"; a non-member gets {_num(t.non_member[i])} and would get {_num(t.joiner[i])} by "
                        "joining")
            why += "."
            if k < t.minimum_participation:
                why += f" (Below the minimum participation of {t.minimum_participation} the treaty does not bind.)"
            elif k == t.minimum_participation > 1:
                why += " (A member that leaves ends the treaty: below its minimum participation nobody is bound.)"
            lines += _wrap(why)
        no = r.no_treaty
        if stable:
            k = max(stable)
            pm = t.member[k - 1]
            gain = f"Members of the largest stable treaty ({k}) get {_num(pm)}"
            if k < g.n:
                gain += f", non-members {_num(t.non_member[k - 1])}"
            gain += (f"; with no treaty everyone gets {_num(no)}: members gain {_num(pm - no)}"
                     + (f", non-members {_num(t.non_member[k - 1] - no)}" if k < g.n else "") + ".")
            lines += _wrap(gain)
        if g.n >= 1 and np.isfinite(r.pi_m[g.n]):
            lines += _wrap(f"Full participation ({g.n} members, no clause) would give each {_num(r.pi_m[g.n])}.")
        if r.abatement is not None:
            am, an = r.abatement
            if stable:
                k = max(stable)
                text = f"Abatement at k = {k}: each member {_num(am[k])}"
                if k < g.n:
                    text += f", each non-member {_num(an[k])}"
                lines += _wrap(text + ".")
        cf = r.closed_form
        if cf:
            lines += _wrap(f"Closed forms (SymPy): pi_m(k) = {cf['pi_m']}; pi_n(k) = {cf['pi_n']}.")
            if "q_m" in cf:
                lines += _wrap(f"Abatement: a member q_m = {cf['q_m']}, a non-member q_n = {cf['q_n']}.")
            if cf.get("internal") is not None:
                inner = f"Internal stability pi_m(k) - pi_n(k-1) = {cf['internal']}"
                if cf.get("internal_roots"):
                    inner += f" (zero at k = {', '.join(cf['internal_roots'])})"
                outer = f"external stability pi_n(k) - pi_m(k+1) = {cf['external']}"
                if cf.get("external_roots"):
                    outer += f" (zero at k = {', '.join(cf['external_roots'])})"
                lines += _wrap(f"{inner}; {outer}.")
        if t is not r.plain:
            lines += self._clauses_text()
        lines += self._sanction_text()
        if g.n <= TABLE_SIZES:
            lines += self._table()
        return lines

    def _clauses_text(self) -> list[str]:
        r = self.result
        g = r.game
        t = r.table
        lines = []
        clauses = []
        if g.minimum_participation > 1:
            clauses.append(f"the minimum participation of {g.minimum_participation} (below it the treaty does not "
                           "bind and everyone plays as a non-member)")
        if g.sanction > 0:
            clauses.append(f"the sanction of {format_number(g.sanction)} that a member leaving the treaty pays")
        lines += _wrap(f"With {' and '.join(clauses)} the stable sizes are {_sizes(t.stable_sizes)}; without: "
                       f"{_sizes(r.plain.stable_sizes)}.")
        return lines

    def _sanction_text(self) -> list[str]:
        r = self.result
        g = r.game
        target = r.target
        s = r.target_sanction
        if s is None:
            return _wrap(f"No sanction on leaving makes a treaty of {target} stable: a non-member would gain by "
                         "joining, and a sanction binds only members.")
        strict = g.tie_rule in ("stay_out", "strict") and s > 0
        return _wrap(f"The least sanction on leaving that makes a treaty of {target} stable is "
                     f"{'more than ' if strict else ''}{_num(s)} (pi_n({target - 1}) - pi_m({target})"
                     + (f", with the minimum participation of {g.minimum_participation}" if g.minimum_participation
                        > 1 else "") + ").")

    def _table(self) -> list[str]:
        t = self.result.table
        header = ["k", "pi_m(k)", "pi_n(k-1)", "pi_n(k)", "pi_m(k+1)", "internal", "external", "stable",
                  "least sanction"]
        rows = [[str(k + 1), _num(t.member[k]), _num(t.leaver[k]), _num(t.non_member[k]), _num(t.joiner[k]),
                 "yes" if t.internal[k] else "no", "yes" if t.external[k] else "no",
                 "STABLE" if t.stable[k] else "", _num(t.least_sanction[k])] for k in range(len(t.member))]
        lines = [""]
        lines += ["  " + line for line in table_lines(rows, header)]
        lines += [""]
        lines += _wrap("(pi_m(k): a member's payoff in a treaty of k; pi_n(k-1): what it gets by leaving; "
                       "pi_n(k): a non-member's payoff; pi_m(k+1): what it gets by joining; least sanction: what a "
                       "leaver must pay for the size to be stable, '-' when none works.)")
        return lines

    def _asymmetric_text(self) -> list[str]:
        a = self.result.asymmetric
        lines = _wrap(f"Every one of the {a.vectors:,} membership vectors was checked (a vector is stable when no "
                      "country gains by moving alone).")
        if not a.stable:
            return lines + _wrap("No membership vector is stable.")
        for v, p in zip(a.stable[:10], a.payoffs[:10], strict=True):
            parts = [f"{t}: {{{', '.join(a.members(v, t)) or 'nobody'}}}" for t in a.treaties]
            pays = ", ".join(f"{c} {_num(x)}" for c, x in zip(a.countries, p, strict=True))
            lines += _wrap(f"Stable: {'; '.join(parts)}; payoffs {pays}.")
        if len(a.stable) > 10:
            lines += _wrap(f"... and {len(a.stable) - 10} more (all in the JSON output).")
        return lines

    def _forum_text(self) -> list[str]:
        f = self.result.forum
        a, b = f.names
        lines = _wrap(f"Forum shopping between {a!r} and {b!r}: each country joins one treaty or none; a split "
                      "is stable when no country gains by leaving, switching or joining alone.")
        if not f.stable:
            return lines + _wrap("No split is stable.")
        shown = [f"({ka}, {kb})" for ka, kb in f.stable[:12]]
        more = f" and {len(f.stable) - 12} more" if len(f.stable) > 12 else ""
        lines += _wrap(f"Stable sizes ({a}, {b}): {', '.join(shown)}{more}.")
        (ka, kb), (pa, pb, pn) = f.stable[0], f.payoffs[0]
        text = f"At ({ka}, {kb}): a member of {a} gets {_num(pa)}, of {b} {_num(pb)}"
        if pn is not None:
            text += f", a non-member {_num(pn)}"
        return lines + _wrap(text + ".")

    def brief(self) -> list[str]:
        """One sentence: the stable sizes."""
        r = self.result
        return textwrap.wrap(f"Treaty {r.game.name!r} ({plural(r.game.n, 'country', 'countries')}): stable "
                             f"coalition sizes {_sizes(r.stable_sizes)}.", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        r = self.result
        stable = r.stable_sizes
        out: dict[str, Metric] = {
            "stable_sizes": _sizes(stable),
            "stable_count": len(stable) if r.asymmetric is None else len(r.asymmetric.stable),
            "stable_size": max(stable) if stable else None,
        }
        if r.asymmetric is None:
            t = r.table
            k = max(stable) if stable else None
            out["member_payoff"] = finite_or_none(t.member[k - 1]) if k else None
            out["non_member_payoff"] = finite_or_none(t.non_member[k - 1]) if k else None
            out["gain"] = finite_or_none(t.member[k - 1] - r.no_treaty) if k else None
            out["least_sanction"] = r.target_sanction
        if r.forum is not None:
            out["forum.stable"] = "; ".join(f"({a}, {b})" for a, b in r.forum.stable) or "none"
            out["forum.stable_count"] = len(r.forum.stable)
        return out


class TreatyAnalysis(Analysis):
    """The scenario's ``treaty``: stable coalitions, clauses, sanctions, competing treaties."""

    name: ClassVar[str] = "treaty"
    title: ClassVar[str] = "treaty"
    json_path: ClassVar[tuple[str, ...]] = ("treaty",)
    section: ClassVar[str | None] = "treaty"
    figures: ClassVar[Mapping[str, str]] = {
        "treaty": "a member's payoff pi_m(k) and a leaver's pi_n(k-1) against the treaty's size k, stable "
                  "sizes marked.",
    }

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> TreatySection:
        from coop.solvers.coalitions.stability import treaty_stability

        scenario = loaded.scenario
        try:
            return TreatySection(treaty_stability(scenario.sections["treaty"]))
        except InputError as err:  # found while solving: located at the section
            node = scenario.document.get("treaty") if scenario.document is not None else None
            raise InputError(err.message, source=loaded.source, line=node.line if node is not None else None,
                             place="treaty") from None

    def figure_refusal(self, kind: str, loaded: LoadedInput) -> str | None:
        if not self.applies(loaded):
            return f"the {kind} plot needs {self.missing(loaded)}"
        game = loaded.scenario.sections["treaty"]
        if not game.payoffs.symmetric:
            return f"the {kind} plot needs identical countries (this treaty's countries have their own payoffs)"
        return None

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        return draw_treaty(results[self.name].result, loaded.game.title or loaded.source, options)


def draw_treaty(result: Any, title: str, options: PlotOptions) -> Figure:
    """A member's payoff and a leaver's (and a non-member's) against the size, stable sizes marked."""
    from matplotlib.lines import Line2D

    from coop.plots import BAD, GOOD, MARK, NEUTRAL, add_legend, figure_style, finish_figure, new_figure, set_titles

    if result.asymmetric is not None:
        raise InputError("the treaty plot needs identical countries (this treaty's countries have their own payoffs)")
    st = figure_style(options)
    fig, axes = new_figure(options, (7.0, 4.6))
    ax = axes[0, 0]
    t = result.table
    n = len(t.member)
    k = np.arange(1, n + 1)
    marker = "o" if n <= 40 else None
    ax.plot(k, t.member, color=GOOD, marker=marker, ms=4, lw=1.6, label="a member's payoff pi_m(k)")
    ax.plot(k, t.leaver, color=BAD, marker=marker, ms=4, lw=1.6, ls="--",
            label="what it gets by leaving, pi_n(k-1)")
    ax.plot(k, t.non_member, color=NEUTRAL, lw=2.0, label="a non-member's payoff pi_n(k)")
    handles = list(ax.get_lines())
    for size in t.stable_sizes:
        ax.axvline(size, color=MARK, lw=1.0, alpha=0.6)
    if t.stable_sizes:
        ax.plot(list(t.stable_sizes), [t.member[s - 1] for s in t.stable_sizes], ls="none", marker="*", ms=13,
                color=MARK)
        handles.append(Line2D([], [], color=MARK, marker="*", ms=11, ls="none",
                              label=f"stable size{'s' if len(t.stable_sizes) > 1 else ''}: "
                                    f"{_sizes(t.stable_sizes)}"))
    ax.set_xlabel("members of the treaty, k", fontsize=st.label)
    ax.set_ylabel("payoff", fontsize=st.label)
    if n <= 30:
        ax.set_xticks(k)
    g = result.game
    notes = [f"tie rule {g.tie_rule}"]
    if t.minimum_participation > 1:
        notes.append(f"minimum participation {t.minimum_participation}")
    if t.sanction > 0:
        notes.append(f"sanction {format_number(t.sanction)} on leaving")
    set_titles(fig, title, f"Which treaty sizes are stable? A member stays while pi_m(k) is at least pi_n(k-1) "
                           f"({'; '.join(notes)})")
    add_legend(fig, handles)
    return finish_figure(fig, options)
