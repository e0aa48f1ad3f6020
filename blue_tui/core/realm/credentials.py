"""Tokens for realm remotes and forges, from layered sources (seed 004 round 10), first found wins:

1. ``env``: ``BLUE_REALM_TOKEN``, then ``BLUE_GITHUB_TOKEN`` (the latter only for GitHub);
2. ``git-credential``: ``git credential fill`` for the host, never prompting (no terminal, no
   askpass program, ``GCM_INTERACTIVE=never``), with a bounded wait;
3. ``keyring``: the OS keychain through the ``keyring`` package, where a real backend exists
   (service ``blue-tui``, user ``realm:NAME``, then ``host:HOST``);
4. ``file``: ``$BLUE_HOME/credentials.yaml``, refused unless it is yours and mode 0600; entries
   per realm (``realm: NAME`` or ``"*"``), optionally per ``host``, with ``token`` or ``token_env``.

A token is a :class:`Secret`: its repr and str are masked, so it cannot reach a log line, an
exception or ``--json`` by accident; only :meth:`Secret.reveal` gives the value, at the point of use.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm.errors import RealmError
from blue_tui.core.realm.yamlfile import YamlError, parse_text

LAYERS = ("env", "git-credential", "keyring", "file")
ENV_REALM = "BLUE_REALM_TOKEN"
ENV_GITHUB = "BLUE_GITHUB_TOKEN"
KEYRING_SERVICE = "blue-tui"
DEFAULT_TIMEOUT = 10.0


class CredentialsError(RealmError):
    """The credentials file is unsafe or unreadable (the message never contains its content)."""


class Secret:
    """A token. ``repr``/``str`` never show it; :meth:`reveal` does, where it is used."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<Secret ***>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Credential:
    token: Secret = field(repr=False)
    #: Which layer answered: ``env``, ``git-credential``, ``keyring`` or ``file``.
    layer: str
    #: Where, without the token: ``BLUE_REALM_TOKEN``, ``credentials.yaml (realm letemcook)``...
    source: str
    username: str | None = None


@dataclass(frozen=True)
class LayerState:
    layer: str
    #: ``found`` | ``not-set`` | ``unavailable`` | ``refused`` | ``error`` | ``skipped``
    state: str
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {"layer": self.layer, "state": self.state, "detail": self.detail}


@dataclass
class CredentialReport:
    realm: str
    host: str | None
    github: bool
    answered_by: str | None = None
    source: str | None = None
    layers: list[LayerState] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "realm": self.realm,
            "host": self.host,
            "github": self.github,
            "answered_by": self.answered_by,
            "source": self.source,
            "layers": [x.as_json() for x in self.layers],
        }


def _run_bounded(fn: Callable[[], Any], timeout: float) -> tuple[bool, Any]:
    """Run ``fn`` on a daemon thread; ``(False, None)`` if it does not return in time (a keychain
    waiting on an unlock dialog must not hang the command)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except Exception as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name="blue-keyring")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return False, None
    if "error" in box:
        raise box["error"]
    return True, box.get("value")


class Credentials:
    """Look tokens up for a realm (and the host its remote or forge lives on)."""

    def __init__(
        self, settings: Settings, *, env: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.settings = settings
        self.env = dict(env if env is not None else (settings.env or os.environ))
        self.timeout = timeout

    # ---- the layers; each returns (state, credential or None) ---------------------------------------

    def _env(self, github: bool) -> tuple[LayerState, Credential | None]:
        names = [ENV_REALM, ENV_GITHUB] if github else [ENV_REALM]
        for name in names:
            value = (self.env.get(name) or "").strip()
            if value:
                return LayerState("env", "found", name), Credential(Secret(value), "env", name)
        return LayerState("env", "not-set", ", ".join(names) + " not set"), None

    def _git(self, host: str | None) -> tuple[LayerState, Credential | None]:
        if not host:
            return LayerState("git-credential", "skipped", "no https host to ask about"), None
        env = {k: v for k, v in self.env.items() if not k.startswith("GIT_") and k != "SSH_ASKPASS"}
        env.update(
            {
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_ASKPASS": shutil.which("false") or "/bin/false",
                "GCM_INTERACTIVE": "never",
                "LC_ALL": "C",
            }
        )
        try:
            proc = subprocess.run(
                ["git", "credential", "fill"],
                input=f"protocol=https\nhost={host}\n\n".encode(),
                capture_output=True,
                timeout=self.timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return LayerState("git-credential", "error", f"no answer within {self.timeout:g} s"), None
        except OSError:
            return LayerState("git-credential", "unavailable", "git not found"), None
        if proc.returncode != 0:
            return LayerState("git-credential", "not-set", f"no credential helper answered for {host}"), None
        fields: dict[str, str] = {}
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key] = value
        password = fields.get("password", "")
        if not password:
            return LayerState("git-credential", "not-set", f"no credential helper answered for {host}"), None
        source = f"git credential fill ({host})"
        return LayerState("git-credential", "found", source), Credential(
            Secret(password), "git-credential", source, fields.get("username")
        )

    def _keyring(self, realm: str, host: str | None) -> tuple[LayerState, Credential | None]:
        try:
            import keyring
            import keyring.errors
        except ImportError:
            return LayerState("keyring", "unavailable", "the keyring package is not installed"), None
        try:
            backend = keyring.get_keyring()
        except Exception as exc:
            return LayerState("keyring", "unavailable", f"no keyring backend ({type(exc).__name__})"), None
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        inner = getattr(backend, "backends", None)
        if (
            "keyring.backends.fail" in name
            or "keyring.backends.null" in name
            or (inner is not None and not inner)
        ):
            return LayerState("keyring", "unavailable", f"no usable keyring backend ({name})"), None
        users = [f"realm:{realm}"] + ([f"host:{host}"] if host else [])
        for user in users:
            try:
                done, value = _run_bounded(partial(keyring.get_password, KEYRING_SERVICE, user), self.timeout)
            except Exception as exc:
                return LayerState("keyring", "error", f"{name} failed ({type(exc).__name__})"), None
            if not done:
                return LayerState(
                    "keyring", "error", f"{name} did not answer within {self.timeout:g} s"
                ), None
            if value:
                source = f"keyring {name} ({KEYRING_SERVICE} / {user})"
                return LayerState("keyring", "found", source), Credential(
                    Secret(str(value)), "keyring", source
                )
        return LayerState("keyring", "not-set", f"nothing stored for {', '.join(users)} in {name}"), None

    def _file(self, realm: str, host: str | None) -> tuple[LayerState, Credential | None]:
        path = self.settings.credentials_path
        try:
            st = path.stat()
        except FileNotFoundError:
            return LayerState("file", "not-set", f"{path} does not exist"), None
        except OSError as exc:
            return LayerState("file", "error", f"{path}: cannot read ({exc.strerror})"), None
        if stat.S_IMODE(st.st_mode) & 0o077 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            mode = oct(stat.S_IMODE(st.st_mode))[2:]
            return LayerState("file", "refused", f"{path} has mode {mode} (must be yours and 0600)"), None
        try:
            text = path.read_text(encoding="utf-8")
            data = parse_text(text).data
        except YamlError as exc:
            where = f"{path}:{exc.line}" if exc.line else str(path)
            return LayerState("file", "error", f"{where}: not valid YAML"), None
        except (OSError, UnicodeDecodeError):
            return LayerState("file", "error", f"{path}: cannot read"), None
        entries = data.get("credentials") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return LayerState("file", "error", f"{path}: expected `credentials:` followed by a list"), None
        best: tuple[int, int, dict[str, Any]] | None = None
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            want_realm, want_host = entry.get("realm", "*"), entry.get("host")
            if want_realm not in (realm, "*") or (want_host is not None and want_host != host):
                continue
            rank = (2 if want_realm == realm else 0) + (1 if want_host is not None else 0)
            if best is None or rank > best[0]:
                best = (rank, i, entry)
        if best is None:
            return LayerState("file", "not-set", f"{path} has no entry for realm {realm!r}"), None
        _, i, entry = best
        label = f"{path} (credentials[{i}], realm {entry.get('realm', '*')})"
        token = entry.get("token")
        if not token and isinstance(entry.get("token_env"), str):
            token = self.env.get(entry["token_env"], "")
            label += f" via ${entry['token_env']}"
        if not isinstance(token, str) or not token.strip():
            return LayerState("file", "not-set", f"{label}: empty token"), None
        return LayerState("file", "found", label), Credential(Secret(token.strip()), "file", label)

    # ---- the API -----------------------------------------------------------------------------------

    def _layers(
        self, realm: str, host: str | None, github: bool
    ) -> list[Callable[[], tuple[LayerState, Credential | None]]]:
        return [
            lambda: self._env(github),
            lambda: self._git(host),
            lambda: self._keyring(realm, host),
            lambda: self._file(realm, host),
        ]

    def lookup(self, realm: str, host: str | None, *, github: bool = False) -> Credential | None:
        """The first credential found, or None. An unsafe credentials file that would have been
        consulted raises :class:`CredentialsError` (a token must never come from a readable file)."""
        for layer in self._layers(realm, host, github):
            state, cred = layer()
            if cred is not None:
                return cred
            if state.state == "refused":
                raise CredentialsError(
                    f"refusing {self.settings.credentials_path}: {state.detail}",
                    hint=f"chmod 600 {self.settings.credentials_path} (or move the token to the "
                    "keychain / BLUE_REALM_TOKEN)",
                )
        return None

    def status(self, realm: str, host: str | None, *, github: bool = False) -> CredentialReport:
        """Every layer's state, in order, and which one answered (never the token itself)."""
        report = CredentialReport(realm, host, github)
        for layer in self._layers(realm, host, github):
            state, cred = layer()
            report.layers.append(state)
            if cred is not None and report.answered_by is None:
                report.answered_by, report.source = cred.layer, cred.source
        return report


def git_auth_env(cred: Credential | None, url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment that makes git send ``cred`` to ``url`` only (an https URL), as an
    ``http.<url>.extraHeader`` set through ``GIT_CONFIG_*`` variables: unlike ``-c``, these are
    not visible in the process list. Empty for non-https URLs and for git's own helper."""
    if cred is None or cred.layer == "git-credential" or not url.startswith("https://"):
        return {}
    import base64

    env = dict(os.environ if base is None else base)
    try:
        n = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        n = 0
    user = cred.username or "x-access-token"
    basic = base64.b64encode(f"{user}:{cred.token.reveal()}".encode()).decode()
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return {
        "GIT_CONFIG_COUNT": str(n + 1),
        f"GIT_CONFIG_KEY_{n}": f"http.{scheme}://{host}/.extraHeader",
        f"GIT_CONFIG_VALUE_{n}": f"Authorization: Basic {basic}",
    }


def https_host(url: str | None) -> str | None:
    """The host of an https URL (``https://user@host:443/x`` -> ``host:443``), else None."""
    if not url or not url.startswith("https://"):
        return None
    rest = url[len("https://") :]
    return rest.split("/", 1)[0].rsplit("@", 1)[-1] or None
