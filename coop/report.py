"""The JSON document of ``coop solve`` (the contract users script against).

Shape (stable; later features add sections, never rename these)::

    {
      "coop_version": "0.1.0",
      "input": {"source": "...", "kind": "scenario" | "nfg"},
      "title": "...",
      "players": ["US", "China", "EU"],
      "actions": {"US": ["restrict", "open"], ...},
      "method": "vertex_enumeration", "guarantee": "all", "complete": true,
      "degenerate": false, "summary": "every equilibrium, by vertex enumeration",
      "tol": 1e-9, "notes": [],
      "equilibria": [
        {"strategies": {"US": {"restrict": 1.0, "open": 0.0}, ...},
         "payoffs": {"US": 2.0, ...}, "pure": true, "max_regret": 0.0,
         "red_lines": [{"name": "...", "player": "US", "action": "...", "probability": 1.0}]}
      ],
      "dominance": {...}, "red_lines": [...], "scenario": {...}, "solver": {...}
    }
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.inputs import LoadedInput
from coop.solvers.nash.results import PROB_EPS, Equilibrium
from coop.solvers.nash.solve import GameSolution


def red_line_crossings(loaded: LoadedInput, eq: Equilibrium) -> list[dict[str, Any]]:
    """The red lines an equilibrium crosses: those whose action it plays with positive probability."""
    game = loaded.game
    crossed = []
    for rl in loaded.red_lines:
        i = game.player_index(rl.player)
        k = game.action_index(i, rl.action)
        p = float(eq.strategies[i][k])
        if p > PROB_EPS:
            crossed.append({"name": rl.name, "player": rl.player, "action": rl.action, "probability": p})
    return crossed


def repeated_analyses(loaded: LoadedInput) -> list[Any]:
    """Analyse every strategy profile of the scenario's ``repeated`` section (empty if it has none)."""
    spec = loaded.scenario.repeated if loaded.scenario is not None else None
    if spec is None:
        return []
    from coop.solvers.repeated.profile_analysis import analyse_profile

    return [analyse_profile(spec.game, p.name, p.automata) for p in spec.profiles]


def payoff_set_analyses(loaded: LoadedInput) -> dict[str, Any]:
    """Minmax values and payoff sets of a scenario's repeated game (empty without a ``repeated`` section).

    Keys: ``minmax`` (:class:`~coop.solvers.repeated.minmax.MinmaxResult`), ``feasible`` and
    ``individually_rational`` (:class:`~coop.solvers.repeated.payoff_sets.PayoffSet`), and for a
    2-player game with an infinite horizon ``equilibrium``
    (:class:`~coop.solvers.repeated.payoff_sets.EquilibriumPayoffSet`) at the scenario's delta; otherwise
    ``equilibrium_note`` says why it is missing.
    """
    spec = loaded.scenario.repeated if loaded.scenario is not None else None
    if spec is None:
        return {}
    from coop.solvers.repeated.minmax import minmax_values
    from coop.solvers.repeated.payoff_sets import equilibrium_payoff_set, feasible_payoff_set, individually_rational_set

    game = spec.game
    mm = minmax_values(game.stage)
    out: dict[str, Any] = {
        "minmax": mm,
        "feasible": feasible_payoff_set(game.stage),
        "individually_rational": individually_rational_set(game.stage, minmax="mixed", minmax_result=mm),
    }
    if game.num_players != 2:
        out["equilibrium_note"] = "the subgame-perfect payoff set is computed for 2-player games only"
    elif not game.perfect:
        out["equilibrium_note"] = ("the subgame-perfect payoff set is computed with perfect monitoring and no "
                                   "noise only")
    elif game.horizon is not None:
        out["equilibrium_note"] = "the subgame-perfect payoff set is computed for an infinite horizon only"
    elif game.delta is None:
        out["equilibrium_note"] = "the subgame-perfect payoff set needs a discount factor"
    else:
        out["equilibrium"] = equilibrium_payoff_set(game)
    return out


def tournament_analysis(loaded: LoadedInput) -> Any:
    """The round-robin tournament of the scenario's ``repeated.tournament`` (``None`` without one)."""
    spec = loaded.scenario.repeated if loaded.scenario is not None else None
    if spec is None or spec.tournament is None:
        return None
    from coop.solvers.repeated.tournament import round_robin

    t = spec.tournament
    return round_robin(spec.game, t.strategies, turns=t.turns, repetitions=t.repetitions, noise=t.noise, seed=t.seed)


def payoff_sets_document(sets: dict[str, Any]) -> dict[str, Any] | None:
    """The ``repeated.payoff_sets`` section of the JSON document."""
    if not sets:
        return None
    doc = {k: sets[k].to_dict() for k in ("minmax", "feasible", "individually_rational")}
    doc["equilibrium"] = sets["equilibrium"].to_dict() if "equilibrium" in sets else None
    if "equilibrium_note" in sets:
        doc["equilibrium_note"] = sets["equilibrium_note"]
    return doc


#: The full chain with mutation is solved up to this many population states (C(Z + m - 1, m - 1)).
MAX_FULL_CHAIN_STATES = 200_000


def evolution_analyses(loaded: LoadedInput) -> dict[str, Any]:
    """What the scenario's ``evolution`` section asks for (empty without one).

    Keys: ``trajectories`` (one :class:`~coop.solvers.evolution.dynamics.Trajectory` per run), ``rest_points``
    (:class:`~coop.solvers.evolution.rest_points.RestPoints` of the replicator dynamic), ``basins``, and for a
    finite population ``population_game``, ``small_mutation``
    (:class:`~coop.solvers.evolution.fixation.SmallMutationResult`, with the fixation probabilities) and
    ``stationary`` (:class:`~coop.solvers.evolution.stationary.StationaryResult`, with mutation only); ``notes``.
    """
    spec = loaded.scenario.evolution if loaded.scenario is not None else None
    if spec is None:
        return {}
    from coop.solvers.evolution.dynamics import integrate
    from coop.solvers.evolution.rest_points import basins, rest_points

    game = loaded.game
    out: dict[str, Any] = {"spec": spec, "notes": []}
    groups = spec.populations == "one" and game.num_players > 2
    if groups:
        # one population in groups of N: from a start shared by every player's population the per-player
        # dynamics stay on the diagonal, where they are the one-population dynamics
        runs = [integrate(game, np.tile(run.start, game.num_players), np.linspace(0.0, run.time, 201),
                          dynamic=run.dynamic, eta=run.eta if run.eta is not None else 0.1, populations="per_player")
                for run in spec.runs]
        out["model"] = OnePopulationView(("population",), (game.actions[0],))
        out["notes"].append(f"one population in groups of {game.num_players}: trajectories are those of "
                            f"{game.num_players} identical populations from the same start")
    else:
        runs = [integrate(game, run.start, np.linspace(0.0, run.time, 201), dynamic=run.dynamic,
                          eta=run.eta if run.eta is not None else 0.1, populations=spec.populations)
                for run in spec.runs]
        out["model"] = runs[0].model
    out["trajectories"] = runs
    if spec.rest_points and groups:
        if len(game.actions[0]) == 2:
            from coop.solvers.evolution.finite_population import PopulationGame
            from coop.solvers.evolution.group_replicator import group_rest_points

            out["rest_points"] = group_rest_points(PopulationGame.from_normal_form(game))
        else:
            out["notes"].append("rest points of one population in groups are computed for 2 strategies only")
    elif spec.rest_points:
        out["rest_points"] = rest_points(game, "replicator", populations=spec.populations)
    if spec.basins is not None:
        b = spec.basins
        out["basins"] = basins(game, b.dynamic, eta=b.eta if b.eta is not None else 0.1, resolution=b.resolution,
                               t_end=b.time, populations=spec.populations)
    if spec.finite is not None:
        from coop.solvers.evolution.finite_population import PopulationGame, num_states
        from coop.solvers.evolution.fixation import small_mutation_limit
        from coop.solvers.evolution.stationary import stationary_distribution

        f = spec.finite
        pop = PopulationGame.from_normal_form(game)
        out["population_game"] = pop
        out["small_mutation"] = small_mutation_limit(pop, f.size, f.selection, rule=f.rule)
        if pop.num_strategies == 2:
            from coop.solvers.evolution.fixation import birth_death

            out["gradient"] = birth_death(pop, f.size, f.selection, pop.strategies[0], pop.strategies[1],
                                          rule=f.rule)
        if f.mutation > 0.0:
            states = num_states(f.size, pop.num_strategies)
            if states <= MAX_FULL_CHAIN_STATES:
                out["stationary"] = stationary_distribution(pop, f.size, f.selection, f.mutation, rule=f.rule)
            else:
                out["notes"].append(f"the full chain with mutation has {states:,} states (more than "
                                    f"{MAX_FULL_CHAIN_STATES:,}); only the small-mutation limit is reported")
    return out


def gradient_roots(bd: Any) -> list[dict[str, Any]]:
    """Where the gradient of selection changes sign: the finite population's interior rest points.

    ``bd.gradient[k]`` is T+(k) - T-(k) with ``k`` invaders; a change from + to - as ``k`` grows is a
    stable point (coexistence), from - to + an unstable one (a coordination threshold). The root is
    placed by linear interpolation and reported as a share ``k / Z`` of the invading strategy.
    """
    g = np.asarray(bd.gradient, dtype=float)
    z = bd.population_size
    tol = 1e-12 * max(1.0, float(np.abs(g).max(initial=0.0)))
    sign = np.where(g > tol, 1, np.where(g < -tol, -1, 0))[1:z]  # interior k = 1..Z-1
    roots = []
    prev_k, prev_s = None, 0
    for k, sg in enumerate(sign, start=1):
        if sg == 0:
            continue
        if prev_s and sg != prev_s:
            a, b = g[prev_k], g[k]
            x = prev_k + (k - prev_k) * a / (a - b)
            roots.append({"share": float(x / z), "stable": bool(prev_s > 0)})
        prev_k, prev_s = k, sg
    return roots


def _gradient_document(bd: Any) -> dict[str, Any]:
    return {**bd.to_dict(), "roots": gradient_roots(bd)}


@dataclass(frozen=True)
class OnePopulationView:
    """How to print states of one population when they are computed as N identical ones: the first block."""

    names: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]

    def split(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        return (np.asarray(x)[..., : len(self.actions[0])],)


def _trajectory_document(t: Any, view: Any) -> dict[str, Any]:
    doc = t.to_dict()
    if isinstance(view, OnePopulationView):
        first = t.model.names[0]
        doc["populations"] = ["population"]
        doc["actions"] = {"population": list(view.actions[0])}
        doc["states"] = {"population": doc["states"][first]}
    return doc


def evolution_document(evo: dict[str, Any]) -> dict[str, Any] | None:
    """The ``evolution`` section of the JSON document."""
    if not evo:
        return None
    doc: dict[str, Any] = {
        "populations": evo["spec"].populations,
        "trajectories": [_trajectory_document(t, evo["model"]) for t in evo["trajectories"]],
        "rest_points": evo["rest_points"].to_dict() if "rest_points" in evo else None,
        "basins": evo["basins"].to_dict() if "basins" in evo else None,
        "finite_population": None,
        "notes": list(evo["notes"]),
    }
    if "small_mutation" in evo:
        f = evo["spec"].finite
        doc["finite_population"] = {
            "size": f.size, "selection": f.selection, "mutation": f.mutation, "rule": f.rule,
            "group_size": evo["population_game"].group_size,
            "small_mutation_limit": evo["small_mutation"].to_dict(),
            "gradient_of_selection": _gradient_document(evo["gradient"]) if "gradient" in evo else None,
            "stationary": evo["stationary"].to_dict() if "stationary" in evo else None,
        }
    return doc


def institution_analyses(loaded: LoadedInput) -> list[tuple[str, Any]]:
    """``(profile name, InstitutionAnalysis)`` for every design and every strategy profile of the scenario."""
    scenario = loaded.scenario
    if scenario is None or not scenario.institutions:
        return []
    from coop.solvers.repeated.institutions import analyse_institution

    spec = scenario.repeated
    return [
        (p.name, analyse_institution(spec.game, p.automata, design))
        for design in scenario.institutions
        for p in spec.profiles
    ]


def institutions_document(analyses: list[tuple[str, Any]]) -> dict[str, Any] | None:
    """The ``institutions`` section of the JSON document."""
    if not analyses:
        return None
    designs: dict[str, Any] = {}
    rows = []
    for profile, a in analyses:
        designs.setdefault(a.institution.name, a.institution.to_dict())
        rows.append({"design": a.institution.name, "profile": profile, **a.to_dict()})
    return {"designs": list(designs.values()), "analyses": rows}


def repeated_document(loaded: LoadedInput, analyses: list[Any], sets: dict[str, Any] | None = None,
                      tournament: Any = None) -> dict[str, Any] | None:
    """The ``repeated`` section of the JSON document."""
    if not analyses:
        return None
    doc = {**loaded.scenario.repeated.game.to_dict(), "profiles": [a.to_dict() for a in analyses]}
    sets_doc = payoff_sets_document(sets or {})
    if sets_doc is not None:
        doc["payoff_sets"] = sets_doc
    if tournament is not None:
        doc["tournament"] = tournament.to_dict()
    return doc


def solution_document(
    loaded: LoadedInput,
    solution: GameSolution,
    analyses: list[Any] | None = None,
    institutions: list[tuple[str, Any]] | None = None,
    payoff_sets: dict[str, Any] | None = None,
    tournament: Any = None,
    evolution: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the JSON-ready document for ``coop solve``."""
    from coop import __version__

    game = loaded.game
    body = solution.to_dict()
    equilibria = body.pop("equilibria")
    for eq_dict, eq in zip(equilibria, solution.equilibria, strict=False):
        eq_dict["red_lines"] = red_line_crossings(loaded, eq)
    doc: dict[str, Any] = {
        "coop_version": __version__,
        "input": {"source": loaded.source, "kind": loaded.kind},
        "title": game.title,
        "players": list(game.players),
        "actions": {p: list(game.actions[i]) for i, p in enumerate(game.players)},
    }
    doc.update({k: body[k] for k in ("method", "guarantee", "complete", "degenerate", "summary", "tol", "notes")})
    doc["equilibria"] = equilibria
    doc["pure_equilibria"] = body["pure_equilibria"]
    doc["dominance"] = body["dominance"]
    doc["red_lines"] = [
        {"name": r.name, "player": r.player, "action": r.action, "description": r.description}
        for r in loaded.red_lines
    ]
    if loaded.scenario is not None:
        doc["scenario"] = loaded.scenario.to_dict()
    repeated = repeated_document(loaded, analyses or [], payoff_sets, tournament)
    if repeated is not None:
        doc["repeated"] = repeated
    inst = institutions_document(institutions or [])
    if inst is not None:
        doc["institutions"] = inst
    evo = evolution_document(evolution or {})
    if evo is not None:
        doc["evolution"] = evo
    doc["solver"] = body["solver"]
    return doc
