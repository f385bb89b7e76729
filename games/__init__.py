"""Game representations: N-player normal-form games and their payoff transforms."""

from coop.games.normal_form import MAX_PAYOFF_BYTES, MixedProfile, NormalFormGame, check_game_size

__all__ = ["MAX_PAYOFF_BYTES", "MixedProfile", "NormalFormGame", "check_game_size"]
