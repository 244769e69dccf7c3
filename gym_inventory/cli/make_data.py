"""``gym-inventory make-data``: write a synthetic e-commerce panel, or convert the M5 files, to the panel schema."""
from __future__ import annotations

import os
import time

from gym_inventory.cli.errors import UsageError
from gym_inventory.cli.common import add_json_argument, json_text

HELP = "write a synthetic e-commerce SKU-day panel (or convert M5 files) in the panel schema"

#: File names looked for in --m5 DIR, in order of preference.
M5_SALES = ("sales_train_evaluation.csv", "sales_train_validation.csv")


def add_arguments(parser):
    parser.add_argument("--out", required=True, metavar="FILE", help="new .parquet or .csv file (never overwritten)")
    parser.add_argument("--skus", type=int, metavar="N", help="series to generate (SKU-warehouse pairs)")
    parser.add_argument("--days", type=int, metavar="D", help="days of the panel")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument("--start", default="2023-01-01", metavar="DATE", help="first date, YYYY-MM-DD (default 2023-01-01)")
    parser.add_argument("--new-fraction", type=float, default=0.1, metavar="F", help="share of SKUs launched during the panel")
    parser.add_argument("--discontinued-fraction", type=float, default=0.1, metavar="F",
                        help="share of SKUs discontinued during the panel")
    parser.add_argument("--m5", metavar="DIR", help="convert the M5 files in DIR instead of generating "
                        f"({' or '.join(M5_SALES)}, calendar.csv, optional sell_prices.csv)")
    add_json_argument(parser)


def run(args) -> int:
    if os.path.exists(args.out):
        raise UsageError(f"--out {args.out!r} already exists; choose a new file (nothing is overwritten)")
    started = time.perf_counter()
    if args.m5 is not None:
        if args.skus is not None or args.days is not None:
            raise UsageError("--m5 converts existing data: leave out --skus and --days")
        summary = _convert_m5(args.m5, args.out)
    else:
        if args.skus is None or args.days is None:
            raise UsageError("give --skus N and --days D (or --m5 DIR)")
        if args.skus < 1 or args.days < 1:
            raise UsageError(f"--skus and --days must be >= 1, got --skus {args.skus} --days {args.days}")
        from gym_inventory.data import write_panel

        summary = write_panel(
            args.out, args.skus, args.days, seed=args.seed, start=args.start, new_fraction=args.new_fraction,
            discontinued_fraction=args.discontinued_fraction, progress=not args.json,
        )
    summary["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json_text(summary))
    else:
        print(f"wrote {summary['rows']} rows of {summary['series']} series to {summary['path']} in {summary['seconds']} s")
    return 0


def _convert_m5(directory: str, out: str) -> dict:
    from gym_inventory.data import m5_to_panel

    if not os.path.isdir(directory):
        raise UsageError(f"--m5 {directory!r} is not a directory")
    sales = next((os.path.join(directory, name) for name in M5_SALES if os.path.isfile(os.path.join(directory, name))), None)
    if sales is None:
        raise UsageError(f"--m5 {directory!r} holds neither {' nor '.join(M5_SALES)}")
    prices = os.path.join(directory, "sell_prices.csv")
    frame = m5_to_panel(sales, os.path.join(directory, "calendar.csv"), prices if os.path.isfile(prices) else None)
    lower = out.lower()
    if lower.endswith((".parquet", ".pq")):
        with open(out, "xb") as handle:
            frame.to_parquet(handle, index=False)
    elif lower.endswith(".csv"):
        with open(out, "x") as handle:
            frame.to_csv(handle, index=False, date_format="%Y-%m-%d")
    else:
        raise UsageError(f"--out {out!r} must end in .parquet, .pq or .csv")
    series = len(frame[["sku_id", "location_id"]].drop_duplicates())
    return {"path": out, "series": series, "rows": len(frame)}
