"""Layered credentials: env, `git credential fill` (never prompting), keyring, credentials.yaml (0600)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from realm_builders import git, isolate, run_blue
from realm_git_world import World, make_world

from blue_tui.core.config import Settings
from blue_tui.core.realm.credentials import Credentials, CredentialsError, Secret, git_auth_env
from blue_tui.core.realm.remote import RemoteError, fetch

pytestmark = pytest.mark.integration
TOKEN = "tok_Layered0000SecretValue"
HOST = "git.example.com"


class FileKeyring(KeyringBackend):
    """A keyring backend that keeps its secrets in a JSON file (keyring's own plugin interface)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path, *, delay: float = 0.0, broken: bool = False) -> None:
        super().__init__()
        self.path, self.delay, self.broken = path, delay, broken

    def _data(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(self.delay)
        if self.broken:
            raise keyring.errors.KeyringLocked("locked")
        return self._data().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._data()
        data[f"{service}/{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._data()
        data.pop(f"{service}/{username}", None)
        self.path.write_text(json.dumps(data))


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    isolate(tmp_path, monkeypatch)
    for name in ("BLUE_REALM_TOKEN", "BLUE_GITHUB_TOKEN", "GIT_ASKPASS", "SSH_ASKPASS"):
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield dict(os.environ)
    keyring.set_keyring(previous)


def creds(env: dict[str, str], timeout: float = 10.0, **extra: str) -> Credentials:
    full = {**env, **extra}
    return Credentials(Settings.from_env(full), env=full, timeout=timeout)


def write_file(env: dict[str, str], text: str, mode: int = 0o600) -> Path:
    path = Path(env["BLUE_HOME"]) / "credentials.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_env_first_and_github_token_only_for_github(env: dict[str, str]) -> None:
    c = creds(env, BLUE_GITHUB_TOKEN=TOKEN)
    assert c.lookup("letemcook", HOST, github=False) is None
    found = c.lookup("letemcook", "github.com", github=True)
    assert found is not None and found.layer == "env" and found.source == "BLUE_GITHUB_TOKEN"
    both = creds(env, BLUE_GITHUB_TOKEN="other", BLUE_REALM_TOKEN=TOKEN).lookup(
        "letemcook", "github.com", github=True
    )
    assert both is not None and both.source == "BLUE_REALM_TOKEN" and both.token.reveal() == TOKEN
    assert TOKEN not in repr(both) and TOKEN not in str(both.token) and repr(Secret(TOKEN)) == "<Secret ***>"


def test_git_credential_fill_answers_without_prompting(env: dict[str, str], tmp_path: Path) -> None:
    store = tmp_path / "git-credentials"
    store.write_text(f"https://someone:{TOKEN}@{HOST}\n")
    git(tmp_path, "config", "--global", "credential.helper", f"store --file {store}")
    found = creds(env).lookup("letemcook", HOST)
    assert found is not None and found.layer == "git-credential" and found.username == "someone"
    assert found.token.reveal() == TOKEN
    # No helper answers for another host; an askpass program set by the caller is never run.
    marker = tmp_path / "asked"
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\ntouch {marker}\necho leaked\n")
    askpass.chmod(0o755)
    started = time.monotonic()
    report = creds(env, GIT_ASKPASS=str(askpass), SSH_ASKPASS=str(askpass)).status(
        "letemcook", "other.example.com"
    )
    assert report.answered_by is None and not marker.exists() and time.monotonic() - started < 10
    assert report.layers[1].state == "not-set"


def test_a_hanging_credential_helper_is_bounded(env: dict[str, str], tmp_path: Path) -> None:
    git(tmp_path, "config", "--global", "credential.helper", "!f() { sleep 30; }; f")
    started = time.monotonic()
    report = creds(env, timeout=1).status("letemcook", HOST)
    assert time.monotonic() - started < 8
    assert report.layers[1].state == "error" and "no answer within 1 s" in report.layers[1].detail


def test_keyring_where_a_backend_exists(env: dict[str, str], tmp_path: Path) -> None:
    report = creds(env).status("letemcook", HOST)
    assert report.layers[2].state == "unavailable"
    backend = FileKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(backend)
    backend.set_password("blue-tui", f"host:{HOST}", "by-host")
    found = creds(env).lookup("letemcook", HOST)
    assert found is not None and found.layer == "keyring" and found.token.reveal() == "by-host"
    backend.set_password("blue-tui", "realm:letemcook", TOKEN)
    found = creds(env).lookup("letemcook", HOST)
    assert found is not None and found.token.reveal() == TOKEN and "realm:letemcook" in found.source
    keyring.set_keyring(FileKeyring(tmp_path / "keyring.json", broken=True))
    assert creds(env).status("letemcook", HOST).layers[2].state == "error"
    keyring.set_keyring(FileKeyring(tmp_path / "keyring.json", delay=30))
    started = time.monotonic()
    assert creds(env, timeout=1).status("letemcook", None).layers[2].state == "error"
    assert time.monotonic() - started < 5


def test_credentials_file_per_realm_and_only_0600(env: dict[str, str], tmp_path: Path) -> None:
    text = (
        "credentials:\n"
        "  - realm: '*'\n    token_env: SOME_CI_TOKEN\n"
        f"  - realm: letemcook\n    token: {TOKEN}\n"
        "  - realm: other\n    host: git.example.com\n    token: other-token\n"
    )
    path = write_file(env, text)
    found = creds(env, SOME_CI_TOKEN="from-env").lookup("letemcook", HOST)
    assert found is not None and found.layer == "file" and found.token.reveal() == TOKEN
    fallback = creds(env, SOME_CI_TOKEN="from-env").lookup("elsewhere", HOST)
    assert (
        fallback is not None and fallback.token.reveal() == "from-env" and "$SOME_CI_TOKEN" in fallback.source
    )
    path.chmod(0o644)
    with pytest.raises(CredentialsError) as refused:
        creds(env).lookup("letemcook", HOST)
    assert "mode 644" in str(refused.value) and f"chmod 600 {path}" in (refused.value.hint or "")
    assert TOKEN not in str(refused.value)
    report = creds(env).status("letemcook", HOST)
    assert report.layers[3].state == "refused" and report.answered_by is None
    # An earlier layer answers first: the file is not even read then.
    assert creds(env, BLUE_REALM_TOKEN="x").lookup("letemcook", HOST) is not None


def test_a_broken_file_names_the_line_never_the_content(env: dict[str, str]) -> None:
    write_file(env, f"credentials:\n  - realm: letemcook\n    token: {TOKEN}\n   bad: [\n")
    state = creds(env).status("letemcook", HOST).layers[3]
    assert state.state == "error" and "credentials.yaml:" in state.detail and TOKEN not in state.detail


def test_git_gets_the_token_in_its_environment_for_that_host_only(env: dict[str, str]) -> None:
    found = creds(env, BLUE_REALM_TOKEN=TOKEN).lookup("letemcook", HOST)
    extra = git_auth_env(found, f"https://{HOST}/org/realm.git", base={})
    assert (
        extra["GIT_CONFIG_COUNT"] == "1" and extra["GIT_CONFIG_KEY_0"] == f"http.https://{HOST}/.extraHeader"
    )
    assert extra["GIT_CONFIG_VALUE_0"].startswith("Authorization: Basic ")
    assert git_auth_env(found, "git@github.com:org/realm.git") == {}
    assert git_auth_env(found, "/srv/realm.git") == {}


def test_tokens_in_remote_urls_are_redacted_from_messages(env: dict[str, str], tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "remote", "add", "origin", f"https://someone:{TOKEN}@127.0.0.1:9/realm.git")
    with pytest.raises(RemoteError) as failed:
        fetch(Settings.from_env(env), repo, "letemcook")
    assert TOKEN not in str(failed.value) and "someone:***@127.0.0.1:9" in str(failed.value)


def test_cli_status_names_the_layer_never_the_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)
    world: World = make_world(tmp_path)
    alice = world.dev("alice", "aperture")
    r = run_blue(
        ["realm", "credentials", "status"], cwd=alice.root, env={**alice.env, "BLUE_REALM_TOKEN": TOKEN}
    )
    assert r.returncode == 0, r.stderr
    assert "answered by: env (BLUE_REALM_TOKEN)" in r.stdout and TOKEN not in r.stdout + r.stderr
    r = run_blue(["realm", "credentials", "status", "--json"], cwd=alice.root, env=alice.env)
    data = json.loads(r.stdout)
    assert r.returncode == 1 and data["answered_by"] is None
    assert [x["layer"] for x in data["layers"]] == ["env", "git-credential", "keyring", "file"]
