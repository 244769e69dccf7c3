"""Arguments every subcommand shares: ``--env-config FILE``, the common env flags, ``--json``."""
from __future__ import annotations

import argparse
import json

from gym_inventory.config import check_env_kwargs, load_env_config

# flag -> (gym.make keyword, type, help)
_ENV_FLAGS = {
    "--lead-time": ("lead_time", int, "L, days from order to arrival"),
    "--review-period": ("review_period", int, "P, days between orders"),
    "--horizon": ("horizon", int, "order epochs per episode"),
    "--holding-cost": ("holding_cost", float, "h, money per unit-day on hand"),
    "--penalty-cost": ("penalty_cost", float, "p, money per unit backlogged per day, or lost"),
    "--demand": ("demand", str, "demand preset name (poisson, normal, ...)"),
}


def add_env_arguments(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """Add ``--env-config`` and the common environment flags (which override the file)."""
    group = parser.add_argument_group("environment")
    group.add_argument("--env-config", metavar="FILE", required=required, help="YAML of gym.make keyword arguments")
    for flag, (dest, kind, text) in _ENV_FLAGS.items():
        group.add_argument(flag, dest=f"env_{dest}", type=kind, default=None, help=text)
    group.add_argument("--lost-sales", dest="env_lost_sales", action="store_const", const=True, default=None,
                       help="lose unmet demand (default: backlog)")
    group.add_argument("--demand-kwargs", dest="env_demand_kwargs", type=_json_object, default=None,
                       metavar="JSON", help='demand preset arguments, e.g. \'{"mean": 5}\'')


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def env_kwargs_from_args(args: argparse.Namespace) -> dict:
    """gym.make keyword arguments: the ``--env-config`` file, overridden by explicit flags."""
    kwargs = load_env_config(args.env_config) if getattr(args, "env_config", None) else {}
    for name, value in vars(args).items():
        if name.startswith("env_") and name != "env_config" and value is not None:
            kwargs[name[len("env_"):]] = value
    return check_env_kwargs(kwargs)


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object, got {text!r}")
    return value
