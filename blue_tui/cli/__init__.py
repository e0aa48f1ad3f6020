"""`blue`: the command line. Thin: parse arguments, call the core, print.

Building the parser imports only the standard library, so `blue --help` and
`blue --version` start fast and load neither boto3, cryptography nor textual;
each command's module is imported only when that command runs.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from blue_tui.core.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, BlueError


def main(argv: Sequence[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    if args_list == ["--version"]:
        # Answered before argparse is even imported: scripts call this to probe the tool.
        from blue_tui import __version__

        print(f"blue {__version__}")
        return 0
    from blue_tui.cli.parser import build_parser

    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    target = getattr(args, "handler", None)
    if target is None:
        getattr(args, "help_parser", parser).print_help(sys.stderr)
        return EXIT_USAGE
    module_name, _, function_name = target.partition(":")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        code: int = handler(args)
        return code
    except BlueError as exc:
        report(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("blue: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `blue dialogue export X | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("BLUE_DEBUG"):
            raise
        print(f"blue: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("  hint: run again with BLUE_DEBUG=1 for the traceback, and report it", file=sys.stderr)
        return EXIT_FAILURE


def report(exc: BlueError) -> None:
    print(f"blue: error: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  hint: {exc.hint}", file=sys.stderr)
