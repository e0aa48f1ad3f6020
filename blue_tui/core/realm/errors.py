"""Typed failures of the realm commands (each a :class:`BlueError` with a hint naming the next step).

Problems found *inside* realm files are not exceptions: they are :class:`~.problems.Problem`
records collected by the loader and the checks, so one bad file never hides the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from blue_tui.core.errors import EXIT_USAGE, BlueError


class RealmError(BlueError):
    """Base of the realm failures."""


class RealmNotFound(RealmError):
    """No realm at the given path, in the index, or in the current repo's config."""


class NotInRepo(RealmError):
    """The command needs a git repository (the current directory is not inside one)."""


class RealmDirty(RealmError):
    """The realm repo has uncommitted changes, so an admin change cannot be committed cleanly."""

    def __init__(self, root: str, paths: Sequence[str]) -> None:
        shown = ", ".join(paths[:5]) + (f" (and {len(paths) - 5} more)" if len(paths) > 5 else "")
        super().__init__(
            f"realm repo {root} has uncommitted changes: {shown}",
            hint=f"commit or discard them first (`git -C {root} status`)",
        )
        self.root = root
        self.paths = list(paths)


class AlreadyExists(RealmError):
    """Refusing to overwrite; the hint names the flag that updates instead."""


class ItemNotFound(RealmError):
    """A repo, domain, contract or binding that the command names does not exist."""


class InvalidName(RealmError):
    """A name that is not a safe path component (it would be joined into a path)."""

    exit_code = EXIT_USAGE


class InvalidInput(RealmError):
    """A flag value that cannot be used (bad semver, bad range, unreadable schema file...)."""

    exit_code = EXIT_USAGE


class OwnershipError(RealmError):
    """A contract change by a repo that does not own it, or a second exporter."""


class CycleError(RealmError):
    """The change would close a cycle in the provider -> consumer graph."""

    def __init__(self, cycle: Sequence[str], *, via: Sequence[str] = (), what: str = "this change") -> None:
        path = " -> ".join(cycle)
        detail = f" ({'; '.join(via)})" if via else ""
        super().__init__(
            f"{what} would close a cycle: {path}{detail}",
            hint="merge the domains into one coordination context, reverse a dependency, "
            "or route through a hub repo",
        )
        self.cycle = list(cycle)
        self.via = list(via)

    @property
    def line(self) -> str:
        """The short form printed by the CLI: ``cycle: api -> web -> mobile -> api``."""
        return "cycle: " + " -> ".join(self.cycle)


class IncompatibleChange(RealmError):
    """A contract update whose version bump is too small for its schema change."""


class RealmInvalid(RealmError):
    """The files an admin command must edit are themselves invalid."""


class GitError(RealmError):
    """The git binary failed; the message carries its stderr."""

    def __init__(self, args: Sequence[str], code: int, stderr: str, *, cwd: str = "") -> None:
        tail = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {code}"
        where = f" in {cwd}" if cwd else ""
        super().__init__(f"`git {' '.join(args)}` failed{where}: {tail}")
        self.args_ = list(args)
        self.code = code
        self.stderr = stderr


class GitMissing(RealmError):
    def __init__(self) -> None:
        super().__init__("the git binary was not found on PATH", hint="install git 2.30 or newer")
