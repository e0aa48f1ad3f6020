"""Why a row of ``.blue/cache.db`` can be believed: it carries an HMAC under a key the file does not hold.

The cache may come from somewhere else (CI restores it between runs, a teammate hands it over), and
a cached verdict skips work: a hook, a compatibility check, re-reading the realm. So every row is
keyed by the content hashes of what it was computed from and by :func:`checker_version`, and
carries ``mac = HMAC-SHA256(key, table, checker version, key fields, value fields)``. A row written
by anyone without the key, or copied under another key, or left by another checker version, fails
the MAC and is a miss: a poisoned entry can only ever cost a recomputation.

The key is ``BLUE_CACHE_KEY`` when set (CI: a secret, so that runs of protected branches share the
cache while a fork's pull request, which gets no secrets, cannot write entries they accept), else
32 random bytes in ``$BLUE_HOME/cache.key`` (0600), made on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from contextlib import suppress
from functools import cache
from pathlib import Path

from blue_tui import __version__

KEY_FILE = "cache.key"
ENV_KEY = "BLUE_CACHE_KEY"
MIN_ENV_KEY = 16


class CacheKeyError(Exception):
    """No usable key: the cache is then switched off for the run (never a failed command)."""


def load_key(blue_home: Path, env: dict[str, str] | None = None) -> bytes:
    """The MAC key: from ``BLUE_CACHE_KEY``, else ``$BLUE_HOME/cache.key`` (created if missing)."""
    environ = os.environ if env is None else env
    given = environ.get(ENV_KEY, "")
    if given:
        if len(given) < MIN_ENV_KEY:
            raise CacheKeyError(f"{ENV_KEY} is shorter than {MIN_ENV_KEY} characters; the cache is off")
        return hashlib.sha256(b"blue cache key\0" + given.encode()).digest()
    path = blue_home / KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CacheKeyError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        blue_home.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = blue_home / f".{KEY_FILE}.{secrets.token_hex(6)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            # link() refuses to replace: when two processes race, both end up with the winner's key.
            with suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
        return _read_key(path)
    except OSError as exc:
        raise CacheKeyError(f"cannot create {path}: {exc.strerror or exc}") from None


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd) as fh:
        text = fh.read().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise CacheKeyError(f"{path} does not hold a key (64 hex digits); delete it to make a new one")
    return key


@cache
def checker_version() -> str:
    """blue's version plus a hash of the realm code that computes what the cache keeps.

    Any change to the loader, the validators or the compatibility checker gives a new version, so
    a verdict computed by other code is never reused, even between two builds of one release.
    """
    digest = hashlib.sha256(__version__.encode())
    base = Path(__file__).resolve().parent
    try:
        for path in sorted(base.rglob("*.py")):
            digest.update(str(path.relative_to(base)).encode() + b"\0")
            digest.update(path.read_bytes())
    except OSError:
        pass  # a packaging without sources: the release version alone
    return f"{__version__}+{digest.hexdigest()[:16]}"


def mac(key: bytes, table: str, *fields: object) -> str:
    """HMAC-SHA256 over the table, the checker version and the fields (each length-prefixed)."""
    h = hmac.new(key, digestmod=hashlib.sha256)
    for part in (table, checker_version(), *fields):
        raw = part if isinstance(part, bytes) else str(part).encode()
        h.update(len(raw).to_bytes(8, "big"))
        h.update(raw)
    return h.hexdigest()


def same(a: object, b: str) -> bool:
    return isinstance(a, str) and hmac.compare_digest(a, b)
