"""Rendering for teaching: a text line per epoch, or a matplotlib picture of the episode."""
from __future__ import annotations

import numpy as np


def ansi(simulator) -> str:
    """One line for the last epoch: day, order, demand, on-hand, backlog/lost, pipeline, cost."""
    epoch = simulator.epoch
    if epoch == 0:
        return f"day 0 | pipeline {np.round(simulator.pipeline[0], 2).tolist()} | inventory position {simulator.inventory_position[0]:.2f}"
    r = {name: values[0, epoch - 1] for name, values in simulator.records.items() if values.ndim == 2}
    p = simulator.params
    short = f"lost {r['lost']:.2f}" if p.lost_sales else f"backlog {r['backlog']:.2f}"
    return (
        f"day {(epoch - 1) * p.review_period:>4} | order {r['order']:8.2f} | demand {r['demand']:8.2f} | "
        f"on hand {r['on_hand']:8.2f} | {short} | position {r['inventory_position']:8.2f} | cost {r['cost']:8.2f}"
    )


def rgb_array(simulator) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 picture of on-hand, inventory position, demand and orders so far."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    epoch = simulator.epoch
    p = simulator.params
    days = np.arange(epoch) * p.review_period
    rec = {name: values[0, :epoch] for name, values in simulator.records.items() if values.ndim == 2}
    figure = Figure(figsize=(6, 3.5), dpi=80)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    if epoch:
        axes.step(days, rec["on_hand"] - rec["backlog"], where="post", label="net inventory")
        axes.step(days, rec["inventory_position"], where="post", label="inventory position")
        axes.bar(days, rec["order"], width=0.4 * p.review_period, alpha=0.5, label="order")
        axes.plot(days, rec["demand"], ".", label="demand (epoch)")
    axes.axhline(0.0, color="black", linewidth=0.5)
    axes.set_xlabel("day")
    axes.set_ylabel("units")
    axes.set_title(f"L={p.lead_time}, P={p.review_period}, {'lost sales' if p.lost_sales else 'backlog'}")
    if epoch:
        axes.legend(loc="upper right", fontsize="small")
    figure.tight_layout()
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
