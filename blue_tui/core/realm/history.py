"""Contract schemas by version, taken from the realm's git history.

One ``git log --raw`` lists every committed version of every contract file, and one
``git cat-file --batch`` reads the distinct blobs; for each ``(domain, contract, version)`` the
newest commit wins. Results go to the cache's ``contract_cache`` with an authenticated mark of the
last commit scanned, so the next run only scans ``mark..HEAD``; a history that does not verify is
rescanned. The working tree's current version overrides
history (it is the newest state).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blue_tui.core.realm import git, semver
from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.model import CONTRACTS_DIR, DOMAINS_DIR, Realm
from blue_tui.core.realm.yamlfile import YamlError, parse_bytes

CONTRACT_GLOB = f"{DOMAINS_DIR}/*/{CONTRACTS_DIR}/*.yaml"


@dataclass(frozen=True)
class VersionedSchema:
    version: str
    schema: Any
    #: The realm commit the schema was read from; None for the working tree.
    commit: str | None


def split_contract_path(path: str) -> tuple[str, str] | None:
    parts = path.split("/")
    if (
        len(parts) == 4
        and parts[0] == DOMAINS_DIR
        and parts[2] == CONTRACTS_DIR
        and parts[3].endswith(".yaml")
    ):
        return parts[1], parts[3][:-5]
    return None


def read_contract_blob(raw: bytes | None) -> tuple[str, Any] | None:
    """``(version, schema)`` of a contract file's bytes, or None when unusable."""
    if raw is None:
        return None
    try:
        data = parse_bytes(raw).data
    except YamlError:
        return None
    if not isinstance(data, dict):
        return None
    version, schema = data.get("version"), data.get("schema")
    if not isinstance(version, str) or not semver.is_version(version) or not isinstance(schema, dict | bool):
        return None
    return version, schema


class ContractHistory:
    """Lazily scanned; safe to share between threads (scans run under a lock).

    A few contracts (the ones a commit changed, one domain's for the matrix) are read with a
    ``git log`` limited to their files (:meth:`prefetch`). Every contract at once
    (:meth:`prefetch_all`, for ``--mode compatibility``) is one scan of all contract files, kept in
    the cache and continued incrementally on the next run.
    """

    def __init__(self, realm: Realm, cache: Cache | None = None) -> None:
        self.realm = realm
        self.cache = cache
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], dict[str, VersionedSchema]] = {}
        self._everything = False
        self.scanned_commits = 0

    @property
    def root(self) -> Path:
        return self.realm.root

    def _scan(self) -> dict[tuple[str, str, str], VersionedSchema]:
        known: dict[tuple[str, str, str], VersionedSchema] = {}
        head = self.realm.commit
        if head is None:
            return known
        key = str(self.root)
        since: str | None = None
        if self.cache is not None:
            stored = self.cache.get_history(key)
            if stored is not None and (stored[0] == head or git.is_ancestor(self.root, stored[0], head)):
                since = stored[0]
                for (d, c, v), (schema, commit) in stored[1].items():
                    known[(d, c, v)] = VersionedSchema(v, schema, commit)
            else:
                # None verified, or rewritten history: start over from git.
                self.cache.forget_history(key)
        if since != head:
            fresh = self._scan_git(since)
            known.update(fresh)
            if self.cache is not None:
                self.cache.put_history(
                    key, head, {k: (s.schema, s.commit or head) for k, s in known.items()}, fresh.keys()
                )
        return known

    def _scan_git(
        self, since: str | None, paths: list[str] | None = None
    ) -> dict[tuple[str, str, str], VersionedSchema]:
        versions = git.file_history(self.root, paths or [CONTRACT_GLOB], since=since)
        self.scanned_commits = len({v.commit for v in versions})
        blobs = git.cat_blobs(self.root, sorted({v.blob for v in versions}))
        parsed: dict[str, tuple[str, Any] | None] = {}
        found: dict[tuple[str, str, str], VersionedSchema] = {}
        for fv in versions:  # newest first: the first sighting of a version wins
            where = split_contract_path(fv.path)
            if where is None:
                continue
            if fv.blob not in parsed:
                parsed[fv.blob] = read_contract_blob(blobs.get(fv.blob))
            item = parsed[fv.blob]
            if item is None:
                continue
            k = (where[0], where[1], item[0])
            if k not in found:
                found[k] = VersionedSchema(item[0], item[1], fv.commit)
        return found

    def prefetch_all(self) -> None:
        with self._lock:
            if self._everything:
                return
            grouped: dict[tuple[str, str], dict[str, VersionedSchema]] = {}
            for (d, c, v), item in self._scan().items():
                grouped.setdefault((d, c), {})[v] = item
            self._known = grouped
            self._everything = True

    def prefetch(self, pairs: list[tuple[str, str]]) -> None:
        """Read the history of just these contracts (one git call for all of them)."""
        with self._lock:
            wanted = sorted({p for p in pairs if p not in self._known}) if not self._everything else []
            if not wanted or self.realm.commit is None:
                for pair in wanted:
                    self._known.setdefault(pair, {})
                return
            paths = [f"{DOMAINS_DIR}/{d}/{CONTRACTS_DIR}/{c}.yaml" for d, c in wanted]
            for pair in wanted:
                self._known.setdefault(pair, {})
            for (d, c, v), item in self._scan_git(None, paths).items():
                self._known.setdefault((d, c), {})[v] = item

    def _of(self, domain: str, contract: str) -> dict[str, VersionedSchema]:
        if (domain, contract) not in self._known and not self._everything:
            self.prefetch([(domain, contract)])
        return self._known.get((domain, contract), {})

    def schema(self, domain: str, contract: str, version: str) -> VersionedSchema | None:
        current = self.realm.contracts.get((domain, contract))
        if current is not None and current.version == version:
            return VersionedSchema(version, current.schema, None if self.realm.dirty else self.realm.commit)
        return self._of(domain, contract).get(version)

    def versions(self, domain: str, contract: str) -> dict[str, VersionedSchema]:
        """Every version of the contract seen in history (plus the working tree's), by version."""
        out = dict(self._of(domain, contract))
        current = self.realm.contracts.get((domain, contract))
        if current is not None:
            out[current.version] = VersionedSchema(
                current.version, current.schema, None if self.realm.dirty else self.realm.commit
            )
        return out


def at_ref(root: Path, ref: str, paths: list[str]) -> dict[str, bytes | None]:
    """The contents of ``paths`` at ``ref`` (None where the file did not exist)."""
    got = git.cat_blobs(root, [f"{ref}:{p}" for p in paths])
    return {p: got.get(f"{ref}:{p}") for p in paths}
