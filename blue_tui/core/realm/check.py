"""``blue realm check``: the realm's CI gate, as a function that returns a report.

Modes (coordination.md 1, seed 004 round 8):

- ``exporter``: this repo's exports name contracts it owns, their source files exist, the
  contracts' exporter hooks pass; importers whose ranges the current version does not satisfy are
  warnings (Pact's *pending*: they do not break the exporter's build).
- ``importer``: this repo's import ranges are satisfied by the contracts (error), bindings are not
  stale (warning), the schema the binding was resolved against can read the current version's
  documents, binding files exist, importer hooks pass.
- ``contract``: every file valid, evolution consistent, one owner and one exporter, the graph
  acyclic, and every contract changed since the base ref (``--against``, default the previous
  commit, or HEAD when the realm has uncommitted changes) bumped correctly for its schema change.
- ``compatibility``: ``--contract NAME --from V1 --to V2``, or every contract against its
  predecessors (all of ``evolution`` when transitive), old schemas taken from git history.

Default: ``exporter`` + ``importer`` inside a member repo, ``contract`` elsewhere.
Exit codes: 0 clean, 1 errors (or warnings with ``strict``), 2 warnings only.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blue_tui.core.errors import EXIT_FAILURE, EXIT_OK, EXIT_WARNINGS
from blue_tui.core.realm import git, semver
from blue_tui.core.realm.cache import Cache, content_key, hash_file
from blue_tui.core.realm.compatcheck import CompatResult, check_pair, problems_for
from blue_tui.core.realm.errors import InvalidInput, ItemNotFound, RealmError
from blue_tui.core.realm.graph import DependencyGraph
from blue_tui.core.realm.history import ContractHistory, at_ref, read_contract_blob, split_contract_path
from blue_tui.core.realm.hooks import HookResult, in_ci, run_hook, skipped
from blue_tui.core.realm.loader import Locator, Progress, load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import (
    DOMAINS_DIR,
    REALM_FILE,
    Binding,
    Contract,
    Export,
    Hook,
    Import,
    Realm,
    binding_file,
    domain_file,
    governance_file,
    repo_file,
)
from blue_tui.core.realm.names import resolve_inside
from blue_tui.core.realm.problems import Problem, Severity, counts, sort_key

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


@dataclass
class CheckReport:
    realm: str
    root: str
    commit: str | None
    dirty: bool
    modes: tuple[str, ...]
    repo: str | None
    strict: bool
    problems: list[Problem] = field(default_factory=list)
    hooks: list[HookRun] = field(default_factory=list)
    compatibility: list[CompatResult] = field(default_factory=list)
    merge_order: list[list[str]] | None = None
    base: str | None = None
    source: str = "files"
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        return counts(self.problems)

    @property
    def exit_code(self) -> int:
        c = self.summary
        if c["errors"] or (self.strict and c["warnings"]):
            return EXIT_FAILURE
        return EXIT_WARNINGS if c["warnings"] else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        return {
            "realm": self.realm,
            "path": self.root,
            "commit": self.commit,
            "dirty": self.dirty,
            "repo": self.repo,
            "modes": list(self.modes),
            "strict": self.strict,
            "base": self.base,
            "ok": self.exit_code == EXIT_OK,
            "exit_code": self.exit_code,
            "summary": self.summary,
            "problems": [p.as_json() for p in self.problems],
            "hooks": [h.as_json() for h in self.hooks],
            "compatibility": [r.as_json() for r in self.compatibility],
            "merge_order": self.merge_order,
            "source": self.source,
            "cache": self.cache,
        }


class _Checker:
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
        self.hooks: list[HookRun] = []
        self.compat: list[CompatResult] = []
        self.locate = Locator(realm.root)
        self.history = ContractHistory(realm, cache)
        self.env = dict(os.environ if options.env is None else options.env)
        self.ci = in_ci(self.env)
        self.base: str | None = None
        self.merge_order: list[list[str]] | None = None
        self._schema_files: dict[str, str] = {}
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None

    # ---- helpers ---------------------------------------------------------------------------------

    def add(
        self,
        severity: Severity,
        rule: str,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        domain: str | None = None,
        contract: str | None = None,
        repo: str | None = None,
        hint: str | None = None,
    ) -> None:
        line = self.locate(file, key) if file and not file.startswith("/") else None
        self.problems.append(
            Problem(
                severity,
                rule,
                message,
                file=file,
                key=key,
                line=line,
                domain=domain,
                contract=contract,
                repo=repo,
                hint=hint,
            )
        )

    @property
    def repo_root(self) -> Path:
        assert self.located.repo_root is not None
        return self.located.repo_root

    def _need_member(self, mode: str) -> bool:
        if self.member is None:
            raise RealmError(
                f"--mode {mode} checks one repo's side, but {Path.cwd()} is not a member of realm "
                f"{self.realm.name!r}",
                hint="run it inside the member repo's checkout (its .blue/config.yaml names the realm), "
                "or use --mode contract",
            )
        return True

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

    # ---- hooks -----------------------------------------------------------------------------------

    def _schema_file(self, con: Contract) -> str:
        if con.ref not in self._schema_files:
            if self._tmpdir is None:
                self._tmpdir = tempfile.TemporaryDirectory(prefix="blue-hooks-")
            path = Path(self._tmpdir.name) / f"{con.domain}--{con.name}.schema.json"
            path.write_text(json.dumps(con.schema, indent=2), encoding="utf-8")
            self._schema_files[con.ref] = str(path)
        return self._schema_files[con.ref]

    def run_hooks(
        self, con: Contract, binding: Binding, mode: str, entry: Export | Import, inputs: list[str]
    ) -> None:
        hooks = con.validation.hooks_for(mode)
        if not hooks or not self.options.run_hooks:
            return
        env = {
            "BLUE_REALM": self.realm.name,
            "BLUE_REALM_PATH": str(self.realm.root),
            "BLUE_REPO": binding.repo,
            "BLUE_DOMAIN": con.domain,
            "BLUE_CONTRACT": con.name,
            "BLUE_CONTRACT_VERSION": con.version,
            "BLUE_CONTRACT_FILE": str(self.realm.root / con.file),
            "BLUE_SCHEMA_FILE": self._schema_file(con),
        }
        if isinstance(entry, Export):
            env["BLUE_SOURCE_FILES"] = "\n".join(entry.source_files)
        else:
            env["BLUE_IMPORT_RANGE"] = entry.range
            env["BLUE_RESOLVED_VERSION"] = entry.resolved_version or ""
            env["BLUE_BINDING_FILE"] = entry.binding or ""
        for hook in hooks:
            result = self._one_hook(con, hook, mode, env, entry, inputs)
            self.hooks.append(HookRun(con.domain, con.name, con.version, result))
            ids = {
                "file": con.file,
                "key": hook.key,
                "domain": con.domain,
                "contract": con.name,
                "repo": binding.repo,
            }
            last = result.output.strip().splitlines()[-1:] if result.output.strip() else []
            tail = f": {last[0][:200]}" if last else ""
            if result.status == "fail":
                self.add(
                    "error", "hook-failed", f"{mode} hook {hook.label} failed ({result.reason}){tail}", **ids
                )
            elif result.status == "warning":
                self.add("warning", "hook-warning", f"{mode} hook {hook.label} warned{tail}", **ids)
            elif result.status == "skipped":
                self.add("info", "hook-skipped", f"{mode} hook {hook.label} skipped: {result.reason}", **ids)

    def _one_hook(
        self,
        con: Contract,
        hook: Hook,
        mode: str,
        env: dict[str, str],
        entry: Export | Import,
        inputs: list[str],
    ) -> HookResult:
        if hook.ci_only and not self.ci:
            return skipped(hook, mode, "ci_only hook: runs only when CI is set")
        timeout = self.options.hook_timeout or hook.timeout or con.validation.timeout
        program = resolve_inside(self.repo_root, hook.argv[0])
        script_hash = hash_file(program) if program is not None and program.is_file() else None
        key = content_key(mode, hook.argv, script_hash, con.schema, entry.as_json(), inputs, self.ci)
        if self.cache is not None and script_hash is not None:
            hit = self.cache.get_validation(con.ref, con.version, key)
            if hit is not None:
                status = "ok" if hit[0] == 0 else "warning"
                reason = "" if hit[0] == 0 else "hook warned (exit 2)"
                return HookResult(hook.label, mode, status, hit[0], hit[1], 0.0, reason, cached=True)
        result = run_hook(hook, self.repo_root, mode=mode, timeout=timeout, extra_env=env)
        if self.cache is not None and result.status in ("ok", "warning") and result.exit_code is not None:
            self.cache.put_validation(con.ref, con.version, key, result.exit_code, result.output)
        return result

    def _file_inputs(self, paths: list[str]) -> list[str]:
        """Content hashes of repo files (mtime-keyed in the export cache): hook cache inputs."""
        out = []
        for rel in paths:
            target = resolve_inside(self.repo_root, rel)
            digest = None
            if target is not None and target.is_file():
                digest = self.cache.file_hash(target) if self.cache is not None else hash_file(target)
            out.append(f"{rel}:{digest}")
        return out

    # ---- modes -----------------------------------------------------------------------------------

    def exporter(self) -> None:
        self._need_member("exporter")
        repo = self.member
        assert repo is not None
        bindings = [b for b in self.realm.bindings_of(repo) if b.exports]
        if not bindings:
            self.add(
                "info", "no-exports", f"{repo} exports no contracts in realm {self.realm.name}", repo=repo
            )
        for b in bindings:
            for e in b.exports:
                con = self.realm.contract(b.domain, e.contract)
                if con is None or con.owner != repo:
                    continue  # reported by the loader (unknown-contract / not-owner)
                ids = {"file": b.file, "domain": b.domain, "contract": e.contract, "repo": repo}
                if not e.source_files:
                    self.add(
                        "warning",
                        "no-source-files",
                        f"export of {e.contract} lists no source_files",
                        key=e.key,
                        hint="list the files that produce the documents",
                        **ids,
                    )
                for j, rel in enumerate(e.source_files):
                    target = resolve_inside(self.repo_root, rel)
                    if target is None or not target.exists():
                        self.add(
                            "error",
                            "source-missing",
                            f"source file {rel} does not exist in {self.repo_root}",
                            key=f"{e.key}.source_files[{j}]",
                            **ids,
                        )
                inputs = self._file_inputs(list(e.source_files))
                self.run_hooks(con, b, "exporter", e, inputs)
                for ib, imp in self.realm.imports_of(b.domain, e.contract):
                    if semver.range_problem(
                        imp.range, allow_prerelease=con.prereleases
                    ) is None and not semver.satisfies(con.version, imp.range):
                        self.add(
                            "warning",
                            "importer-pending",
                            f"{ib.repo} imports {e.contract} {imp.range!r}, which {con.version} does not satisfy",
                            file=ib.file,
                            key=f"{imp.key}.version",
                            domain=b.domain,
                            contract=e.contract,
                            repo=ib.repo,
                            hint=f"{ib.repo} waits for a matching version (pending, not a failure "
                            "of the exporter)",
                        )

    def importer(self) -> None:
        self._need_member("importer")
        repo = self.member
        assert repo is not None
        bindings = [b for b in self.realm.bindings_of(repo) if b.imports]
        if not bindings:
            self.add(
                "info", "no-imports", f"{repo} imports no contracts in realm {self.realm.name}", repo=repo
            )
        for b in bindings:
            for imp in b.imports:
                con = self.realm.contract(b.domain, imp.contract)
                if con is None:
                    continue
                self.import_state(b, imp, con, strict_errors=True)
                if imp.binding:
                    target = resolve_inside(self.repo_root, imp.binding)
                    if target is None or not target.exists():
                        self.add(
                            "error",
                            "binding-file-missing",
                            f"binding file {imp.binding} does not exist in {self.repo_root}",
                            file=b.file,
                            key=f"{imp.key}.binding",
                            domain=b.domain,
                            contract=imp.contract,
                            repo=repo,
                        )
                inputs = self._file_inputs([imp.binding] if imp.binding else [])
                self.run_hooks(con, b, "importer", imp, inputs)

    def import_state(self, b: Binding, imp: Import, con: Contract, *, strict_errors: bool) -> None:
        """Satisfied, stale, broken: for importer mode (errors) and contract mode (warnings)."""
        ids = {"file": b.file, "domain": b.domain, "contract": imp.contract, "repo": b.repo}
        if semver.range_problem(imp.range, allow_prerelease=con.prereleases) is not None:
            return  # bad-range, reported by the loader
        refresh = f"`blue realm admin binding {b.domain} --repo {b.repo} --update --refresh`"
        if not semver.satisfies(con.version, imp.range):
            self.add(
                "error" if strict_errors else "warning",
                "import-unsatisfied",
                f"range {imp.range!r} is not satisfied by {con.ref} {con.version}",
                key=f"{imp.key}.version",
                hint="widen the range once your code handles the new version"
                if strict_errors
                else f"{b.repo} must move to the new version (its importer check fails until then)",
                **ids,
            )
            return
        if imp.status == "broken":
            self.add(
                "error" if strict_errors else "warning",
                "import-broken",
                f"import of {imp.contract} is marked broken",
                key=f"{imp.key}.status",
                hint=refresh,
                **ids,
            )
        elif imp.resolved_version is None or imp.status == "pending":
            self.add(
                "warning",
                "import-pending",
                f"import of {imp.contract} was never resolved (status {imp.status})",
                key=imp.key,
                hint=refresh,
                **ids,
            )
        elif imp.resolved_version != con.version:
            self.add(
                "warning",
                "import-stale",
                f"resolved {imp.resolved_version}, but {con.ref} is at {con.version}",
                key=f"{imp.key}.resolved_version",
                hint=refresh,
                **ids,
            )
            if strict_errors:
                self._resolved_can_read(b, imp, con)
        elif imp.status == "outdated":
            self.add(
                "warning",
                "import-stale",
                f"import of {imp.contract} is marked outdated",
                key=f"{imp.key}.status",
                hint=refresh,
                **ids,
            )

    def _resolved_can_read(self, b: Binding, imp: Import, con: Contract) -> None:
        """Can code built against the resolved version's schema read the current version's documents?"""
        assert imp.resolved_version is not None
        past = self.history.schema(con.domain, con.name, imp.resolved_version)
        if past is None:
            return
        forward_only = type(con.compatibility)(
            False, True, False, con.compatibility.policy, con.compatibility.readers_apply_defaults
        )
        result = check_pair(
            con,
            imp.resolved_version,
            past.schema,
            con.version,
            con.schema,
            compat=forward_only,
            reason="resolved",
        )
        if result.forward is False:
            bad = [f"{c.rule} at {c.path or '/'}" for c in result.changes if c.forward is False][:3]
            self.add(
                "error",
                "import-breaks",
                f"documents of {con.ref} {con.version} cannot be read with the {imp.resolved_version} schema "
                f"this binding was resolved against [{'; '.join(bad)}]",
                file=b.file,
                key=f"{imp.key}.resolved_version",
                domain=b.domain,
                contract=imp.contract,
                repo=b.repo,
                hint="update the consumer code, then refresh the binding",
            )

    def contract_mode(self) -> None:
        realm = self.realm
        self.problems.extend(realm.problems)
        total = len(realm.contracts)
        for n, con in enumerate(sorted(realm.contracts.values(), key=lambda c: c.ref), 1):
            if self.progress is not None and n % 500 == 0:
                self.progress("contracts", n, total)
            self.evolution(con)
            exporters = realm.exporters_of(con.domain, con.name)
            if con.owner not in exporters:
                self.add(
                    "info",
                    "no-exporter",
                    f"no binding exports {con.ref} yet (owner {con.owner})",
                    file=con.file,
                    key="owner",
                    domain=con.domain,
                    contract=con.name,
                )
        for b in realm.bindings.values():
            for imp in b.imports:
                imported = realm.contract(b.domain, imp.contract)
                if imported is not None:
                    self.import_state(b, imp, imported, strict_errors=False)
        self.graph()
        self.bumps()

    def evolution(self, con: Contract) -> None:
        ids = {"file": con.file, "domain": con.domain, "contract": con.name}
        if not con.evolution:
            self.add(
                "warning",
                "evolution-missing",
                "evolution is empty; list each version with its changes",
                key="evolution",
                **ids,
            )
            return
        versions = [e.version for e in con.evolution]
        for i, (a, b) in enumerate(itertools.pairwise(versions), 1):
            if semver.compare(a, b) >= 0:
                rule = "evolution-duplicate" if a == b else "evolution-order"
                self.add(
                    "error",
                    rule,
                    f"evolution lists {b} after {a}; versions must increase",
                    key=f"evolution[{i}].version",
                    **ids,
                )
        if con.version not in versions:
            self.add(
                "error",
                "evolution-missing-current",
                f"evolution does not list the current version {con.version}",
                key="evolution",
                hint=f"add `- version: {con.version}` with its changes",
                **ids,
            )
        for i, v in enumerate(versions):
            if semver.compare(v, con.version) > 0:
                self.add(
                    "error",
                    "evolution-ahead",
                    f"evolution lists {v}, newer than the current version {con.version}",
                    key=f"evolution[{i}].version",
                    **ids,
                )
        for i, entry in enumerate(con.evolution):
            if i == 0 or entry.compatible is not False:
                continue
            prev = con.evolution[i - 1].version
            if semver.compare(entry.version, prev) > 0 and not semver.is_breaking_bump(prev, entry.version):
                self.add(
                    "error",
                    "evolution-break-without-major",
                    f"evolution marks {entry.version} incompatible, but {prev} -> {entry.version} is not a "
                    f"{semver.breaking_level(prev)} bump",
                    key=f"evolution[{i}].compatible",
                    **ids,
                )

    def graph(self) -> None:
        graph = DependencyGraph.from_realm(self.realm)
        found = graph.find_cycle()
        if found is not None:
            cycle, notes = found
            self.add("error", "cycle", "cycle: " + " -> ".join(cycle), hint="; ".join(notes))
            return
        self.merge_order = graph.merge_order()

    def _base_ref(self) -> str | None:
        root = self.realm.root
        if self.options.against:
            resolved = git.resolve(root, self.options.against)
            if resolved is None:
                raise InvalidInput(f"--against {self.options.against}: no such commit in {root}")
            self.base = self.options.against
            return resolved
        if self.realm.commit is None:
            return None
        if self.realm.dirty:
            self.base = "HEAD"
            return self.realm.commit
        parent = git.resolve(root, "HEAD~1")
        self.base = "HEAD~1" if parent else None
        return parent

    def bumps(self) -> None:
        """Each contract changed since the base ref: version moved the right way, bump big enough."""
        base = self._base_ref()
        if base is None:
            self.add("info", "no-base", "no previous realm commit to compare contract versions against")
            return
        changed = [
            (s, p)
            for s, p in git.diff_names(self.realm.root, base, [DOMAINS_DIR], untracked=self.realm.dirty)
            if split_contract_path(p)
        ]
        old_files = at_ref(self.realm.root, base, [p for s, p in changed if s != "A"])
        self.history.prefetch([w for _, p in changed if (w := split_contract_path(p)) is not None])
        for status, path in changed:
            where = split_contract_path(path)
            assert where is not None
            domain, name = where
            con = self.realm.contract(domain, name)
            ids = {"file": path, "domain": domain, "contract": name}
            if status == "D" or con is None:
                if status == "D":
                    self.add(
                        "info", "contract-removed", f"{domain}/{name} was removed since {self.base}", **ids
                    )
                continue
            old = read_contract_blob(old_files.get(path)) if status != "A" else None
            if old is None:
                continue
            old_version, old_schema = old
            cmp = semver.compare(con.version, old_version)
            if cmp < 0:
                self.add(
                    "error",
                    "version-decreased",
                    f"version went down: {old_version} -> {con.version}",
                    key="version",
                    **ids,
                )
                continue
            if cmp == 0:
                if old_schema != con.schema:
                    self.add(
                        "error",
                        "version-not-bumped",
                        f"the schema changed but the version stayed {con.version}",
                        key="version",
                        hint="bump the version (`blue realm check --mode compatibility` says "
                        "which bump the change needs)",
                        **ids,
                    )
                continue
            result = check_pair(
                con, old_version, old_schema, con.version, con.schema, reason="bump", source=self.base or ""
            )
            self.compat.append(result)
            for p in problems_for(result, file=path):
                self.add(
                    p.severity,
                    p.rule,
                    p.message,
                    file=path,
                    key="version" if p.rule == "bump-too-small" else "schema",
                    domain=domain,
                    contract=name,
                    hint=p.hint,
                )
            entry = next((e for e in con.evolution if e.version == con.version), None)
            declared_ok = all(getattr(result, d) is True for d in con.compatibility.directions)
            if entry is not None and entry.compatible is True and not declared_ok:
                idx = con.evolution.index(entry)
                self.add(
                    "error",
                    "evolution-claim",
                    f"evolution says {con.version} is compatible, but the checker disagrees "
                    f"({'/'.join(result.broken + result.unknown)})",
                    key=f"evolution[{idx}].compatible",
                    **ids,
                )
            if con.compatibility.transitive:
                self.transitive(con, skip={old_version})

    def transitive(self, con: Contract, *, skip: frozenset[str] | set[str] = frozenset()) -> None:
        for entry in con.evolution:
            v = entry.version
            if v in skip or semver.compare(v, con.version) >= 0:
                continue
            self.against_version(con, v, reason="transitive")

    def against_version(
        self, con: Contract, old_version: str, *, reason: str, new_version: str | None = None
    ) -> None:
        new_version = new_version or con.version
        ids = {"domain": con.domain, "contract": con.name}
        old = self.history.schema(con.domain, con.name, old_version)
        new = self.history.schema(con.domain, con.name, new_version)
        if old is None or new is None:
            missing = old_version if old is None else new_version
            # Asked for: an error. A version listed before the realm tracked the contract, met while
            # checking a bump transitively: info (it cannot be fixed by a later commit).
            severity: Severity = "warning"
            if reason in ("requested", "transitive"):
                severity = "error" if reason == "requested" else "info"
            self.add(
                severity,
                "schema-unavailable",
                f"no commit of the realm has {con.ref} at {missing}; cannot check {old_version} -> {new_version}",
                file=con.file,
                key="evolution",
                hint="versions written before the realm tracked the contract "
                "cannot be checked; drop them from evolution or accept the warning",
                **ids,
            )
            return
        result = check_pair(
            con,
            old_version,
            old.schema,
            new_version,
            new.schema,
            reason=reason,
            source=old.commit or "working tree",
        )
        self.compat.append(result)
        for p in problems_for(result, file=con.file):
            self.add(p.severity, p.rule, p.message, file=con.file, key=p.key, hint=p.hint, **ids)

    def compatibility(self) -> None:
        opts = self.options
        if opts.contract is None:
            if opts.from_version or opts.to_version:
                raise InvalidInput("--from/--to need --contract NAME")
            self.history.prefetch_all()
            for con in sorted(self.realm.contracts.values(), key=lambda c: c.ref):
                if opts.domain and con.domain != opts.domain:
                    continue
                earlier = [e.version for e in con.evolution if semver.compare(e.version, con.version) < 0]
                if not earlier:
                    continue
                targets = earlier if con.compatibility.transitive else [max(earlier, key=semver.key)]
                for v in targets:
                    self.against_version(
                        con, v, reason="transitive" if con.compatibility.transitive else "predecessor"
                    )
            return
        con = self.find_contract(opts.contract, opts.domain)
        to_v = opts.to_version or con.version
        if opts.from_version is None:
            earlier = [
                v
                for v in {*(e.version for e in con.evolution), *self.history.versions(con.domain, con.name)}
                if semver.is_version(v) and semver.compare(v, to_v) < 0
            ]
            if not earlier:
                raise InvalidInput(
                    f"{con.ref} has no version before {to_v} to compare with", hint="give --from VERSION"
                )
            from_v = max(earlier, key=semver.key)
        else:
            from_v = opts.from_version
        for flag, v in (("--from", from_v), ("--to", to_v)):
            why = semver.version_problem(v)
            if why:
                raise InvalidInput(f"{flag} {why}")
        self.against_version(con, from_v, reason="requested", new_version=to_v)

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

    def close(self) -> None:
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None


def choose_modes(options: CheckOptions, member: str | None) -> tuple[str, ...]:
    if options.modes:
        bad = [m for m in options.modes if m not in MODES]
        if bad:
            raise InvalidInput(f"unknown mode {bad[0]!r}", hint=f"modes: {', '.join(MODES)}")
        return tuple(dict.fromkeys(options.modes))
    if options.contract or options.from_version or options.to_version:
        return ("compatibility",)
    return ("exporter", "importer") if member else ("contract",)


def run_check(
    located: Located,
    options: CheckOptions,
    *,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Load the realm (through the cache when given) and run the chosen modes. Never prints."""
    realm = load_realm(located.root, cache=cache, progress=progress)
    member = located.member(realm.name)
    modes = choose_modes(options, member)
    checker = _Checker(realm, located, options, cache, progress)
    try:
        if "contract" not in modes:
            relevant: set[str] = set()
            if member is not None and ({"exporter", "importer"} & set(modes)):
                relevant |= checker.relevant_files(member)
            if "compatibility" in modes and options.contract:
                con = checker.find_contract(options.contract, options.domain)
                relevant |= {REALM_FILE, con.file}
            checker.problems.extend(p for p in realm.problems if p.file is None or p.file in relevant)
        for mode in modes:
            if progress is not None:
                progress(mode, 0, 1)
            {
                "exporter": checker.exporter,
                "importer": checker.importer,
                "contract": checker.contract_mode,
                "compatibility": checker.compatibility,
            }[mode]()
    finally:
        checker.close()
    unique = list(dict.fromkeys(checker.problems))
    unique.sort(key=sort_key)
    report = CheckReport(
        realm.name,
        str(realm.root),
        realm.commit,
        realm.dirty,
        modes,
        member,
        options.strict,
        unique,
        checker.hooks,
        checker.compat,
        checker.merge_order,
        checker.base,
        realm.source,
    )
    if cache is not None:
        report.cache = {
            "enabled": cache.enabled,
            "path": str(cache.path),
            "realm": realm.source,
            **({"error": cache.error} if cache.error else {}),
        }
    return report


def cache_path_for(located: Located) -> Path:
    """The member repo's ``.blue/cache.db``; the realm repo's own ``.blue/cache.db`` elsewhere."""
    from blue_tui.core.realm.cache import default_path

    if located.repo_root is not None and located.membership is not None:
        return default_path(located.repo_root)
    return default_path(located.root)
