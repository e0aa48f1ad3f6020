"""blue-tui: realms of git repos and encrypted design dialogues, from a terminal."""

__version__ = "0.1.0"
