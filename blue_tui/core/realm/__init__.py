"""Realms: a git repo of contracts between code repos (seed 004)."""
