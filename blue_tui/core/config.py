"""Settings: the one environment contract shared by the CLI, the dashboard and the tests.

Every path and endpoint is resolved here from environment variables (see
docs/CLI.md, "Environment"). Nothing here touches the network or creates files.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

from blue_tui.core.errors import ConfigError

DEFAULT_ENDPOINT = "http://127.0.0.1:8000"
DEFAULT_TABLE = "blue_dialogues"
DEFAULT_REGION = "us-east-1"
#: Values of DYNAMODB_ENDPOINT that mean "AWS itself" (boto3's own endpoint resolution).
AWS_ENDPOINT_WORDS = frozenset({"aws", "default"})
KEY_PROVIDERS = ("local", "kms")


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME") or Path.home())


def _xdg(env: Mapping[str, str], name: str, fallback: str) -> Path:
    value = env.get(name, "").strip()
    # The XDG spec says relative values are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return _home(env) / fallback


def is_loopback(endpoint: str | None) -> bool:
    """True when the endpoint is on this machine (DynamoDB Local, moto)."""
    if not endpoint:
        return False
    host = urlparse(endpoint).hostname or ""
    return host in {"localhost", "127.0.0.1", "::1"} or host.startswith("127.")


@dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build with :meth:`from_env`; immutable afterwards."""

    blue_home: Path
    cache_home: Path
    data_home: Path
    runtime_dir: Path
    sessions_db: Path
    dynamodb_endpoint: str | None
    table: str
    key_provider: str
    kms_key_id: str | None
    kms_endpoint: str | None
    aws_region: str
    user_override: str | None
    env: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = _home(env)
        blue_home = Path(env["BLUE_HOME"]) if env.get("BLUE_HOME") else home / ".blue"
        cache_home = _xdg(env, "XDG_CACHE_HOME", ".cache")
        data_home = _xdg(env, "XDG_DATA_HOME", ".local/share")
        xdg_runtime = env.get("XDG_RUNTIME_DIR", "").strip()
        runtime_dir = Path(xdg_runtime) / "blue" if xdg_runtime else blue_home / "run"
        sessions_db = (
            Path(env["BLUE_SESSIONS_DB"]) if env.get("BLUE_SESSIONS_DB") else runtime_dir / "sessions.db"
        )

        raw_endpoint = env.get("DYNAMODB_ENDPOINT")
        endpoint: str | None
        if raw_endpoint is None:
            endpoint = DEFAULT_ENDPOINT
        elif raw_endpoint.strip().lower() in AWS_ENDPOINT_WORDS or not raw_endpoint.strip():
            endpoint = None
        else:
            endpoint = raw_endpoint.strip().rstrip("/")
            parsed = urlparse(endpoint)
            if parsed.scheme not in {"http", "https"} or not parsed.hostname:
                raise ConfigError(
                    f"DYNAMODB_ENDPOINT={raw_endpoint!r} is not an http(s) URL",
                    hint="set it like http://127.0.0.1:8000, or to 'aws' for AWS itself",
                )

        table = env.get("BLUE_TABLE", DEFAULT_TABLE).strip() or DEFAULT_TABLE
        if not (3 <= len(table) <= 255) or not all(c.isalnum() or c in "_.-" for c in table):
            raise ConfigError(
                f"BLUE_TABLE={table!r} is not a valid DynamoDB table name",
                hint="use 3-255 characters from a-z, A-Z, 0-9, '_', '-', '.'",
            )
        provider = env.get("BLUE_KEY_PROVIDER", "local").strip().lower() or "local"
        if provider not in KEY_PROVIDERS:
            raise ConfigError(
                f"BLUE_KEY_PROVIDER={provider!r} is not one of {', '.join(KEY_PROVIDERS)}",
                hint="use 'local' (a key file in $BLUE_HOME/keys) or 'kms' (with BLUE_KMS_KEY_ID)",
            )
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        return cls(
            blue_home=blue_home,
            cache_home=cache_home,
            data_home=data_home,
            runtime_dir=runtime_dir,
            sessions_db=sessions_db,
            dynamodb_endpoint=endpoint,
            table=table,
            key_provider=provider,
            kms_key_id=(env.get("BLUE_KMS_KEY_ID") or "").strip() or None,
            kms_endpoint=(env.get("AWS_ENDPOINT_URL_KMS") or env.get("AWS_ENDPOINT_URL") or "").strip()
            or None,
            aws_region=region,
            user_override=(env.get("BLUE_USER") or "").strip() or None,
            env=env,
        )

    # ---- paths -------------------------------------------------------------------------------

    @property
    def keys_dir(self) -> Path:
        return self.blue_home / "keys"

    @property
    def umk_path(self) -> Path:
        return self.keys_dir / "umk.key"

    @property
    def index_path(self) -> Path:
        return self.blue_home / "index.yaml"

    @property
    def user_config_path(self) -> Path:
        return self.blue_home / "config.yaml"

    @property
    def credentials_path(self) -> Path:
        return self.blue_home / "credentials.yaml"

    @property
    def realms_dir(self) -> Path:
        return self.blue_home / "realms"

    @property
    def worktrees_dir(self) -> Path:
        return self.blue_home / "worktrees"

    @property
    def dynamodb_local_dir(self) -> Path:
        return self.cache_home / "blue" / "dynamodb-local"

    @property
    def dynamodb_data_dir(self) -> Path:
        return self.data_home / "blue" / "dynamodb"

    @property
    def endpoint_is_local(self) -> bool:
        return is_loopback(self.dynamodb_endpoint)

    @property
    def endpoint_label(self) -> str:
        return self.dynamodb_endpoint or f"AWS DynamoDB ({self.aws_region})"

    def paths(self) -> dict[str, str]:
        """Every resolved path, as `blue paths --json` prints them."""
        return {
            "blue_home": str(self.blue_home),
            "index": str(self.index_path),
            "config": str(self.user_config_path),
            "credentials": str(self.credentials_path),
            "keys_dir": str(self.keys_dir),
            "umk": str(self.umk_path),
            "realms": str(self.realms_dir),
            "worktrees": str(self.worktrees_dir),
            "runtime_dir": str(self.runtime_dir),
            "sessions_db": str(self.sessions_db),
            "dynamodb_local": str(self.dynamodb_local_dir),
            "dynamodb_data": str(self.dynamodb_data_dir),
        }

    # ---- identity ----------------------------------------------------------------------------

    @cached_property
    def user(self) -> str:
        """The principal: BLUE_USER, else git's user.email, else login@host."""
        if self.user_override:
            return self.user_override
        try:
            out = subprocess.run(
                ["git", "config", "--get", "user.email"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
                env={**self.env, "GIT_TERMINAL_PROMPT": "0"},
            )
            email = out.stdout.strip()
            if out.returncode == 0 and email:
                return email
        except (OSError, subprocess.SubprocessError):
            pass
        import getpass
        import socket

        try:
            login = getpass.getuser()
        except (KeyError, OSError):
            login = "unknown"
        return f"{login}@{socket.gethostname()}"
