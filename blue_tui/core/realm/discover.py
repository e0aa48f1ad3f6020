"""Which files make up a realm: ``realm.yaml``, ``repos/*.yaml`` and each domain's folder.

Listing goes through :class:`~.safefs.RealmFiles`, so a symlink anywhere below the realm root
(``repos`` itself, a domain folder, one contract file) is reported as a ``symlink`` problem and
never followed. Stray, unsafe or case-colliding names are reported too; each is skipped, and the
rest of the realm is still listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from blue_tui.core.realm.model import (
    BINDINGS_DIR,
    CONTRACTS_DIR,
    DOMAIN_FILE,
    DOMAINS_DIR,
    GOVERNANCE_FILE,
    REALM_FILE,
    REPOS_DIR,
)
from blue_tui.core.realm.names import name_problem
from blue_tui.core.realm.problems import ProblemSink
from blue_tui.core.realm.safefs import RealmFiles, SymlinkInRealm

SYMLINK_HINT = "replace it with a regular file or folder (symlinks could point outside the realm)"
_DOMAIN_ENTRIES = (DOMAIN_FILE, GOVERNANCE_FILE, CONTRACTS_DIR, BINDINGS_DIR)


@dataclass(frozen=True)
class FileRef:
    kind: str  # realm | repo | domain | governance | contract | binding
    path: str  # realm-relative, POSIX
    domain: str | None = None
    stem: str | None = None


class _Discovery:
    def __init__(self, files: RealmFiles, sink: ProblemSink) -> None:
        self.files = files
        self.sink = sink
        self.refs = [FileRef("realm", REALM_FILE)]
        self.symlinks: set[str] = set()

    def symlink(self, rel: str, domain: str | None = None) -> None:
        self.symlinks.add(rel)
        self.sink.add(
            "error",
            "symlink",
            "symlinks are not allowed in a realm",
            file=rel,
            domain=domain,
            hint=SYMLINK_HINT,
        )

    def entries(self, rel: str, domain: str | None = None) -> dict[str, str]:
        """``name -> kind`` of a folder's usable entries (hidden, colliding and symlinked ones reported)."""
        try:
            found = self.files.entries(rel)
        except FileNotFoundError:
            return {}
        except SymlinkInRealm:
            self.symlink(rel, domain)
            return {}
        except OSError as exc:
            self.sink.add(
                "error", "unreadable", f"cannot list {rel}: {exc.strerror}", file=rel, domain=domain
            )
            return {}
        seen: dict[str, str] = {}
        out: dict[str, str] = {}
        for name, kind in found:
            if name.startswith("."):
                continue
            low = name.lower()
            if low in seen:
                self.sink.add(
                    "error",
                    "case-collision",
                    f"{name!r} differs from {seen[low]!r} only by case (breaks on macOS and Windows)",
                    file=f"{rel}/{name}",
                    domain=domain,
                )
                continue
            seen[low] = name
            if kind == "symlink":
                self.symlink(f"{rel}/{name}", domain)
                continue
            out[name] = kind
        return out

    def yaml_stem(self, rel: str, name: str, kind: str, what: str, domain: str | None = None) -> str | None:
        path = f"{rel}/{name}"
        if kind == "dir":
            self.sink.add(
                "warning",
                "unexpected-file",
                f"unexpected folder in {rel}/ (ignored)",
                file=path,
                domain=domain,
            )
            return None
        if name.endswith(".yml"):
            self.sink.add(
                "warning",
                "unexpected-file",
                "ignored: realm files end in .yaml",
                file=path,
                domain=domain,
                hint=f"rename it to {name[:-4]}.yaml",
            )
            return None
        if not name.endswith(".yaml"):
            return None
        stem = name[:-5]
        why = name_problem(stem)
        if why:
            self.sink.add("error", "unsafe-name", f"{what} file name {why}", file=path, domain=domain)
            return None
        return stem

    def repos(self) -> None:
        for name, kind in self.entries(REPOS_DIR).items():
            stem = self.yaml_stem(REPOS_DIR, name, kind, "repo")
            if stem:
                self.refs.append(FileRef("repo", f"{REPOS_DIR}/{name}", stem=stem))

    def domains(self) -> None:
        for name, kind in self.entries(DOMAINS_DIR).items():
            rel = f"{DOMAINS_DIR}/{name}"
            if kind != "dir":
                if name.endswith((".yaml", ".yml")):
                    self.sink.add(
                        "warning",
                        "unexpected-file",
                        f"unexpected file: each domain is a folder ({DOMAINS_DIR}/NAME/{DOMAIN_FILE})",
                        file=rel,
                    )
                continue
            why = name_problem(name)
            if why:
                self.sink.add("error", "unsafe-name", f"domain folder name {why}", file=rel)
                continue
            self.domain(name, rel)

    def domain(self, domain: str, rel: str) -> None:
        children = self.entries(rel, domain)
        if children.get(DOMAIN_FILE) == "file":
            self.refs.append(FileRef("domain", f"{rel}/{DOMAIN_FILE}", domain=domain, stem=domain))
        elif f"{rel}/{DOMAIN_FILE}" not in self.symlinks:
            self.sink.add(
                "error",
                "missing-file",
                f"domain {domain!r} has no {DOMAIN_FILE}",
                file=f"{rel}/{DOMAIN_FILE}",
                domain=domain,
                hint=f"create it with `blue realm admin domain {domain} --repos A,B`",
            )
        if children.get(GOVERNANCE_FILE) == "file":
            self.refs.append(FileRef("governance", f"{rel}/{GOVERNANCE_FILE}", domain=domain, stem=domain))
        for sub, kind in ((CONTRACTS_DIR, "contract"), (BINDINGS_DIR, "binding")):
            found = children.get(sub)
            if found is None:
                continue
            if found != "dir":
                self.sink.add(
                    "warning",
                    "unexpected-file",
                    f"{sub} should be a folder",
                    file=f"{rel}/{sub}",
                    domain=domain,
                )
                continue
            for name, item_kind in self.entries(f"{rel}/{sub}", domain).items():
                stem = self.yaml_stem(f"{rel}/{sub}", name, item_kind, kind, domain)
                if stem:
                    self.refs.append(FileRef(kind, f"{rel}/{sub}/{name}", domain=domain, stem=stem))
        for name, found in children.items():
            if name not in _DOMAIN_ENTRIES and (found == "dir" or name.endswith((".yaml", ".yml"))):
                self.sink.add(
                    "warning",
                    "unexpected-file",
                    f"unexpected entry in domain {domain!r} (ignored)",
                    file=f"{rel}/{name}",
                    domain=domain,
                )


def discover(files: RealmFiles, sink: ProblemSink) -> list[FileRef]:
    """Every realm file to load; problems for stray, unsafe or symlinked entries go to ``sink``."""
    found = _Discovery(files, sink)
    found.repos()
    found.domains()
    return found.refs
