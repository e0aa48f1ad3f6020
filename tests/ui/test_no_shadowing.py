"""Our widgets never assign a private attribute that a Textual base class uses itself.

``LiveHub`` once kept its own ``self._closing``; Textual's message pump uses the same name to
decide whether it may still close, so a hub closed early kept its screen from ever closing.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from functools import cache
from pathlib import Path

from textual.message_pump import MessagePump

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    [f"screens.{p.stem}" for p in (ROOT / "screens").glob("*.py") if p.stem != "__init__"] + ["blue_tui.app"]
)


def _self_attributes(source: str, *, stored: bool) -> set[str]:
    return {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and (not stored or isinstance(node.ctx, ast.Store))
    }


@cache
def _attributes_of(base: type) -> frozenset[str]:
    return frozenset(set(vars(base)) | _self_attributes(inspect.getsource(base), stored=False))


def _textual_attributes(cls: type) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("textual"):
            names |= _attributes_of(base)
    return names


def test_no_private_attribute_of_ours_shadows_textuals() -> None:
    clashes = []
    checked = 0
    for name in MODULES:
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, MessagePump) and cls.__module__ == name:
                checked += 1
                ours = {a for a in _self_attributes(inspect.getsource(cls), stored=True) if a.startswith("_")}
                clashes += [f"{name}.{cls.__name__}.{a}" for a in sorted(ours & _textual_attributes(cls))]
    assert checked > 10  # the walk found our widgets
    assert clashes == []
