"""Forges: where PRs are opened and merged. See :mod:`.base` for the interface.

Which forge serves a repo URL: ``BLUE_FORGE`` (``github`` | ``local``), else the realm's
``forge:`` mapping in ``$BLUE_HOME/index.yaml`` (``type``, ``api_url``), else GitHub for
``github.com`` URLs (and for any forge-style URL once a GitHub Enterprise ``api_url`` is set),
else the local forge. ``BLUE_GITHUB_API_URL`` overrides the API base URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import index as realm_index
from blue_tui.core.realm.credentials import CredentialReport, Credentials
from blue_tui.core.realm.forge.base import (
    Forge,
    ForgeAuthError,
    ForgeConflict,
    ForgeError,
    ForgeNotFound,
    ForgeRateLimited,
    ForgeUnreachable,
    PrRequest,
    PullRequest,
    RepoRef,
    parse_git_url,
)

__all__ = [
    "Forge",
    "ForgeAuthError",
    "ForgeConflict",
    "ForgeError",
    "ForgeNotFound",
    "ForgeRateLimited",
    "ForgeUnreachable",
    "PrRequest",
    "PullRequest",
    "RepoRef",
    "credential_report",
    "forge_for",
    "forge_kind",
    "repo_ref",
]

KINDS = ("github", "local")


def _config(settings: Settings, realm: str) -> dict[str, Any]:
    entry = realm_index.read_index(settings).get(realm)
    raw = entry.extra.get("forge") if entry is not None else None
    return dict(raw) if isinstance(raw, dict) else {}


def forge_kind(
    settings: Settings, realm: str, url: str | None, *, env: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """``(kind, GitHub API URL or "")`` for a repo whose git URL is ``url``."""
    from blue_tui.core.realm.forge.github import api_url_for_host

    env = env if env is not None else (settings.env or os.environ)
    cfg = _config(settings, realm)
    kind = (env.get("BLUE_FORGE") or str(cfg.get("type") or "")).strip().lower()
    if kind and kind not in KINDS:
        raise ForgeError(
            f"unknown forge type {kind!r} (BLUE_FORGE or forge.type)", hint=f"one of {', '.join(KINDS)}"
        )
    parsed = parse_git_url(url)
    api_url = (env.get("BLUE_GITHUB_API_URL") or str(cfg.get("api_url") or "")).strip()
    if not kind:
        kind = "github" if parsed is not None and (parsed[0] == "github.com" or api_url) else "local"
    if kind == "local":
        return kind, ""
    return kind, api_url or (api_url_for_host(parsed[0]) if parsed else "https://api.github.com")


def forge_for(
    settings: Settings,
    realm: str,
    realm_root: Path,
    url: str | None,
    *,
    env: Mapping[str, str] | None = None,
) -> Forge:
    """The forge for a repo whose git URL is ``url`` (the realm's own remote, or a member repo's)."""
    from blue_tui.core.realm.forge.github import GitHub
    from blue_tui.core.realm.forge.local import LocalForge

    kind, api = forge_kind(settings, realm, url, env=env)
    if kind == "local":
        return LocalForge(settings, realm, realm_root)
    parsed = parse_git_url(url)
    cred = Credentials(settings, env=env).lookup(realm, parsed[0] if parsed else "github.com", github=True)
    cfg = _config(settings, realm)
    wait = cfg.get("max_wait")
    return GitHub(
        api, cred.token if cred else None, max_wait=float(wait) if isinstance(wait, int | float) else 60.0
    )


def repo_ref(name: str, url: str | None, local_path: Path | None = None, remote: str = "origin") -> RepoRef:
    parsed = parse_git_url(url)
    return RepoRef(name, parsed[1] if parsed else None, url, local_path, remote)


def credential_report(
    settings: Settings, realm: str, realm_root: Path, *, env: Mapping[str, str] | None = None
) -> CredentialReport:
    """Which credential layer answers for this realm's remote (and its forge), never the token.

    The host asked about: the realm remote's https host, else the forge host of a forge-style
    URL when that forge is GitHub; none for local and ssh remotes without a forge (git's own
    ssh setup applies there)."""
    from blue_tui.core.realm import git
    from blue_tui.core.realm.credentials import https_host
    from blue_tui.core.realm.remote import remote_url

    url = remote_url(realm_root) if git.is_repo(realm_root) else None
    kind, _ = forge_kind(settings, realm, url, env=env)
    parsed = parse_git_url(url)
    github = kind == "github"
    host = https_host(url) or (parsed[0] if parsed and github else None)
    return Credentials(settings, env=env).status(realm, host, github=github)
