"""Typed problems raised by the core.

Every error a user can cause is a :class:`BlueError` with a one-line message that
names the file, item or endpoint, an optional ``hint`` naming the next command,
and the exit code the CLI uses. Messages never contain key material.
"""

from __future__ import annotations

from collections.abc import Sequence

# Exit codes, documented in `blue --help` and docs/CLI.md.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_WARNINGS = 2
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130


class BlueError(Exception):
    """Base of every expected failure. ``str(err)`` is the one-line message."""

    exit_code: int = EXIT_FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(BlueError):
    """A bad environment variable or settings file."""


class UsageError(BlueError):
    exit_code = EXIT_USAGE


# ---- DynamoDB Local and endpoints --------------------------------------------------------------


class EndpointUnreachable(BlueError):
    def __init__(self, endpoint: str, *, detail: str = "", local: bool = True) -> None:
        hint = "start it with `blue dev up`" if local else "check DYNAMODB_ENDPOINT, network and credentials"
        tail = f" ({detail})" if detail else ""
        super().__init__(f"cannot reach DynamoDB at {endpoint}{tail}", hint=hint)
        self.endpoint = endpoint


class KmsUnreachable(BlueError):
    def __init__(self, endpoint: str, detail: str = "") -> None:
        tail = f" ({detail})" if detail else ""
        super().__init__(
            f"cannot reach KMS at {endpoint}{tail}",
            hint="check AWS_ENDPOINT_URL_KMS / AWS_REGION and your network",
        )


class AwsCredentialsMissing(BlueError):
    def __init__(self, service: str) -> None:
        super().__init__(
            f"no AWS credentials found for {service}",
            hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        )


class DevServerError(BlueError):
    """DynamoDB Local could not be fetched, started or stopped."""


class JavaNotFound(DevServerError):
    def __init__(self) -> None:
        super().__init__(
            "java was not found on PATH; DynamoDB Local needs Java 17 or newer",
            hint="install a JDK (e.g. `apt install openjdk-17-jre-headless`) or use `docker compose up -d`",
        )


class PortBusy(DevServerError):
    def __init__(self, port: int) -> None:
        super().__init__(
            f"port {port} on 127.0.0.1 is already in use by another program",
            hint=f"stop that program, or run `blue dev up --port N` and set DYNAMODB_ENDPOINT=http://127.0.0.1:N"
            f" (busy port: {port})",
        )
        self.port = port


class TableMissing(BlueError):
    def __init__(self, table: str, endpoint: str) -> None:
        super().__init__(
            f"table {table!r} does not exist at {endpoint}",
            hint="run `blue dev up` (it creates the table) or check BLUE_TABLE",
        )


# ---- keys -----------------------------------------------------------------------------------


class KeyProblem(BlueError):
    """Base for key problems."""


class KeyFileError(KeyProblem):
    """The local UMK file is unsafe or malformed."""


class KeyChanged(KeyProblem):
    """The local UMK cannot unwrap a stored DEK: the key was replaced or lost."""

    def __init__(self, dialogue_id: str, stored_key: str, current_key: str) -> None:
        super().__init__(
            f"local encryption key changed: dialogue {dialogue_id!r} was encrypted under key "
            f"{stored_key}, the key file now holds {current_key}",
            hint="restore the previous $BLUE_HOME/keys/umk.key, or run `blue keys reset` to wipe the "
            "local dialogue store and start with a fresh key",
        )
        self.dialogue_id = dialogue_id


class WrongPrincipal(KeyProblem):
    def __init__(self, dialogue_id: str, owner: str, user: str) -> None:
        super().__init__(
            f"dialogue {dialogue_id!r} is encrypted for {owner!r}, but you are {user!r}",
            hint=f"run with BLUE_USER={owner}",
        )


class KmsError(KeyProblem):
    """KMS refused an operation (denied, disabled key, bad ciphertext, missing key id)."""


class DekExhausted(KeyProblem):
    pass


# ---- dialogues ------------------------------------------------------------------------------


class DialogueNotFound(BlueError):
    def __init__(self, dialogue_id: str) -> None:
        super().__init__(f"no dialogue {dialogue_id!r} in the store", hint="see `blue dialogue list`")
        self.dialogue_id = dialogue_id


class DialogueExists(BlueError):
    def __init__(self, dialogue_id: str, source: str) -> None:
        super().__init__(
            f"dialogue {dialogue_id!r} already exists with different content ({source})",
            hint="re-run with --replace to replace it",
        )
        self.dialogue_id = dialogue_id


class ConcurrentWrite(BlueError):
    def __init__(self, dialogue_id: str) -> None:
        super().__init__(
            f"dialogue {dialogue_id!r} was changed by another writer while this one ran",
            hint="run the command again",
        )


class SourceError(BlueError):
    """A file that cannot be read as a dialogue. Names the file and, where one applies, the line."""

    def __init__(self, source: str, reason: str, *, line: int | None = None) -> None:
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.reason = reason
        self.line = line


class IntegrityProblem:
    """One finding of a dialogue verification: which dialogue, which item, what kind.

    A plain value class rather than a dataclass: this module is imported by every `blue`
    command, and dataclasses (with inspect) would cost most of `blue --help`'s start-up.
    """

    __slots__ = ("dialogue_id", "kind", "message", "sk")

    def __init__(self, dialogue_id: str, sk: str, kind: str, message: str) -> None:
        self.dialogue_id = dialogue_id
        self.sk = sk
        self.kind = kind
        self.message = message

    def _key(self) -> tuple[str, str, str, str]:
        return (self.dialogue_id, self.sk, self.kind, self.message)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntegrityProblem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "IntegrityProblem(dialogue_id={!r}, sk={!r}, kind={!r}, message={!r})".format(*self._key())

    def as_json(self) -> dict[str, str]:
        return {"id": self.dialogue_id, "sk": self.sk, "kind": self.kind, "message": self.message}


class IntegrityError(BlueError):
    """A dialogue failed verification: tampered, swapped, deleted, added or rolled-back items."""

    def __init__(self, problems: Sequence[IntegrityProblem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"dialogue {first.dialogue_id!r}, item {first.sk!r}: {first.message}{more}",
            hint=f"see `blue dialogue verify {first.dialogue_id}` for every finding",
        )
        self.problems = list(problems)


class AuditError(BlueError):
    pass
