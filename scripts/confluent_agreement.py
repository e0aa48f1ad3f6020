"""How often blue's schema checker agrees with Confluent Schema Registry's own test verdicts.

Confluent keeps its JSON Schema compatibility cases in its schema-registry repository
(json-schema-provider/src/test/resources/diff-schema-examples*.json and
diff-combined-schema-examples*.json). They are under the Confluent Community License, so blue
does not ship them; point this script at a checkout (files or folders):

    python scripts/confluent_agreement.py path/to/schema-registry/json-schema-provider/src/test/resources

Each case has ``original_schema``, ``update_schema`` and ``compatible`` (Confluent's BACKWARD
verdict: the update reads data written with the original), and may have ``compatible_lenient``.
blue's verdict is its ``backward``; an *unknown* counts as "not compatible" (blue blocks it as a
possible break). The second figure reads Confluent's verdict off changes blue marks disputed.
Exit status: 0, or 1 with ``--min`` when agreement falls below that percentage.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blue_tui.core.realm.compat import CompatReport, compare_schemas
from blue_tui.core.realm.compat.model import overall


@dataclass
class Outcome:
    source: str
    description: str
    policy: str
    confluent: bool
    ours: bool | None
    with_disputes: bool | None
    rules: list[str]


def cases(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("diff-*schema-examples*.json")) if path.is_dir() else [path]
    out = []
    for file in files:
        for case in json.loads(file.read_text(encoding="utf-8")):
            out.append((file.name, case))
    return out


def confluent_reading(report: CompatReport) -> bool | None:
    """blue's backward verdict with Confluent's verdict taken on disputed changes."""
    return overall(c.confluent[0] if c.confluent is not None else c.backward for c in report.changes)


def judge(source: str, case: dict[str, Any]) -> list[Outcome]:
    out = []
    for policy, field in (("strict", "compatible"), ("lenient", "compatible_lenient")):
        expected = bool(case.get(field, case["compatible"]))
        report = compare_schemas(case["original_schema"], case["update_schema"], policy=policy)
        out.append(Outcome(
            source, str(case.get("description", "")), policy, expected, report.backward,
            confluent_reading(report), [f"{c.rule}{'*' if c.disputed else ''}" for c in report.changes],
        ))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "paths", nargs="+", type=Path, help="Confluent's example files, or folders holding them"
    )
    parser.add_argument("--min", type=float, default=None, help="fail below this agreement percentage")
    args = parser.parse_args(argv)
    found = cases(args.paths)
    if not found:
        print("no cases found", file=sys.stderr)
        return 1
    outcomes = [o for source, case in found for o in judge(source, case)]
    agree = [o for o in outcomes if (o.ours is True) == o.confluent]
    agree_disputed = [o for o in outcomes if (o.with_disputes is True) == o.confluent]
    unknown = [o for o in outcomes if o.ours is None]
    share = 100 * len(agree) / len(outcomes)
    print(f"{len(found)} cases, {len(outcomes)} verdicts (strict and lenient)")
    print(
        f"agreement: {len(agree)}/{len(outcomes)} = {share:.1f}% (unknown counts as not compatible; {len(unknown)} unknown)"
    )
    print(f"agreement reading Confluent's verdict on disputed changes: {len(agree_disputed)}/{len(outcomes)} "
          f"= {100 * len(agree_disputed) / len(outcomes):.1f}%")  # fmt: skip
    print("disagreements (rules marked * are disputed):")
    for o in outcomes:
        if (o.ours is True) != o.confluent:
            ours = {True: "compatible", False: "incompatible", None: "unknown"}[o.ours]
            theirs = "compatible" if o.confluent else "incompatible"
            print(
                f"  {o.source}: {o.description!r} [{o.policy}] blue {ours}, Confluent {theirs}: {', '.join(o.rules)}"
            )
    return 1 if args.min is not None and share < args.min else 0


if __name__ == "__main__":
    sys.exit(main())
