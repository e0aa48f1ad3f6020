"""``$BLUE_HOME/index.yaml``: the realms this user is in, and where their clones live.

```yaml
realms:
  - name: letemcook
    path: /home/me/.blue/realms/letemcook   # the local clone
    url: git@github.com:org/realm-letemcook.git   # where it was cloned from (optional)
```

Writes hold a lock and replace the file atomically; unknown keys (top level and per entry) are
kept, so a newer blue can add fields without an older one dropping them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm.errors import RealmError
from blue_tui.core.realm.fsutil import locked, write_atomic
from blue_tui.core.realm.names import name_problem
from blue_tui.core.realm.yamlfile import YamlError, dump, parse_text

HEADER = "# blue: the realms you are in (written by `blue realm admin init/join`)\n"


class IndexFileError(RealmError):
    """index.yaml cannot be read."""


@dataclass(frozen=True)
class IndexEntry:
    name: str
    path: Path
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "url": self.url}


@dataclass
class Index:
    path: Path
    entries: list[IndexEntry]
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> IndexEntry | None:
        for entry in self.entries:
            if entry.name == name:
                return entry
        return None

    def by_path(self, path: Path) -> IndexEntry | None:
        target = path.resolve()
        for entry in self.entries:
            if entry.path.resolve() == target:
                return entry
        return None


def read_index(settings: Settings) -> Index:
    path = settings.index_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Index(path, [])
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexFileError(f"{path}: cannot read ({exc})") from None
    try:
        parsed = parse_text(text)
    except YamlError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise IndexFileError(f"{where}: {exc.message}", hint=f"fix {path} (it lists your realms)") from None
    data = parsed.data or {}
    if not isinstance(data, dict) or not isinstance(data.get("realms", []), list):
        raise IndexFileError(f"{path}: expected `realms:` followed by a list", hint=f"fix {path}")
    entries: list[IndexEntry] = []
    for i, item in enumerate(data.get("realms") or []):
        line = parsed.lines.get(f"realms[{i}]")
        if not isinstance(item, dict):
            raise IndexFileError(f"{path}:{line}: realms[{i}] must be a mapping with name and path")
        name, location = item.get("name"), item.get("path")
        why = name_problem(name)
        if why or not isinstance(location, str) or not location:
            problem = f"name {why}" if why else "path is missing"
            raise IndexFileError(f"{path}:{line}: realms[{i}]: {problem}", hint=f"fix {path}")
        assert isinstance(name, str)
        url = item.get("url")
        entries.append(
            IndexEntry(
                name,
                Path(location).expanduser(),
                url if isinstance(url, str) else None,
                {k: v for k, v in item.items() if k not in ("name", "path", "url")},
            )
        )
    return Index(path, entries, {k: v for k, v in data.items() if k != "realms"})


def _write(index: Index) -> None:
    realms = []
    for e in index.entries:
        item: dict[str, Any] = {"name": e.name, "path": str(e.path)}
        if e.url:
            item["url"] = e.url
        item.update(e.extra)
        realms.append(item)
    write_atomic(index.path, HEADER + dump({**index.extra, "realms": realms}))


def upsert(settings: Settings, entry: IndexEntry) -> bool:
    """Add or update ``entry``; True when the file changed."""
    with locked(settings.index_path.with_name("index.yaml.lock"), what="index.yaml"):
        index = read_index(settings)
        old = index.get(entry.name)
        if old is not None and old.path == entry.path and (old.url == entry.url or entry.url is None):
            return False
        keep = dict(old.extra) if old else {}
        url = entry.url or (old.url if old else None)
        index.entries = [e for e in index.entries if e.name != entry.name]
        index.entries.append(IndexEntry(entry.name, entry.path, url, {**keep, **entry.extra}))
        index.entries.sort(key=lambda e: e.name)
        _write(index)
        return True


def remove(settings: Settings, name: str) -> bool:
    with locked(settings.index_path.with_name("index.yaml.lock"), what="index.yaml"):
        index = read_index(settings)
        if index.get(name) is None:
            return False
        index.entries = [e for e in index.entries if e.name != name]
        _write(index)
        return True
