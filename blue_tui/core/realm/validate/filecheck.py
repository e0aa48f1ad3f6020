"""One realm file's problems, with the line of each key path, and typed getters that report.

Every ``*_doc`` validator reads its file through a :class:`FileCheck`: each getter returns the
value when it has the right shape and otherwise records a problem (rule, key path, line) and
returns a default, so one file yields every problem at once. Keys starting with ``x-`` are
extension keys and are never reported.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from blue_tui.core.realm import semver
from blue_tui.core.realm.names import name_problem, relpath_problem, type_name
from blue_tui.core.realm.problems import Problem, ProblemSink, Severity
from blue_tui.core.realm.yamlfile import Parsed, join_key

_MISSING = object()

#: Keys that people put in the wrong place, with where they belong.
_MOVED = {
    "path": "local paths are per machine: they live in $BLUE_HOME/index.yaml, not in the realm",
    "value": "a contract describes documents with `schema`; the exporter's code produces the values",
    "trust.permissions": "`permissions` belongs at the top level of realm.yaml",
}


class FileCheck:
    """Problem collection for one file, with line lookup and typed getters."""

    __slots__ = ("parsed", "sink")

    def __init__(
        self,
        file: str,
        parsed: Parsed | None,
        out: list[Problem],
        *,
        domain: str | None = None,
        contract: str | None = None,
        repo: str | None = None,
    ) -> None:
        self.parsed = parsed
        self.sink = ProblemSink(out, self._line, file=file, domain=domain, contract=contract, repo=repo)

    def _line(self, file: str | None, key: str | None) -> int | None:
        return self.parsed.line(key) if self.parsed is not None else None

    def add(
        self, severity: Severity, rule: str, key: str | None, message: str, hint: str | None = None
    ) -> None:
        self.sink.add(severity, rule, message, key=key, hint=hint)

    def error(self, rule: str, key: str | None, message: str, hint: str | None = None) -> None:
        self.add("error", rule, key, message, hint)

    def warning(self, rule: str, key: str | None, message: str, hint: str | None = None) -> None:
        self.add("warning", rule, key, message, hint)

    # ---- shapes ------------------------------------------------------------------------------

    def mapping(self, value: Any, key: str, what: str = "a mapping") -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.error("wrong-type", key, f"{key or 'the file'} must be {what}, not {type_name(value)}")
        return None

    def keys(
        self, m: Mapping[Any, Any], prefix: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> None:
        for k in m:
            if not isinstance(k, str):
                self.error("wrong-type", prefix, f"key {k!r} in {prefix or 'the file'} must be a string")
                continue
            if k in allowed or k.startswith("x-"):
                continue
            full = join_key(prefix, k)
            hint = _MOVED.get(full) or _MOVED.get(k)
            if hint is None:
                close = difflib.get_close_matches(k, allowed, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(allowed)}"
            self.error("unknown-key", full, f"unknown key {k!r}", hint)
        for k in required:
            if k not in m:
                self.error("missing-key", prefix or None, f"missing required key {join_key(prefix, k)!r}")

    def string(
        self, m: Mapping[str, Any], prefix: str, k: str, *, default: str | None = None, empty_ok: bool = True
    ) -> str | None:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return default
        key = join_key(prefix, k)
        if not isinstance(value, str):
            self.error("wrong-type", key, f"{key} must be a string, not {type_name(value)}")
            return default
        if not empty_ok and not value.strip():
            self.error("wrong-type", key, f"{key} must not be empty")
            return default
        return value

    def boolean(self, m: Mapping[str, Any], prefix: str, k: str, default: bool) -> bool:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, bool):
            key = join_key(prefix, k)
            self.error("wrong-type", key, f"{key} must be true or false, not {type_name(value)}")
            return default
        return value

    def number(
        self,
        m: Mapping[str, Any],
        prefix: str,
        k: str,
        *,
        integer: bool = False,
        minimum: float = 0,
        maximum: float | None = None,
    ) -> float | None:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return None
        key = join_key(prefix, k)
        ok_type = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            self.error(
                "wrong-type",
                key,
                f"{key} must be {'an integer' if integer else 'a number'}, not {type_name(value)}",
            )
            return None
        if math.isnan(value) or value < minimum or (maximum is not None and value > maximum):
            bound = f" and at most {maximum:g}" if maximum is not None else ""
            self.error("bad-value", key, f"{key} must be at least {minimum:g}{bound}, not {value}")
            return None
        return float(value)

    def enum(
        self, m: Mapping[str, Any], prefix: str, k: str, choices: tuple[str, ...], default: str | None
    ) -> str | None:
        value = self.string(m, prefix, k)
        if value is None:
            return default
        if value not in choices:
            key = join_key(prefix, k)
            self.error("bad-value", key, f"{key} must be one of {', '.join(choices)}, not {value!r}")
            return default
        return value

    def strings(self, m: Mapping[str, Any], prefix: str, k: str, *, single_ok: bool = False) -> list[str]:
        value = m.get(k, _MISSING)
        key = join_key(prefix, k)
        if value is _MISSING or value is None:
            return []
        if single_ok and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.error("wrong-type", key, f"{key} must be a list of strings, not {type_name(value)}")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error("wrong-type", f"{key}[{i}]", f"{key}[{i}] must be a string, not {type_name(item)}")
        return out

    def name_value(self, value: Any, key: str, what: str) -> str | None:
        why = name_problem(value)
        if why:
            self.error("unsafe-name" if isinstance(value, str) else "wrong-type", key, f"{what}: {why}")
            return None
        assert isinstance(value, str)
        return value

    def names(self, m: Mapping[str, Any], prefix: str, k: str, what: str) -> list[str]:
        key = join_key(prefix, k)
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error("wrong-type", key, f"{key} must be a list of {what} names, not {type_name(value)}")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            name = self.name_value(item, f"{key}[{i}]", what)
            if name is not None:
                if name in out:
                    self.warning("duplicate", f"{key}[{i}]", f"{what} {name!r} is listed twice in {key}")
                else:
                    out.append(name)
        return out

    def version(
        self, m: Mapping[str, Any], prefix: str, k: str, *, allow_prerelease: bool = True
    ) -> str | None:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return None
        why = semver.version_problem(value, allow_prerelease=allow_prerelease)
        if why:
            key = join_key(prefix, k)
            self.error("bad-semver", key, f"{key} {why}")
            return None
        assert isinstance(value, str)
        return value

    def relpath(self, value: Any, key: str, what: str) -> str | None:
        why = relpath_problem(value)
        if why:
            self.error("unsafe-path" if isinstance(value, str) else "wrong-type", key, f"{what} {why}")
            return None
        assert isinstance(value, str)
        return value

    def parse_issues(self) -> None:
        if self.parsed is not None:
            for issue in self.parsed.issues:
                self.sink.add("error", "duplicate-key", issue.message, key=issue.key, line=issue.line)

    def name_matches(self, m: Mapping[str, Any], k: str, expected: str, what: str) -> None:
        """The ``name``/``repo`` key, when given, must equal the file or folder name."""
        value = m.get(k, _MISSING)
        if value is _MISSING:
            return
        if not isinstance(value, str):
            self.error("wrong-type", k, f"{k} must be a string, not {type_name(value)}")
        elif value != expected:
            self.error(
                "name-mismatch",
                k,
                f"{k} {value!r} does not match the {what} name {expected!r}",
                f"rename the {what} or set {k}: {expected}",
            )


def text(c: FileCheck, doc: Mapping[str, Any], k: str, prefix: str = "") -> str | None:
    """A free-text field such as a timestamp: a string, or a number/date written bare."""
    value = doc.get(k)
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    key = join_key(prefix, k)
    c.error("wrong-type", key, f"{key} must be a string, not {type_name(value)}")
    return None
