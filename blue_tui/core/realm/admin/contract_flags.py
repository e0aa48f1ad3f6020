"""What ``admin contract``'s flags become in the contract file: the ``compatibility`` block
(``--compatibility``, ``--policy``), the ``validation`` block (``--exporter-hook``,
``--importer-hook``, ``--ci-hook``) and the schema (``--schema``)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from blue_tui.core.realm.errors import InvalidInput
from blue_tui.core.realm.names import relpath_problem
from blue_tui.core.realm.validate import POLICIES, parse_compat_word


def compat_block(word: str | None, policy: str | None, old: Any) -> dict[str, Any]:
    """The ``compatibility`` block from ``--compatibility``/``--policy`` over the file's ``old`` one."""
    block: dict[str, Any] = dict(old) if isinstance(old, dict) else {}
    if isinstance(old, str):
        parsed_old = parse_compat_word(old)
        if parsed_old:
            block = {"backwards": parsed_old[0], "forwards": parsed_old[1], "transitive": parsed_old[2]}
    if not block:
        block = {"backwards": True, "forwards": True, "transitive": True, "policy": "lenient"}
    if word is not None:
        parsed = parse_compat_word(word)
        if parsed is None:
            raise InvalidInput(
                f"--compatibility {word!r} is not a mode",
                hint="full, backward, forward or none, with an optional _transitive suffix",
            )
        for k in ("mode", "backward", "forward"):
            block.pop(k, None)
        block.update({"backwards": parsed[0], "forwards": parsed[1], "transitive": parsed[2]})
    if policy is not None:
        if policy not in POLICIES:
            raise InvalidInput(f"--policy {policy!r} is not one of {', '.join(POLICIES)}")
        block["policy"] = policy
    block.setdefault("policy", "lenient")
    return block


def _hook_list(values: Sequence[str]) -> list[str]:
    for v in values:
        try:
            argv = shlex.split(v)
        except ValueError as exc:
            raise InvalidInput(f"hook {v!r}: {exc}") from None
        why = relpath_problem(argv[0]) if argv else "is empty"
        if why:
            raise InvalidInput(
                f"hook {v!r}: program {why}", hint="give a script inside the repo, e.g. scripts/check.sh"
            )
    return list(values)


def validation_block(
    old: Any, exporter: Sequence[str], importer: Sequence[str], ci: Sequence[str]
) -> dict[str, Any]:
    """The ``validation`` block with the hooks the flags give (each a program inside the repo)."""
    block: dict[str, Any] = dict(old) if isinstance(old, dict) else {}
    for key, hooks in (("exporter", exporter), ("importer", importer)):
        if hooks:
            block[key] = _hook_list(hooks) if len(hooks) > 1 else _hook_list(hooks)[0]
    if ci:
        block["ci_only"] = _hook_list(ci)
    return block


def schema_from_file(schema_file: Path | None) -> Any:
    """The JSON Schema ``--schema`` names, or None without the flag."""
    if schema_file is None:
        return None
    from blue_tui.core.realm.compat import load_schema_file

    try:
        return load_schema_file(schema_file)
    except OSError as exc:
        raise InvalidInput(f"--schema {schema_file}: {exc.strerror or exc}") from None
