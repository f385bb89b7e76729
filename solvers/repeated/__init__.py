"""Repeated games.

Discounted payoffs of automata, subgame perfection, critical discount factors, minmax and
payoff sets, institutions, tournaments.
"""
