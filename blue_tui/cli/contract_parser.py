"""Arguments of `blue contract ...` (standard library only: imported whenever the parser is built)."""

from __future__ import annotations

import argparse

DIFF_HELP = "compare two JSON Schemas: can the new read old documents, and the old read new ones?"
DIFF_EPILOG = """\
OLD and NEW are JSON Schema files (.json, .yaml) or contract YAML files (their `schema:` key).
backward = the new schema accepts every document the old one accepted (new reads old);
forward  = the old schema accepts every document the new one accepts (old reads new).

policies:
  strict    Confluent Schema Registry's default rules
  lenient   Confluent's LENIENT: writers send only declared properties and readers ignore
            undeclared ones, so adding optional properties is compatible both ways

exit codes:
  0  compatible both ways
  1  incompatible in either direction (or a file could not be read)
  2  only unknown verdicts or warnings remain (e.g. a changed pattern or default)

rules, verdicts and examples: docs/CONTRACTS.md"""


def register(top: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `contract` command group to `blue`'s parser."""
    contract = top.add_parser("contract", help="JSON Schema contracts: compare versions for compatibility")
    contract.set_defaults(help_parser=contract)
    sub = contract.add_subparsers(title="contract commands", metavar="COMMAND", parser_class=type(contract))
    diff = sub.add_parser(
        "diff",
        help=DIFF_HELP,
        description=DIFF_HELP,
        epilog=DIFF_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.set_defaults(handler="blue_tui.cli.contract:cmd_diff")
    diff.add_argument("old", metavar="OLD", help="the previous schema or contract file")
    diff.add_argument("new", metavar="NEW", help="the new schema or contract file")
    diff.add_argument(
        "--policy",
        choices=("strict", "lenient"),
        default="strict",
        help="compatibility policy (default: strict)",
    )
    diff.add_argument(
        "--readers-apply-defaults",
        action="store_true",
        help="readers fill in `default` values before validating (Confluent's reading of "
        "required-with-default changes); without it such changes count as breaking",
    )
    diff.add_argument("--json", action="store_true", help="print JSON instead of text")
