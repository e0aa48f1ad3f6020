"""The environment contract of shared/DESIGN.md, resolved by Settings.from_env."""

from __future__ import annotations

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.errors import ConfigError


def test_defaults() -> None:
    s = Settings.from_env({"HOME": "/h"})
    assert str(s.blue_home) == "/h/.blue"
    assert str(s.umk_path) == "/h/.blue/keys/umk.key"
    assert s.dynamodb_endpoint == "http://127.0.0.1:8000" and s.endpoint_is_local
    assert s.table == "blue_dialogues" and s.key_provider == "local"
    assert str(s.sessions_db) == "/h/.blue/run/sessions.db"
    assert str(s.dynamodb_local_dir) == "/h/.cache/blue/dynamodb-local"
    assert str(s.dynamodb_data_dir) == "/h/.local/share/blue/dynamodb"


def test_overrides() -> None:
    s = Settings.from_env(
        {
            "HOME": "/h",
            "BLUE_HOME": "/b",
            "XDG_RUNTIME_DIR": "/run/user/1",
            "XDG_CACHE_HOME": "/c",
            "XDG_DATA_HOME": "relative/is/ignored",
            "DYNAMODB_ENDPOINT": "aws",
            "BLUE_TABLE": "other",
            "BLUE_KEY_PROVIDER": "KMS",
            "BLUE_KMS_KEY_ID": "alias/x",
            "AWS_ENDPOINT_URL_KMS": "http://127.0.0.1:5000",
            "BLUE_USER": "me@example.com",
        }
    )
    assert str(s.sessions_db) == "/run/user/1/blue/sessions.db"
    assert str(s.dynamodb_local_dir) == "/c/blue/dynamodb-local"
    assert str(s.dynamodb_data_dir) == "/h/.local/share/blue/dynamodb"
    assert s.dynamodb_endpoint is None and not s.endpoint_is_local
    assert s.endpoint_label.startswith("AWS DynamoDB")
    assert (s.table, s.key_provider, s.kms_key_id, s.user) == ("other", "kms", "alias/x", "me@example.com")
    assert Settings.from_env({"HOME": "/h", "BLUE_SESSIONS_DB": "/x.db"}).sessions_db.as_posix() == "/x.db"


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("DYNAMODB_ENDPOINT", "localhost:8000", "not an http(s) URL"),
        ("BLUE_TABLE", "no spaces", "not a valid DynamoDB table name"),
        ("BLUE_KEY_PROVIDER", "vault", "not one of local, kms"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"HOME": "/h", name: value})
    assert name in err.value.message and needle in err.value.message and err.value.hint


def test_paths_lists_every_location() -> None:
    paths = Settings.from_env({"HOME": "/h"}).paths()
    for key in ("blue_home", "umk", "index", "sessions_db", "dynamodb_local", "dynamodb_data", "worktrees"):
        assert paths[key].startswith("/h/")
