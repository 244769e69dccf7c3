"""``python -m gym_inventory.render --out frame.png``: a frame of an episode run by the optimal base stock.

The picture in the docs comes from this command. The env is ``InventoryLeadTime-v0``
with Poisson demand, regularized by Base with mu = S*/scale (S* the backlog problem's
optimal base-stock level), so the frame shows the target level; the frame is taken
after ``--days`` days. An existing file is never overwritten.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

PROG = "python -m gym_inventory.render"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit code 2
        self.exit(2, f"{PROG}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="PNG file to write (must not exist)")
    parser.add_argument("--lead-time", type=int, default=2, help="L, days (default 2)")
    parser.add_argument("--lost-sales", action="store_true", help="lose unmet demand instead of backlogging it")
    parser.add_argument("--mean", type=float, default=5.0, help="mean daily demand, Poisson (default 5)")
    parser.add_argument("--days", type=int, default=30, help="days simulated before the frame (default 30)")
    parser.add_argument("--size", default="480x280", help="WIDTHxHEIGHT in pixels (default 480x280)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the demand path (default 0)")
    return parser


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT, such as 480x280, got {text!r}") from None
    return width, height


def write_frame(out, *, lead_time=2, lost_sales=False, mean=5.0, days=30, size=(480, 280), seed=0) -> dict:
    """Run the episode, write the frame to ``out`` (a new PNG file); returns what the frame shows."""
    import gymnasium as gym
    import matplotlib.image

    import gym_inventory  # noqa: F401  (registers the env)
    from gym_inventory.optimal import optimal_base_stock_for
    from gym_inventory.wrappers import regularize

    path = pathlib.Path(out)
    if path.suffix.lower() != ".png":
        raise ValueError(f"--out must name a .png file, got {str(out)!r}")
    if path.exists():
        raise ValueError(f"--out {str(out)!r} exists; choose a new file (nothing is overwritten)")
    if not path.parent.is_dir():
        raise ValueError(f"--out {str(out)!r}: folder {str(path.parent)!r} does not exist")
    if days < 1:
        raise ValueError(f"--days must be >= 1, got {days}")
    config = dict(lead_time=lead_time, lost_sales=lost_sales, demand="poisson", demand_kwargs={"mean": mean},
                  horizon=days, normalize=False)
    level = optimal_base_stock_for(dict(config, lost_sales=False)).level
    env = regularize(gym.make("InventoryLeadTime-v0", render_mode="rgb_array", render_size=size, **config), "base")
    env.reset(seed=seed)
    mu = [level / env.unwrapped.scale]
    total = 0.0
    for _ in range(days):
        _, _, _, _, info = env.step(mu)
        total += info["cost"]
    frame = env.render()
    env.close()
    matplotlib.image.imsave(path, frame)
    return {"level": level, "cost_per_day": total / days, "shape": frame.shape}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        shown = write_frame(args.out, lead_time=args.lead_time, lost_sales=args.lost_sales, mean=args.mean,
                            days=args.days, size=_size(args.size), seed=args.seed)
    except (ValueError, TypeError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    height, width, _ = shown["shape"]
    print(f"wrote {args.out} ({width}x{height}): base stock S* = {shown['level']:g}, "
          f"cost per day over {args.days} days {shown['cost_per_day']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
