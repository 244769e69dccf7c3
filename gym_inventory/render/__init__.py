"""Pictures of the inventory env for teaching: a text line, a frame, a window.

:class:`EnvRenderer` is what ``InventoryEnv.render()`` calls for each ``render_mode``:

* ``"ansi"``: one line for the last epoch (:func:`ansi`);
* ``"rgb_array"``: an ``(height, width, 3)`` uint8 frame drawn by :class:`FramePainter`
  on one reused matplotlib figure (Agg, no window, no extra dependency);
* ``"human"``: the same frame in a matplotlib window, redrawn after every step and
  reset at ``metadata["render_fps"]``, closed by ``env.close()``. Where no display exists
  (no ``DISPLAY``/``WAYLAND_DISPLAY`` on Linux, or a non-interactive matplotlib backend
  such as Agg) it warns once and draws nothing: ``render()`` returns None. Once its
  user closes the window, the env runs on without pictures (and without pauses).

The frame, top to bottom: a title line (day, lead time, backlog or lost sales, costs);
the scene: the pipeline as a conveyor of L slots (one per day until arrival, labelled
with the day of arrival, the units in each; the order just placed enters at the far left
end, the day's arrival leaves at the right into stock), the stock (on hand up, backlog
down; units lost for lost sales), the inventory position with the regularization's
target level where it has one (Base, Both), and the day's demand and the running cost;
below, the history of the episode with its legend beside the chart, never on the data.
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np

from gym_inventory.render.frame import (  # noqa: F401  (the public names of the package)
    COLORS,
    DEFAULT_RENDER_SIZE,
    HISTORY_WINDOW_DAYS,
    FramePainter,
    agg_figure,
    check_render_size,
    frame_dpi,
)


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


def note_target_level(inventory_env, remapper, mu: np.ndarray) -> None:
    """Tell ``inventory_env``'s renderer the order-up-to level of the decision being made (Base, Both).

    The level is remap's order at zero inventory position (uncapped, not rounded), that
    is ``max(level, 0)``: the one remap function, not a second copy of its math.
    Other kinds have no level (only their name is noted, for the title); an env without a
    renderer ignores it.
    """
    renderer = getattr(inventory_env, "renderer", None)
    if renderer is None:
        return
    from gym_inventory.remap import REGULARIZATIONS, remap

    entry = REGULARIZATIONS[remapper.kind]
    if not entry.target_level:  # the registry entry says whether mu sets an order-up-to level
        renderer.note_target_level(inventory_env.simulator.epoch, math.nan, remapper.kind)
        return
    features = None if not entry.needs_features else np.reshape(inventory_env.features, (1, -1))
    level = remap(remapper.kind, mu, inventory_position=np.zeros(1), features=features,
                  scale=np.reshape(inventory_env.scale, (1,)), xp=np)
    renderer.note_target_level(inventory_env.simulator.epoch, float(level[0]), remapper.kind)


def display_problem() -> str | None:
    """Why no matplotlib window can open here (a sentence), or None when one can."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    import matplotlib

    backend = matplotlib.get_backend()
    if not _is_interactive_backend(backend):
        return f"matplotlib's backend {backend!r} cannot open a window"
    return None


def _is_interactive_backend(backend: str) -> bool:
    if backend.startswith("module://"):
        return "inline" not in backend  # Jupyter's inline backend draws pictures, not windows
    try:
        from matplotlib.backends import BackendFilter, backend_registry

        names = backend_registry.list_builtin(BackendFilter.INTERACTIVE)
    except ImportError:  # matplotlib < 3.9
        from matplotlib import rcsetup

        names = rcsetup.interactive_bk
    return backend.lower() in {name.lower() for name in names}


class EnvRenderer:
    """The env's rendering: the per-epoch notes a frame needs beyond the simulator's records, and the output.

    Args:
        render_mode: ``"ansi"``, ``"rgb_array"`` or ``"human"``.
        params: the env's :class:`~gym_inventory.params.InventoryParams`.
        render_size: ``(width, height)`` of frames and window, pixels.
        render_fps: frames per second of the ``"human"`` window.
    """

    def __init__(self, render_mode: str, params, render_size=DEFAULT_RENDER_SIZE, render_fps: float = 4):
        self.render_mode = render_mode
        self.params = params
        self.size = check_render_size(render_size)
        self.render_fps = render_fps
        self.arrivals = np.zeros(params.horizon)  # units arrived during each epoch
        self.target_levels = np.full(params.horizon, np.nan)  # the order-up-to level of each epoch's order
        self.target_kind = None
        self.painter = None
        self._window_problem = None

    def __getstate__(self):
        # A pickled or deep-copied env draws on a figure of its own (a figure's canvas does not travel).
        state = dict(self.__dict__)
        state["painter"] = None
        return state

    def reset(self) -> None:
        self.arrivals[:] = 0.0
        self.target_levels[:] = np.nan

    def note_step(self, in_transit_before: float, order: float, simulator) -> None:
        """Record the epoch just simulated: units arrived, by conservation of the units in transit."""
        in_transit_after = float(simulator.pipeline[0, 1:].sum())
        self.arrivals[simulator.epoch - 1] = max(in_transit_before + order - in_transit_after, 0.0)

    def note_target_level(self, epoch: int, level: float, kind: str) -> None:
        if epoch < self.params.horizon:
            self.target_levels[epoch] = level
            self.target_kind = kind

    def render(self, simulator):
        """The mode's output: a str (ansi), a frame (rgb_array), or None after drawing the window (human)."""
        if self.render_mode == "ansi":
            return ansi(simulator)
        if getattr(simulator, "scale", None) is None:
            import gymnasium as gym

            raise gym.error.ResetNeeded("call reset() before render(): a frame needs an episode")
        if self.render_mode == "rgb_array":
            if self.painter is None:
                self.painter = FramePainter(agg_figure(), self.params, self.size)
            self.painter.draw(simulator, self.arrivals, self.target_levels, self.target_kind)
            return self.painter.rgb()
        return self._show_window(simulator)

    def _show_window(self, simulator) -> None:
        if self._window_problem is not None:
            return None
        if self.painter is None:
            problem = display_problem()
            if problem is not None:
                self._window_problem = problem
                import gymnasium as gym

                gym.logger.warn(f"render_mode='human' opens no window: {problem}. Frames are skipped; "
                                "use render_mode='rgb_array' for pictures (for example with RecordVideo)")
                return None
            import matplotlib.pyplot as plt

            width, height = self.size
            dpi = frame_dpi(self.size)
            figure = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
            figure.canvas.manager.set_window_title("InventoryLeadTime-v0")
            self.painter = FramePainter(figure, self.params, self.size)
        import matplotlib.pyplot as plt

        if not plt.fignum_exists(self.painter.figure.number):
            self._window_problem = "the window was closed"  # by its user: the env runs on without pictures or pauses
            return None
        self.painter.draw(simulator, self.arrivals, self.target_levels, self.target_kind)
        plt.pause(1.0 / self.render_fps)  # shows the window and runs its event loop for one frame's time
        return None

    def close(self) -> None:
        if self.painter is not None and self.render_mode == "human":
            import matplotlib.pyplot as plt

            plt.close(self.painter.figure)
        self.painter = None
