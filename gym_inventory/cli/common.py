"""Arguments subcommands share: ``--env-config FILE``, the common env flags, the evaluation flags, ``--json``."""
from __future__ import annotations

import argparse
import json

from gym_inventory.cli.errors import UsageError
from gym_inventory.config import check_env_kwargs, load_env_config

# flag -> (gym.make keyword, type, help)
_ENV_FLAGS = {
    "--lead-time": ("lead_time", "lead_time", "L, days from order to arrival, or a distribution as JSON: "
                    '\'{"values": [1, 3], "probabilities": [0.5, 0.5]}\''),
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
        group.add_argument(flag, dest=f"env_{dest}", type=_lead_time if kind == "lead_time" else kind, default=None, help=text)
    group.add_argument("--no-order-crossing", dest="env_order_crossing", action="store_const", const=False, default=None,
                       help="random lead times: deliver orders in the order placed (default: independent, may cross)")
    group.add_argument("--lost-sales", dest="env_lost_sales", action="store_const", const=True, default=None,
                       help="lose unmet demand (default: backlog)")
    group.add_argument("--demand-kwargs", dest="env_demand_kwargs", type=_json_object, default=None,
                       metavar="JSON", help='demand preset arguments, e.g. \'{"mean": 5}\'')


def add_evaluation_arguments(parser: argparse.ArgumentParser, *, n_trajectories: int):
    """Add the "evaluation" group of ``baselines`` and ``evaluate`` (default ``--n-trajectories``: ``n_trajectories``).

    Returns the group, for a subcommand's own evaluation flags; :func:`check_evaluation_arguments`
    checks the parsed values.
    """
    group = parser.add_argument_group("evaluation")
    group.add_argument("--n-trajectories", type=int, default=n_trajectories, metavar="N",
                       help=f"trajectories per policy (default {n_trajectories})")
    group.add_argument("--eval-horizon", type=int, default=1000, metavar="EPOCHS",
                       help="order epochs per trajectory (default 1000: steady state)")
    group.add_argument("--warmup-epochs", type=int, default=None, metavar="EPOCHS",
                       help="epochs excluded from the metrics (default: max(L + 1, horizon // 10))")
    group.add_argument("--no-dp", action="store_true", help="skip the dynamic program even where it applies")
    return group


def check_evaluation_arguments(args: argparse.Namespace) -> None:
    """``UsageError`` for evaluation flags no evaluation can use (a confidence interval needs 2 trajectories)."""
    if args.n_trajectories < 2:
        raise UsageError(f"--n-trajectories must be >= 2 for a confidence interval, got {args.n_trajectories}")


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def undefined_gaps(row: dict) -> dict:
    """``row`` with a NaN ``gap`` (undefined: the reference cost is 0) as None, for JSON."""
    gap = row.get("gap")
    return dict(row, gap=None) if isinstance(gap, float) and gap != gap else row


def json_text(value, **options) -> str:
    """``value`` as strict JSON (``allow_nan=False``); ``ValueError`` when it holds NaN or infinity."""
    try:
        return json.dumps(value, allow_nan=False, **options)
    except ValueError:
        raise ValueError("the result holds a non-finite number (NaN or infinity), which JSON cannot hold; "
                         "check the costs and demand of the problem") from None


def env_kwargs_from_args(args: argparse.Namespace) -> dict:
    """gym.make keyword arguments: the ``--env-config`` file, overridden by explicit flags."""
    kwargs = load_env_config(args.env_config) if getattr(args, "env_config", None) else {}
    for name, value in vars(args).items():
        if name.startswith("env_") and name != "env_config" and value is not None:
            kwargs[name[len("env_"):]] = value
    return check_env_kwargs(kwargs)


def _lead_time(text: str):
    """``--lead-time``: an integer, or a JSON object (a lead-time distribution, checked by the env)."""
    if text.lstrip().startswith("{"):
        return _json_object(text)
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r} (a lead-time distribution is a JSON object)") from None


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object, got {text!r}")
    return value
