"""Do two labels say the same thing?

An inventory row (``P03 | Cupcake | Lifecycle stages need config representation``)
and the marker it records (``[PERSPECTIVE P01: Lifecycle stages need config
representation]``) rarely match word for word: the Judge shortens, rephrases, drops
markup. Two labels agree when one starts with the other, or when at least half of
the shorter one's words (of three letters or more, stop words aside) are in the other.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]{3,}")
_STOP = frozenset(
    {"the", "and", "for", "not", "with", "via", "from", "that", "this", "are", "all", "but", "into"}
)
MAX_LABEL = 1000


@lru_cache(maxsize=16384)
def tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in _TOKEN.findall(text[:MAX_LABEL].lower()) if t not in _STOP)


def similar(a: str, b: str) -> bool:
    """Do two labels describe the same thing?"""
    la, lb = a[:MAX_LABEL].strip().lower(), b[:MAX_LABEL].strip().lower()
    if la and lb and len(min(la, lb, key=len)) >= 10 and (la.startswith(lb) or lb.startswith(la)):
        return True
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    shared = len(ta & tb)
    return shared >= 2 and shared / min(len(ta), len(tb)) >= 0.5


def similarity(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0
