"""The validation hooks of ``realm check``: which to run, with what, and whether a cached verdict
for exactly these inputs already exists.

A cached verdict is keyed by everything the hook could see: its program's content, the arguments
it gets, the schema, the binding entry, the content of the source and binding files it checks,
the environment it is given and the CI flag, and the checker's version. Only passes and warnings
are cached; the cache authenticates every row (see :mod:`blue_tui.core.realm.cache`), so a
verdict written by anyone else is a miss.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from blue_tui.core.realm.cache import content_key, hash_file
from blue_tui.core.realm.check.context import CheckContext, HookRun
from blue_tui.core.realm.hooks import (
    HookResult,
    arguments_allowed,
    failed,
    hook_environment,
    program_problem,
    refused_arguments,
    run_hook,
    skipped,
)
from blue_tui.core.realm.model import Binding, Contract, Export, Hook, Import
from blue_tui.core.realm.names import resolve_inside
from blue_tui.core.realm.repo_config import HookPolicy

#: Varies from run to run without changing what the hook sees (the schema's content is keyed).
_UNKEYED = ("BLUE_SCHEMA_FILE",)


class HookRunner:
    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        membership = ctx.located.membership
        self.policy = membership.hooks if membership is not None else HookPolicy()
        self._schema_files: dict[str, str] = {}
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def file_inputs(self, paths: list[str]) -> list[str]:
        """Content hashes of repo files (reused by mtime and size from the cache): hook cache inputs."""
        cache = self.ctx.cache
        out = []
        for rel in paths:
            target = resolve_inside(self.ctx.repo_root, rel)
            digest = None
            if target is not None and target.is_file():
                digest = cache.file_hash(target) if cache is not None else hash_file(target)
            out.append(f"{rel}:{digest}")
        return out

    def _schema_file(self, con: Contract) -> str:
        if con.ref not in self._schema_files:
            if self._tmpdir is None:
                self._tmpdir = tempfile.TemporaryDirectory(prefix="blue-hooks-")
            path = Path(self._tmpdir.name) / f"{con.domain}--{con.name}.schema.json"
            path.write_text(json.dumps(con.schema, indent=2), encoding="utf-8")
            self._schema_files[con.ref] = str(path)
        return self._schema_files[con.ref]

    def run(
        self, con: Contract, binding: Binding, mode: str, entry: Export | Import, inputs: list[str]
    ) -> None:
        """Run (or recall) every hook ``mode`` runs for this binding entry, and report the results."""
        hooks = con.validation.hooks_for(mode)
        if not hooks or not self.ctx.options.run_hooks:
            return
        realm = self.ctx.realm
        blue = {
            "BLUE_REALM": realm.name,
            "BLUE_REALM_PATH": str(realm.root),
            "BLUE_REPO": binding.repo,
            "BLUE_DOMAIN": con.domain,
            "BLUE_CONTRACT": con.name,
            "BLUE_CONTRACT_VERSION": con.version,
            "BLUE_CONTRACT_FILE": str(realm.root / con.file),
            "BLUE_SCHEMA_FILE": self._schema_file(con),
        }
        if isinstance(entry, Export):
            blue["BLUE_SOURCE_FILES"] = "\n".join(entry.source_files)
        else:
            blue["BLUE_IMPORT_RANGE"] = entry.range
            blue["BLUE_RESOLVED_VERSION"] = entry.resolved_version or ""
            blue["BLUE_BINDING_FILE"] = entry.binding or ""
        env = hook_environment(self.ctx.env, self.policy, blue)
        at = self.ctx.sink.at(file=con.file, domain=con.domain, contract=con.name, repo=binding.repo)
        for hook in hooks:
            result = self._one(con, hook, mode, env, entry, inputs)
            self.ctx.hooks.append(HookRun(con.domain, con.name, con.version, result))
            last = result.output.strip().splitlines()[-1:] if result.output.strip() else []
            tail = f": {last[0][:200]}" if last else ""
            if result.status == "fail":
                at.add(
                    "error",
                    "hook-failed",
                    f"{mode} hook {hook.label} failed ({result.reason}){tail}",
                    key=hook.key,
                )
            elif result.status == "warning":
                at.add("warning", "hook-warning", f"{mode} hook {hook.label} warned{tail}", key=hook.key)
            elif result.status == "skipped":
                at.add(
                    "info", "hook-skipped", f"{mode} hook {hook.label} skipped: {result.reason}", key=hook.key
                )

    def _one(
        self,
        con: Contract,
        hook: Hook,
        mode: str,
        env: dict[str, str],
        entry: Export | Import,
        inputs: list[str],
    ) -> HookResult:
        ctx = self.ctx
        if hook.ci_only and not ctx.ci:
            return skipped(hook, mode, "ci_only hook: runs only when CI is set")
        why = program_problem(ctx.repo_root, hook.argv[0])
        if why:
            return failed(hook, mode, why)
        if not arguments_allowed(hook, self.policy, own_contract=con.owner == ctx.member):
            return failed(hook, mode, refused_arguments(hook, con.ref, con.owner))
        timeout = ctx.options.hook_timeout or hook.timeout or con.validation.timeout
        script_hash = hash_file(ctx.repo_root / hook.argv[0])
        seen = sorted((k, v) for k, v in env.items() if k not in _UNKEYED)
        key = content_key(mode, hook.argv, script_hash, con.schema, entry.as_json(), inputs, ctx.ci, seen)
        if ctx.cache is not None and script_hash is not None:
            hit = ctx.cache.get_validation(con.ref, con.version, key)
            if hit is not None:
                status = "ok" if hit[0] == 0 else "warning"
                reason = "" if hit[0] == 0 else "hook warned (exit 2)"
                return HookResult(hook.label, mode, status, hit[0], hit[1], 0.0, reason, cached=True)
        result = run_hook(hook, ctx.repo_root, mode=mode, env=env, timeout=timeout)
        if ctx.cache is not None and result.status in ("ok", "warning") and result.exit_code is not None:
            ctx.cache.put_validation(con.ref, con.version, key, result.exit_code, result.output)
        return result
