"""Nash equilibria of normal-form games.

Pure; 2-player (vertex, support, Lemke-Howson); N-player (polynomial); dominance; zero-sum.
"""
