"""The ``gym-inventory`` command: subcommands registered by module, imported lazily.

Each subcommand module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``; heavy imports (torch, SB3) happen inside ``run`` so that
``gym-inventory --help`` stays fast. Bad input -- a ``UsageError``, ``ValueError``
or ``TypeError`` raised by a subcommand, or an argparse error -- prints one line
``gym-inventory <cmd>: error: ...`` on stderr and exits with code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

#: Subcommand name -> module implementing it.
SUBCOMMANDS = {
    "baselines": "gym_inventory.cli.baselines",
    "evaluate": "gym_inventory.cli.evaluate",
    "make-data": "gym_inventory.cli.make_data",
    "train": "agents.cli.train",
    "ds": "agents.cli.ds",
    "sweep": "agents.cli.sweep",
    "demo": "agents.cli.demo",
    "bench": "agents.cli.bench",
}


class UsageError(Exception):
    """Bad input from the command line: reported on one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit code 2 (argparse prints usage too)
        raise UsageError(message)


def build_parser(available: dict | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="gym-inventory", description="Inventory control with Gymnasium and Stable-Baselines3.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for name, module_name in (available or _available()).items():
        module = importlib.import_module(module_name)
        # argparse %-formats help strings: a literal "95%" must reach it as "95%%".
        sub = commands.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run, _name=name)
    return parser


def _available() -> dict:
    """Registered subcommands whose module exists (issues add them one by one)."""
    found = {}
    for name, module_name in SUBCOMMANDS.items():
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
    prefix = f"gym-inventory {command}" if command in SUBCOMMANDS else "gym-inventory"
    try:
        args = build_parser().parse_args(argv)
        return int(args._run(args) or 0)
    except (UsageError, ValueError, TypeError) as error:
        message = " ".join(str(error).split())
        print(f"{prefix}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
