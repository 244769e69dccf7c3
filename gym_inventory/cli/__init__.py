"""The ``gym-inventory`` command: subcommands registered by module, imported lazily.

The library's own subcommands are listed in :data:`SUBCOMMANDS`; other packages add
theirs through the ``gym_inventory.commands`` entry points (:mod:`gym_inventory.plugins`:
the trainers' ``train``, ``ds``, ``sweep`` and ``demo``), so this package never imports them.
Each subcommand module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``; heavy imports (torch, SB3) happen inside ``run`` so that
``gym-inventory --help`` stays fast. Bad input -- a ``UsageError``, ``ValueError``,
``TypeError`` or ``RuntimeError`` raised by a subcommand, a file-system error
(``OSError``: read-only or missing paths, a dangling link), ``MemoryError``, or an
argparse error -- prints one line ``gym-inventory <cmd>: error: ...`` (at most
:data:`MAX_MESSAGE` characters) on stderr and exits with code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from gym_inventory.cli.errors import UsageError
from gym_inventory.plugins import plugin_commands

#: The library's subcommands: name -> module implementing it (plugins add theirs).
SUBCOMMANDS = {
    "baselines": "gym_inventory.cli.baselines",
    "evaluate": "gym_inventory.cli.evaluate",
    "make-data": "gym_inventory.cli.make_data",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit code 2 (argparse prints usage too)
        raise UsageError(message)


def build_parser(available: dict | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="gym-inventory", description="Inventory control with Gymnasium and Stable-Baselines3.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for name, module_name in (available or available_subcommands()).items():
        module = importlib.import_module(module_name)
        # argparse %-formats help strings: a literal "95%" must reach it as "95%%".
        sub = commands.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run, _name=name)
    return parser


def available_subcommands() -> dict:
    """Every subcommand: the library's and the installed plugins' (name -> module), whose module exists."""
    found = {}
    for name, module_name in {**SUBCOMMANDS, **plugin_commands(), **SUBCOMMANDS}.items():
        try:
            spec = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            found[name] = module_name
    return found


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    prefix = f"gym-inventory {command}" if command in SUBCOMMANDS or command in plugin_commands() else "gym-inventory"
    try:
        args = build_parser().parse_args(argv)
        return int(args._run(args) or 0)
    except (UsageError, ValueError, TypeError, RuntimeError) as error:  # RuntimeError: e.g. a DP that cannot converge
        return _fail(prefix, str(error))
    except OSError as error:  # a read-only --out, --out below a file, a dangling link, a full disk, ...
        where = f": {error.filename!r}" if error.filename else ""
        return _fail(prefix, f"{error.strerror or error}{where}")
    except MemoryError:
        return _fail(prefix, "out of memory; ask for a smaller problem (fewer SKUs, days, a shorter horizon)")
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return 130


#: Longest error message printed (a message quoting a huge input, e.g. an expanded YAML bomb, is cut).
MAX_MESSAGE = 500


def _fail(prefix: str, message: str) -> int:
    """Print ``message`` as one line (whitespace collapsed, at most :data:`MAX_MESSAGE` characters); exit code 2."""
    message = " ".join(message[: 4 * MAX_MESSAGE].split())
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 5] + " ..."
    print(f"{prefix}: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
