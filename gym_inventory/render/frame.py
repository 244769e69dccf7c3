"""The frame: :class:`FramePainter` draws the env's state on one reused matplotlib figure.

See :mod:`gym_inventory.render` for what the frame shows. Only matplotlib's object API
(``Figure``, artists, the Agg canvas) is used, so drawing a frame opens no window and
needs no display; the ``"human"`` window hands the painter a pyplot figure instead.
"""
from __future__ import annotations

import math

import numpy as np

#: The frame's default ``(width, height)`` in pixels; ``render_size`` changes it (the layout scales).
DEFAULT_RENDER_SIZE = (480, 280)
#: Days of history the chart shows at most (a longer episode scrolls).
HISTORY_WINDOW_DAYS = 120

COLORS = {
    "on_hand": "tab:blue",
    "short": "tab:red",
    "in_transit": "tab:orange",
    "order": "tab:green",
    "demand": "tab:purple",
    "position": "0.45",
    "target": "black",
}


def check_render_size(render_size) -> tuple[int, int]:
    """``render_size`` as ``(width, height)`` ints of at least ``(240, 140)`` pixels, else ``ValueError``/``TypeError``."""
    try:
        width, height = render_size
    except (TypeError, ValueError):
        raise TypeError(f"render_size must be (width, height) in pixels, got {render_size!r}") from None
    for value in (width, height):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"render_size must be two integers (width, height), got {render_size!r}")
    if width < 240 or height < 140:
        raise ValueError(f"render_size must be at least (240, 140) pixels, got {render_size!r}")
    return int(width), int(height)


def frame_dpi(size: tuple[int, int]) -> float:
    """Dots per inch that make the layout of 480x280 scale with the frame (twice the size, twice the fonts)."""
    width, height = size
    return 100.0 * min(width / DEFAULT_RENDER_SIZE[0], height / DEFAULT_RENDER_SIZE[1])


def agg_figure():
    """A matplotlib ``Figure`` on an Agg canvas: pictures in memory, no window, no pyplot state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    FigureCanvasAgg(figure)
    return figure


class FramePainter:
    """Draws frames of one env on one matplotlib ``figure``, reusing its artists from frame to frame.

    Args:
        figure: a matplotlib figure (an Agg one for frames, a pyplot one for a window).
        params: the env's :class:`~gym_inventory.params.InventoryParams`.
        size: ``(width, height)`` in pixels.
    """

    #: Scene units from the zero line to the top (bottom) of the stock and position columns.
    COLUMN_HALF = 38.0

    def __init__(self, figure, params, size=DEFAULT_RENDER_SIZE):
        from matplotlib.collections import LineCollection
        from matplotlib.patches import FancyArrowPatch, Rectangle

        self.figure = figure
        self.params = params
        self.size = check_render_size(size)
        width, height = self.size
        dpi = frame_dpi(self.size)
        # A hair over the exact size: Agg truncates the product of inches and dpi to whole pixels.
        figure.set_dpi(dpi)
        figure.set_size_inches((width + 1e-3) / dpi, (height + 1e-3) / dpi)
        p = params
        self.fontsize = 7.0
        small = 6.0

        self.title = figure.text(0.01, 0.985, "", ha="left", va="top", fontsize=self.fontsize, fontweight="bold")

        # The scene: data coordinates 0..100 in x and y.
        scene = figure.add_axes((0.0, 0.50, 1.0, 0.43))
        scene.set_xlim(0, 100)
        scene.set_ylim(0, 100)
        scene.set_axis_off()
        self.scene = scene
        self.slot_capacity = 3.0 * p.review_period  # scale units that fill a slot (about 3 epochs' demand)
        self.stock_capacity = 2.0 * (p.lead_time + p.review_period)  # scale units of the stock column's half height

        # Conveyor: L slots from x = 12 (the far end, the latest arrival) to x = 56 (arrives next).
        belt_left, belt_right, belt_bottom, belt_top = 12.0, 56.0, 28.0, 78.0
        self.belt = (belt_left, belt_right, belt_bottom, belt_top)
        n_slots = p.lead_time
        self.slot_fills, self.slot_texts, self.slot_days, self.slot_frames = [], [], [], []
        if n_slots:
            slot_width = (belt_right - belt_left) / n_slots
            for index in range(n_slots):
                left = belt_left + index * slot_width
                frame = Rectangle((left + 0.6, belt_bottom), slot_width - 1.2, belt_top - belt_bottom,
                                  facecolor="0.95", edgecolor="0.35", linewidth=0.8)
                fill = Rectangle((left + 1.4, belt_bottom), slot_width - 2.8, 0.0, facecolor=COLORS["in_transit"],
                                 edgecolor="none")
                scene.add_patch(frame)
                scene.add_patch(fill)
                self.slot_frames.append(frame)
                self.slot_fills.append(fill)
                self.slot_texts.append(scene.text(left + slot_width / 2, belt_top - 2, "", ha="center", va="top",
                                                  fontsize=small if n_slots > 5 else self.fontsize))
                self.slot_days.append(scene.text(left + slot_width / 2, belt_bottom - 2, "", ha="center", va="top",
                                                 fontsize=small, color="0.3"))
            scene.text((belt_left + belt_right) / 2, 96, f"in transit: {n_slots} day{'s' if n_slots > 1 else ''} "
                       "until arrival (arrival day below)", ha="center", va="top", fontsize=small)
            # the rollers under the belt
            scene.plot([belt_left, belt_right], [belt_bottom - 0.5, belt_bottom - 0.5], color="0.2", linewidth=1.5)
        else:
            scene.text((belt_left + belt_right) / 2, (belt_bottom + belt_top) / 2,
                       "L = 0: an order arrives\nthe day it is placed", ha="center", va="center", fontsize=self.fontsize,
                       color="0.3")
        self.order_text = scene.text(0.5, 62, "", ha="left", va="bottom", fontsize=self.fontsize, color=COLORS["order"])
        order_end = belt_left + 1.5 if n_slots else belt_right
        self.order_arrow = FancyArrowPatch((1.0, 53), (order_end, 53), arrowstyle="-|>", mutation_scale=8,
                                           color=COLORS["order"], linewidth=1.2)
        scene.add_patch(self.order_arrow)
        self.arrival_arrow = FancyArrowPatch((belt_right + 0.5, 53), (62.5, 53), arrowstyle="-|>", mutation_scale=8,
                                             color=COLORS["in_transit"], linewidth=1.2)
        scene.add_patch(self.arrival_arrow)
        self.arrival_text = scene.text(59.5, 62, "", ha="center", va="bottom", fontsize=self.fontsize,
                                       color="tab:brown")

        # Stock column: zero at y = 48, +-stock_capacity scale units over +-COLUMN_HALF y units.
        self.stock_zero = 48.0
        top, bottom = self.stock_zero + self.COLUMN_HALF, self.stock_zero - self.COLUMN_HALF
        scene.add_patch(Rectangle((63, bottom), 8, top - bottom, facecolor="none", edgecolor="0.35", linewidth=0.8))
        scene.plot([62, 72], [self.stock_zero, self.stock_zero], color="black", linewidth=0.8)
        self.stock_bar = Rectangle((64, self.stock_zero), 6, 0.0, facecolor=COLORS["on_hand"], edgecolor="none")
        scene.add_patch(self.stock_bar)
        self.stock_text = scene.text(67, 99, "", ha="center", va="top", fontsize=self.fontsize)
        self.short_text = scene.text(67, bottom - 2, "", ha="center", va="top", fontsize=self.fontsize,
                                     color=COLORS["short"])

        # Inventory position column, with the target level.
        scene.add_patch(Rectangle((80, bottom), 4, top - bottom, facecolor="none", edgecolor="0.6", linewidth=0.6))
        self.position_bar = Rectangle((80.5, self.stock_zero), 3, 0.0, facecolor=COLORS["position"], edgecolor="none")
        scene.add_patch(self.position_bar)
        (self.target_mark,) = scene.plot([], [], color=COLORS["target"], linestyle="--", linewidth=1.4)
        self.position_text = scene.text(82, bottom - 2, "", ha="center", va="top", fontsize=small, color="0.3")

        # Demand and cost.
        self.demand_arrow = FancyArrowPatch((71.5, 22), (79, 22), arrowstyle="-|>", mutation_scale=8,
                                            color=COLORS["demand"], linewidth=1.2)
        scene.add_patch(self.demand_arrow)
        self.demand_text = scene.text(75.5, 25, "", ha="center", va="bottom", fontsize=self.fontsize, color=COLORS["demand"])
        self.cost_text = scene.text(85.5, 92, "", ha="left", va="top", fontsize=6.5, linespacing=1.25)

        # History chart, legend to its right.
        history = figure.add_axes((0.085, 0.10, 0.67, 0.36))
        history.tick_params(labelsize=small, length=2, pad=1)
        history.set_xlabel("day", fontsize=small, labelpad=1)
        history.set_ylabel("units", fontsize=small, labelpad=1)
        history.axhline(0.0, color="black", linewidth=0.5)
        (self.net_line,) = history.step([], [], where="post", color=COLORS["on_hand"], linewidth=1.0,
                                        label="net inventory", zorder=3)
        (self.position_line,) = history.step([], [], where="post", color=COLORS["position"], linewidth=1.0,
                                             label="position (end of day)")
        (self.target_line,) = history.step([], [], where="post", color=COLORS["target"], linestyle="--",
                                           linewidth=0.9, label="target level")
        (self.demand_dots,) = history.plot([], [], ".", color=COLORS["demand"], markersize=3, label="demand")
        self.order_lines = LineCollection([], colors=COLORS["order"], linewidths=1.2, label="order")
        history.add_collection(self.order_lines)
        self.history = history
        self.legend_handles = [self.net_line, self.position_line, self.target_line, self.demand_dots, self.order_lines]
        self.legend = None

    # ------------------------------------------------------------------ drawing
    def draw(self, simulator, arrivals: np.ndarray, target_levels: np.ndarray, target_kind: str | None = None) -> None:
        """Update every artist to ``simulator``'s state (after ``simulator.epoch`` epochs) and redraw."""
        p = self.params
        epoch = simulator.epoch
        scale = float(simulator.scale[0])
        records = {name: values[0, :epoch] for name, values in simulator.records.items()}
        pipeline = simulator.pipeline[0]
        day = epoch * p.review_period  # the next decision's day
        has_target = bool(np.any(np.isfinite(target_levels[:epoch + 1])))

        kind = "lost sales" if p.lost_sales else "backlog"
        self.title.set_text(f"day {day} of {p.horizon * p.review_period}  |  lead time L={p.lead_time}"
                            f"{'' if p.review_period == 1 else f', orders every P={p.review_period} days'}  |  "
                            f"{kind}  |  h={p.holding_cost:g}, p={p.penalty_cost:g}"
                            + (f"  |  reg. {target_kind}" if target_kind else ""))
        # A long title (review period, regularization) shrinks to the frame's width.
        self.title.set_fontsize(self.fontsize if len(self.title.get_text()) <= 72 else self.fontsize * 72 / len(self.title.get_text()))

        # Conveyor.
        slot_height = self.belt[3] - self.belt[2] - 9.0
        newest = p.lead_time - p.review_period  # slot of the order just placed, if it has not arrived yet
        for index, (fill, text, day_text, frame) in enumerate(zip(self.slot_fills, self.slot_texts, self.slot_days,
                                                                  self.slot_frames)):
            k = p.lead_time - 1 - index  # slots drawn from the far end (arrives last) to the near end
            units = float(pipeline[k + 1])
            fill.set_height(slot_height * min(units / (self.slot_capacity * scale), 1.0))
            text.set_text(_units(units))
            day_text.set_text(f"d{day + k}")
            just_ordered = epoch > 0 and k == newest
            frame.set_edgecolor(COLORS["order"] if just_ordered else "0.35")
            frame.set_linewidth(1.6 if just_ordered else 0.8)
        if epoch:
            order = float(records["order"][-1])
            self.order_text.set_text(f"order {_units(order)}\n(day {day - p.review_period})")
            self.arrival_text.set_text(f"+{_units(float(arrivals[epoch - 1]))}")
        else:
            self.order_text.set_text("order ?")
            self.arrival_text.set_text("")
        self.order_arrow.set_visible(True)

        # Stock.
        net = float(pipeline[0])
        self.stock_bar.set_height(self._column_height(net, scale))
        self.stock_bar.set_facecolor(COLORS["on_hand"] if net >= 0 else COLORS["short"])
        on_hand = max(net, 0.0)
        self.stock_text.set_text(f"on hand {_units(on_hand)}")
        if p.lost_sales:
            lost = float(records["lost"][-1]) if epoch else 0.0
            self.short_text.set_text(f"lost {_units(lost)}")
        else:
            self.short_text.set_text(f"backlog {_units(max(-net, 0.0))}")

        # Inventory position and target.
        position = float(pipeline.sum())
        self.position_text.set_text(f"tot(I) {_units(position)}")
        self.position_bar.set_height(self._column_height(position, scale))
        level = target_levels[epoch - 1] if epoch else target_levels[0]
        if np.isfinite(level):
            y = self.stock_zero + self._column_height(level, scale)
            self.target_mark.set_data([79, 85], [y, y])
        else:
            self.target_mark.set_data([], [])

        # Demand and cost.
        if epoch:
            demand = float(records["demand"][-1])
            cost = records["cost"]
            total = float(cost.sum())
            self.demand_text.set_text(f"demand\n{_units(demand)}")
            self.cost_text.set_text(f"cost\ntoday {_money(float(cost[-1]))}\ntotal {_money(total)}\n"
                                    f"per day {_money(total / (epoch * p.review_period))}")
        else:
            self.demand_text.set_text("demand\n?")
            self.cost_text.set_text("cost\ntotal 0")

        now = np.array([0.0, net, position, level if np.isfinite(level) else 0.0])  # the y range holds zero and the state now
        self._draw_history(records, target_levels[:epoch], epoch, has_target, now)
        self.figure.canvas.draw()

    def _column_height(self, units: float, scale: float) -> float:
        """Height in scene units of a column of ``units`` (+-COLUMN_HALF for +-``stock_capacity`` scale units; clipped)."""
        return self.COLUMN_HALF * max(min(units / (self.stock_capacity * scale), 1.0), -1.0)

    def _draw_history(self, records: dict, target_levels: np.ndarray, epoch: int, has_target: bool,
                      now: np.ndarray) -> None:
        p = self.params
        days = np.arange(epoch) * p.review_period
        net = records["on_hand"] - records["backlog"]
        self.net_line.set_data(days, net)
        self.position_line.set_data(days, records["inventory_position"])
        self.target_line.set_data(days, target_levels)
        self.demand_dots.set_data(days, records["demand"])
        self.order_lines.set_segments([[(d, 0.0), (d, q)] for d, q in zip(days, records["order"])])
        episode_days = p.horizon * p.review_period
        last = epoch * p.review_period
        if episode_days <= HISTORY_WINDOW_DAYS:
            left, right = 0, episode_days
        else:
            right = max(last, HISTORY_WINDOW_DAYS)
            left = right - HISTORY_WINDOW_DAYS
        self.history.set_xlim(left - 0.5, right + 0.5)
        shown = days >= left
        values = [net[shown], records["inventory_position"][shown], records["demand"][shown], records["order"][shown],
                  target_levels[shown][np.isfinite(target_levels[shown])], now]
        low = min(float(v.min()) for v in values if v.size)
        high = max(float(v.max()) for v in values if v.size)
        span = max(high - low, 1.0)
        self.history.set_ylim(low - 0.08 * span, high + 0.08 * span)
        handles = [h for h in self.legend_handles if h is not self.target_line or has_target]
        if self.legend is None or len(self.legend.legend_handles) != len(handles):
            if self.legend is not None:
                self.legend.remove()
            # Outside the axes, to their right: a legend never covers the data.
            self.legend = self.history.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.02),
                                              fontsize=6.0, frameon=False, borderaxespad=0.0, handlelength=1.5)

    def rgb(self) -> np.ndarray:
        """The last drawn frame, ``(height, width, 3)`` uint8."""
        buffer = np.asarray(self.figure.canvas.buffer_rgba())
        width, height = self.size
        return np.ascontiguousarray(buffer[:height, :width, :3])


def _money(value: float) -> str:
    """Money with as many decimals as fit the cost panel: 2 below 100, 1 below 1000, then none."""
    if abs(value) < 100:
        return f"{value:.2f}"
    return f"{value:.1f}" if abs(value) < 1000 else f"{value:.0f}"


def _units(value: float) -> str:
    """Units as a short label: whole numbers without decimals."""
    if math.isclose(value, round(value), abs_tol=1e-9):
        return f"{int(round(value))}"
    return f"{value:.1f}"
