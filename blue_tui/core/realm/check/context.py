"""What every ``realm check`` mode shares: the loaded realm, the options, the problems found so
far, the hook and compatibility results, and the contract history."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.compatcheck import CompatResult
from blue_tui.core.realm.errors import InvalidInput, ItemNotFound, RealmError
from blue_tui.core.realm.history import ContractHistory
from blue_tui.core.realm.hooks import HookResult, in_ci
from blue_tui.core.realm.loader import Locator, Progress
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import (
    DOMAINS_DIR,
    REALM_FILE,
    Contract,
    Realm,
    binding_file,
    domain_file,
    governance_file,
    repo_file,
)
from blue_tui.core.realm.problems import Problem, ProblemSink

MODES = ("exporter", "importer", "contract", "compatibility")


@dataclass(frozen=True)
class CheckOptions:
    modes: tuple[str, ...] = ()  # empty = automatic
    strict: bool = False
    contract: str | None = None  # NAME or DOMAIN/NAME
    domain: str | None = None
    from_version: str | None = None
    to_version: str | None = None
    against: str | None = None
    hook_timeout: float | None = None
    run_hooks: bool = True
    env: Mapping[str, str] | None = None


@dataclass
class HookRun:
    domain: str
    contract: str
    version: str
    result: HookResult

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "contract": self.contract,
            "version": self.version,
            **self.result.as_json(),
        }


class CheckContext:
    def __init__(
        self,
        realm: Realm,
        located: Located,
        options: CheckOptions,
        cache: Cache | None,
        progress: Progress | None,
    ) -> None:
        self.realm = realm
        self.located = located
        self.options = options
        self.cache = cache
        self.progress = progress
        self.member = located.member(realm.name)
        self.problems: list[Problem] = []
        self.sink = ProblemSink(self.problems, Locator(realm.root))
        self.hooks: list[HookRun] = []
        self.compat: list[CompatResult] = []
        self.history = ContractHistory(realm, cache)
        self.env = dict(os.environ if options.env is None else options.env)
        self.ci = in_ci(self.env)
        self.base: str | None = None
        self.merge_order: list[list[str]] | None = None

    @property
    def repo_root(self) -> Path:
        assert self.located.repo_root is not None
        return self.located.repo_root

    def need_member(self, mode: str) -> str:
        if self.member is None:
            raise RealmError(
                f"--mode {mode} checks one repo's side, but {Path.cwd()} is not a member of realm "
                f"{self.realm.name!r}",
                hint="run it inside the member repo's checkout (its .blue/config.yaml names the realm), "
                "or use --mode contract",
            )
        return self.member

    def relevant_files(self, repo: str) -> set[str]:
        """The files a repo's own check depends on (problems elsewhere belong to other teams)."""
        files = {REALM_FILE, repo_file(repo)}
        for tag in self.realm.unusable:  # this repo's bindings that did not even parse
            kind, _, ref = tag.partition(":")
            domain, _, name = ref.partition("/")
            if kind == "binding" and name == repo:
                files |= {binding_file(domain, repo), domain_file(domain), governance_file(domain)}
        for b in self.realm.bindings_of(repo):
            files |= {b.file, domain_file(b.domain), governance_file(b.domain)}
            for e in b.exports:
                files.add(f"{DOMAINS_DIR}/{b.domain}/contracts/{e.contract}.yaml")
            for i in b.imports:
                files.add(f"{DOMAINS_DIR}/{b.domain}/contracts/{i.contract}.yaml")
        for d in self.realm.domains.values():
            if repo in d.members:
                files.add(d.file)
        return files

    def find_contract(self, spec: str, domain: str | None) -> Contract:
        if "/" in spec:
            domain, _, spec = spec.partition("/")
        matches = [
            c
            for c in self.realm.contracts.values()
            if c.name == spec and (domain is None or c.domain == domain)
        ]
        if not matches:
            raise ItemNotFound(
                f"no contract {spec!r}"
                + (f" in domain {domain!r}" if domain else "")
                + f" in realm {self.realm.name!r}",
                hint="see `blue realm status`",
            )
        if len(matches) > 1:
            doms = ", ".join(sorted(c.domain for c in matches))
            raise InvalidInput(
                f"contract {spec!r} exists in several domains ({doms})",
                hint="name it as DOMAIN/NAME or add --domain",
            )
        return matches[0]
