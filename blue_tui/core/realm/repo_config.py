"""A repo's ``.blue/config.yaml``: its realm membership, beside whatever else lives there.

The file is shared with other tools (forge, aws, release settings; upstream bug #2 was the realm
code rewriting it with only its own keys). Here only the top-level ``realm:`` block is ever
rewritten, as text: every other key, comment and blank line stays byte for byte. The result is
re-parsed before it is written, and written atomically.

```yaml
realm:
  name: letemcook        # the realm (looked up in $BLUE_HOME/index.yaml)
  repo: aperture         # this repo's name in the realm
  url: ../realm-letemcook  # where to clone the realm from (optional)
  hooks:                 # optional: what other teams' contract hooks may use here
    allow_arguments: [scripts/validate.sh]   # hooks that take their arguments from the contract
    env: [AWS_PROFILE]                       # variables passed on besides PATH, HOME, LANG
```

The ``hooks`` block belongs to the repo, not to the realm: a contract written by another team
can name a script, but only this file decides whether that script gets the contract's arguments
and which variables of the environment it sees (docs/REALM.md, "Validation hooks").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blue_tui.core.realm.errors import RealmError
from blue_tui.core.realm.fsutil import write_atomic
from blue_tui.core.realm.names import env_name_problem, name_problem, relpath_problem
from blue_tui.core.realm.yamlfile import YamlError, dump, parse_text

CONFIG_REL = ".blue/config.yaml"
SECTION = "realm"


class RepoConfigError(RealmError):
    """``.blue/config.yaml`` cannot be read or safely edited."""


@dataclass(frozen=True)
class HookPolicy:
    """What the repo lets hooks from other teams' contracts do (``realm.hooks``)."""

    #: Hook programs (repo-relative paths) that may take arguments from another team's contract.
    allow_arguments: tuple[str, ...] = ()
    #: Environment variables passed to hooks besides PATH, HOME and LANG.
    env: tuple[str, ...] = ()


@dataclass(frozen=True)
class Membership:
    name: str
    repo: str
    url: str | None = None
    #: Other keys of the ``realm:`` block (``hooks`` included), kept as they are on rewrite.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    hooks: HookPolicy = field(default_factory=HookPolicy, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "repo": self.repo, "url": self.url}


def config_path(repo_root: Path) -> Path:
    return repo_root / CONFIG_REL


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise RepoConfigError(f"{path}: cannot read ({exc})") from None


def _parse(path: Path, text: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        parsed = parse_text(text)
    except YamlError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise RepoConfigError(
            f"{where}: {exc.message}", hint=f"fix {path} by hand; blue only edits its realm: block"
        ) from None
    if parsed.data is None:
        return {}, {}
    if not isinstance(parsed.data, dict):
        raise RepoConfigError(f"{path}: the top level must be a mapping", hint=f"fix {path} by hand")
    return parsed.data, parsed.lines


def read_membership(repo_root: Path) -> Membership | None:
    """The repo's realm membership, or None when the file or its ``realm:`` block is absent."""
    path = config_path(repo_root)
    text = _read_text(path)
    if text is None:
        return None
    data, lines = _parse(path, text)
    section = data.get(SECTION)
    if section is None:
        return None
    if not isinstance(section, dict):
        raise RepoConfigError(
            f"{path}:{lines.get(SECTION)}: realm must be a mapping with name and repo",
            hint='see docs/REALM.md, ".blue/config.yaml"',
        )
    values: dict[str, str] = {}
    for key in ("name", "repo"):
        value = section.get(key)
        why = name_problem(value) if value is not None else "is missing"
        if why:
            raise RepoConfigError(
                f"{path}:{lines.get(f'realm.{key}') or lines.get(SECTION)}: realm.{key} {why}",
                hint="run `blue realm admin join REALM` again, or fix the file",
            )
        assert isinstance(value, str)
        values[key] = value
    url = section.get("url")
    extra = {k: v for k, v in section.items() if k not in ("name", "repo", "url")}
    hooks = _hook_policy(path, section.get("hooks"), lines)
    return Membership(values["name"], values["repo"], url if isinstance(url, str) else None, extra, hooks)


def _hook_policy(path: Path, value: Any, lines: dict[str, int]) -> HookPolicy:
    if value is None:
        return HookPolicy()

    def fail(key: str, why: str) -> RepoConfigError:
        line = lines.get(key) or lines.get("realm.hooks") or lines.get(SECTION)
        return RepoConfigError(
            f"{path}:{line}: {key} {why}",
            hint='see docs/REALM.md, "Validation hooks"; fix the file by hand',
        )

    if not isinstance(value, dict):
        raise fail("realm.hooks", "must be a mapping with allow_arguments and env")
    unknown = [k for k in value if k not in ("allow_arguments", "env")]
    if unknown:
        raise fail(f"realm.hooks.{unknown[0]}", "is not a known key (allow_arguments, env)")
    found: dict[str, tuple[str, ...]] = {}
    for key, check in (("allow_arguments", relpath_problem), ("env", env_name_problem)):
        items = value.get(key) or []
        full = f"realm.hooks.{key}"
        if not isinstance(items, list):
            raise fail(full, "must be a list")
        for i, item in enumerate(items):
            why = check(item)
            if why:
                raise fail(f"{full}[{i}]", why)
        found[key] = tuple(items)
    return HookPolicy(found["allow_arguments"], found["env"])


def read_hook_policy(repo_root: Path) -> HookPolicy:
    """The repo's ``realm.hooks`` block (empty when absent). Raises :class:`RepoConfigError`."""
    membership = read_membership(repo_root)
    return membership.hooks if membership is not None else HookPolicy()


def _block_span(text: str, data: dict[str, Any], lines: dict[str, int]) -> tuple[int, int] | None:
    """0-based ``[start, end)`` line span of the top-level ``realm:`` block, or None if absent."""
    if SECTION not in data:
        return None
    start = lines[SECTION] - 1
    all_lines = text.split("\n")
    later = [
        lines[k] - 1 for k in data if k != SECTION and isinstance(k, str) and lines.get(k, 0) - 1 > start
    ]
    end = min(later) if later else len(all_lines)
    # Column-0 comments and blank lines just above the next key belong to that key.
    while end - 1 > start and (not all_lines[end - 1].strip() or all_lines[end - 1].startswith("#")):
        end -= 1
    return start, end


def _render(text: str | None, path: Path, section: dict[str, Any] | None) -> str:
    """``text`` with its ``realm:`` block replaced by ``section`` (or removed when None)."""
    if text is None or not text.strip():
        if section is None:
            return text or ""
        return "# blue: this repo's realm membership (other tools may add their own keys)\n" + dump(
            {SECTION: section}
        )
    data, lines = _parse(path, text)
    block = dump({SECTION: section}) if section is not None else ""
    flow = text.lstrip().startswith("{")
    span = None if flow else _block_span(text, data, lines)
    if flow:
        new_data = {k: v for k, v in data.items() if k != SECTION}
        if section is not None:
            new_data[SECTION] = section
        out = dump(new_data)
    elif span is None:
        if section is None:
            return text
        out = text + ("" if text.endswith("\n") else "\n") + block
    else:
        all_lines = text.split("\n")
        before = "\n".join(all_lines[: span[0]])
        after = "\n".join(all_lines[span[1] :])
        out = (before + "\n" if span[0] else "") + block + after
    # Safety net: the edit must leave every other key exactly as it was.
    check, _ = _parse(path, out)
    expected = {k: v for k, v in data.items() if k != SECTION}
    if section is not None:
        expected[SECTION] = section
    if check != expected:
        new_data = {k: v for k, v in data.items() if k != SECTION}
        if section is not None:
            new_data[SECTION] = section
        out = dump(new_data)
    return out


def write_membership(repo_root: Path, membership: Membership) -> Path:
    """Set the ``realm:`` block (keeping unknown keys inside it); everything else is untouched."""
    path = config_path(repo_root)
    text = _read_text(path)
    section: dict[str, Any] = {"name": membership.name, "repo": membership.repo}
    if membership.url:
        section["url"] = membership.url
    section.update(membership.extra)
    write_atomic(path, _render(text, path, section))
    return path


def remove_membership(repo_root: Path) -> bool:
    """Drop the ``realm:`` block; True if there was one. The file itself stays."""
    path = config_path(repo_root)
    text = _read_text(path)
    if text is None:
        return False
    data, _ = _parse(path, text)
    if SECTION not in data:
        return False
    write_atomic(path, _render(text, path, None))
    return True
