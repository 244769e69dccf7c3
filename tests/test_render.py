"""Rendering: the frame's shape and what its pixels show, RecordVideo, and the "human" window."""
from __future__ import annotations

import warnings

import gymnasium as gym
import matplotlib
import matplotlib.image
import numpy as np
import pytest

from gym_inventory import render
from gym_inventory.remap import REGULARIZATIONS
from gym_inventory.render import COLORS, EnvRenderer, FramePainter
from gym_inventory.wrappers import regularize

KINDS = ["none", "base", "coeff", "both"]
MU = {"none": [1.0], "base": [3.5], "coeff": [0.0, 0.0, 1.0, 0.0, 0.0], "both": [0.0, 0.0, 3.5, 0.0, 0.0]}


def make(render_mode="rgb_array", kind=None, **kwargs):
    config = dict(demand_kwargs={"mean": 5.0}, horizon=20, normalize=False)
    config.update(kwargs)
    env = gym.make("InventoryLeadTime-v0", render_mode=render_mode, **config)
    return env if kind is None else regularize(env, kind)


def rgb(color) -> np.ndarray:
    return np.round(np.array(matplotlib.colors.to_rgb(color)) * 255).astype(int)


def pixel(env, x: float, y: float) -> tuple[int, int]:
    """(row, column) of the scene's point (x, y) in a frame of ``env`` (the scene spans 0..100 in x and y)."""
    painter = env.unwrapped.renderer.painter
    px, py = painter.scene.transData.transform((x, y))
    height = painter.size[1]
    return int(round(height - py)), int(round(px))


def count_near(region: np.ndarray, color, tolerance: int = 12) -> int:
    """Pixels of ``region`` (rows, cols, 3) within ``tolerance`` of ``color`` in every channel."""
    return int(np.all(np.abs(region.astype(int) - rgb(color)) <= tolerance, axis=-1).sum())


@pytest.mark.parametrize("kind", [None] + KINDS)
@pytest.mark.parametrize("size", [(480, 280), (960, 560)])
def test_frame_shape_for_the_bare_and_every_regularized_env(kind, size):
    env = make(kind=kind, render_size=size)
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (size[1], size[0], 3) and frame.dtype == np.uint8
    env.step(np.array(MU[kind] if kind else [5.0], dtype=np.float32))
    frame = env.render()
    assert frame.shape == (size[1], size[0], 3) and frame.dtype == np.uint8
    assert frame.min() < 50 and frame.max() == 255  # drawn: dark text on white
    env.close()


def slot_runs(env, frame) -> int:
    """Slots drawn on the conveyor: runs of the slots' face color along a row through the belt."""
    row, left = pixel(env, 12.0, 50.0)
    _, right = pixel(env, 56.0, 50.0)
    face = np.all(np.abs(frame[row, left:right + 1].astype(int) - rgb("0.95")) <= 3, axis=-1)
    starts = np.flatnonzero(np.diff(np.concatenate([[0], face.astype(int)])) == 1)
    ends = np.flatnonzero(np.diff(np.concatenate([face.astype(int), [0]])) == -1)
    return int(np.sum(ends - starts >= 3))


@pytest.mark.parametrize("lead_time", [0, 1, 2, 4, 7])
@pytest.mark.parametrize("lost_sales", [False, True])
def test_the_conveyor_has_one_slot_per_day_of_lead_time(lead_time, lost_sales):
    env = make(lead_time=lead_time, lost_sales=lost_sales)
    env.reset(seed=0, options={"initial_inventory": 0.0})  # nothing in transit: empty slots
    assert slot_runs(env, env.render()) == lead_time
    env.close()


def test_an_arriving_order_changes_the_stock_panel():
    # L = 2, no demand, nothing in stock: the order of day 0 arrives at the start of day 2.
    env = make(lead_time=2)
    env.reset(seed=0, options={"demand": np.zeros(20), "initial_inventory": 0.0})

    def stock_column(frame):
        top, left = pixel(env, 64.0, 85.0)
        bottom, right = pixel(env, 70.0, 49.0)
        return frame[top:bottom, left:right]

    env.step([10.0])  # day 0: ordered, in transit
    before = env.render()
    assert count_near(stock_column(before), COLORS["on_hand"]) == 0
    env.step([0.0])  # day 1: still in transit (the order's slot moved one closer)
    assert count_near(stock_column(env.render()), COLORS["on_hand"]) == 0
    env.step([0.0])  # day 2: arrived, 10 on hand
    after = env.render()
    assert env.unwrapped.pipeline[0] == 10.0
    assert count_near(stock_column(after), COLORS["on_hand"]) > 50
    assert env.unwrapped.renderer.arrivals[:3].tolist() == [0.0, 0.0, 10.0]
    env.close()


def test_backlog_shows_below_the_zero_line_in_red():
    env = make(lead_time=1)
    env.reset(seed=0, options={"demand": np.full(20, 4.0), "initial_inventory": 0.0})
    env.step([0.0])  # 4 units backlogged
    frame = env.render()
    top, left = pixel(env, 64.0, 47.0)
    bottom, right = pixel(env, 70.0, 10.0)
    assert count_near(frame[top:bottom, left:right], COLORS["short"]) > 20
    env.close()


@pytest.mark.parametrize("kind", KINDS)
def test_the_target_level_is_drawn_where_the_regularization_has_one(kind):
    env = make(kind=kind, lead_time=2)
    env.reset(seed=0)
    forecast_next_7 = env.unwrapped.features[2]
    env.step(np.array(MU[kind], dtype=np.float32))
    frame = env.render()
    levels = env.unwrapped.renderer.target_levels
    top, left = pixel(env, 79.0, 86.0)
    bottom, right = pixel(env, 85.0, 10.0)
    dark = count_near(frame[top:bottom, left:right], COLORS["target"], tolerance=40)
    if REGULARIZATIONS[kind].target_level:
        # base: mu x scale; both: 3.5 x forecast_next_7 (the first decision's features)
        expected = 3.5 * 5.0 if kind == "base" else 3.5 * forecast_next_7
        assert levels[0] == pytest.approx(expected)
        assert dark > 5
    else:
        assert np.isnan(levels[0])
        assert dark == 0
    assert env.unwrapped.renderer.target_kind == kind
    env.close()


def test_frames_follow_the_env_step_by_step_and_the_ansi_line():
    env = make(render_mode="ansi", lead_time=2)
    env.reset(seed=0)
    assert env.render().startswith("day 0 | pipeline")
    env.step([5.0])
    assert env.render().startswith("day    0 | order     5.00")
    env.close()


def test_record_video_writes_a_90_step_episode(tmp_path):
    pytest.importorskip("moviepy")
    from gymnasium.wrappers import RecordVideo

    env = RecordVideo(make(horizon=90, lead_time=2), str(tmp_path / "videos"), episode_trigger=lambda episode: True,
                      disable_logger=True)
    env.reset(seed=0)
    truncated = False
    while not truncated:
        _, _, _, truncated, _ = env.step([5.0])
    env.close()
    videos = list((tmp_path / "videos").glob("*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 1000


def test_human_mode_skips_cleanly_without_a_display(monkeypatch):
    monkeypatch.setattr(render.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert render.display_problem() == "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    env = make(render_mode="human")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env.reset(seed=0)
        for _ in range(3):
            env.step([5.0])
        assert env.render() is None
    told = [str(w.message) for w in caught if "opens no window" in str(w.message)]
    assert len(told) == 1 and "no display" in told[0] and "rgb_array" in told[0]  # once, with the way out
    env.close()


@pytest.mark.parametrize("backend", ["agg", "pdf", "module://matplotlib_inline.backend_inline"])
def test_human_mode_with_a_display_but_no_window_backend(monkeypatch, backend):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(matplotlib, "get_backend", lambda: backend)
    assert render.display_problem() == f"matplotlib's backend {backend!r} cannot open a window"


@pytest.mark.parametrize("backend", ["TkAgg", "QtAgg", "module://ipympl.backend_nbagg"])
def test_window_backends_are_recognized(monkeypatch, backend):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(matplotlib, "get_backend", lambda: backend)
    assert render.display_problem() is None


def test_human_mode_draws_on_every_step_and_close_closes_the_window(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(render, "display_problem", lambda: None)  # as if a window could open (Agg underneath)
    drawn = []
    monkeypatch.setattr(FramePainter, "draw", lambda self, simulator, *args: drawn.append(simulator.epoch))
    monkeypatch.setattr(plt, "pause", lambda interval: drawn.append(interval))
    env = make(render_mode="human")
    env.reset(seed=0)
    env.step([5.0])
    env.step([5.0])
    assert drawn == [0, 0.25, 1, 0.25, 2, 0.25]  # reset and each step, at metadata["render_fps"] = 4
    figure = env.unwrapped.renderer.painter.figure
    assert plt.fignum_exists(figure.number)
    env.close()
    assert not plt.fignum_exists(figure.number)


def test_human_mode_stops_drawing_once_its_user_closes_the_window(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(render, "display_problem", lambda: None)
    drawn = []
    monkeypatch.setattr(FramePainter, "draw", lambda self, simulator, *args: drawn.append(simulator.epoch))
    monkeypatch.setattr(plt, "pause", lambda interval: drawn.append(interval))
    env = make(render_mode="human")
    env.reset(seed=0)
    plt.close(env.unwrapped.renderer.painter.figure)  # the user closes the window
    env.step([5.0])
    env.step([5.0])
    assert drawn == [0, 0.25]  # the reset's frame only: no drawing, no pause afterwards
    env.close()


@pytest.mark.parametrize("size, error, match", [
    ((100, 50), ValueError, r"render_size must be at least \(240, 140\) pixels, got \(100, 50\)"),
    ((480.0, 280), TypeError, r"render_size must be two integers \(width, height\), got \(480.0, 280\)"),
    ("big", TypeError, r"render_size must be \(width, height\) in pixels, got 'big'"),
])
def test_bad_render_size(size, error, match):
    with pytest.raises(error, match=match):
        EnvRenderer("rgb_array", make().unwrapped.params, size)


def test_a_frame_needs_a_reset_first():
    env = make().unwrapped
    with pytest.raises(gym.error.ResetNeeded, match="call reset"):
        env.render()


@pytest.mark.skipif(render.display_problem() is not None, reason="needs a display with a window backend")
def test_human_mode_opens_a_real_window():
    import matplotlib.pyplot as plt

    env = make(render_mode="human", horizon=3)
    env.reset(seed=0)
    for _ in range(3):
        env.step([5.0])
    figure = env.unwrapped.renderer.painter.figure
    assert plt.fignum_exists(figure.number)
    env.close()
    assert not plt.fignum_exists(figure.number)


def test_a_pickled_or_copied_env_draws_the_same_frame():
    import copy
    import pickle

    env = make(lead_time=2)
    env.reset(seed=0)
    env.step([5.0])
    frame = env.render()
    for clone in (pickle.loads(pickle.dumps(env)), copy.deepcopy(env)):
        np.testing.assert_array_equal(clone.render(), frame)
        clone.step([5.0])
        assert clone.render().shape == frame.shape


def test_the_docs_picture_command_prints_what_the_docs_quote(tmp_path, capsys):
    import pathlib

    from gym_inventory.render.__main__ import main

    out = tmp_path / "frame.png"
    assert main(["--out", str(out)]) == 0
    line = capsys.readouterr().out.strip().replace(str(out), "docs/img/frame.png")
    root = pathlib.Path(__file__).resolve().parents[1]
    assert line.startswith("wrote docs/img/frame.png (480x280): base stock S* = 20")
    for doc in ("README.md", "docs/tutorial.md"):
        assert f"`{line}`" in (root / doc).read_text(encoding="utf-8"), doc
    drawn = matplotlib.image.imread(out)
    shipped = matplotlib.image.imread(root / "docs" / "img" / "frame.png")
    assert drawn.shape == shipped.shape and drawn.shape[:2] == (280, 480)
    # The same picture, up to antialiasing differences between matplotlib versions.
    differing = np.mean(np.any(np.abs(drawn - shipped) > 0.1, axis=-1))
    assert differing < 0.01, "docs/img/frame.png is stale: delete it and run python -m gym_inventory.render --out docs/img/frame.png"


@pytest.mark.parametrize("argv, message", [
    (["--size", "480"], "--size must be WIDTHxHEIGHT, such as 480x280, got '480'"),
    (["--days", "0"], "--days must be >= 1, got 0"),
    (["--lead-time", "-1"], "lead_time must be >= 0, got -1"),
])
def test_the_picture_command_rejects_bad_input_on_one_line(tmp_path, capsys, argv, message):
    from gym_inventory.render.__main__ import main

    assert main(["--out", str(tmp_path / "frame.png"), *argv]) == 2
    assert capsys.readouterr().err == f"python -m gym_inventory.render: error: {message}\n"
    assert not (tmp_path / "frame.png").exists()


def test_the_picture_command_never_overwrites(tmp_path, capsys):
    from gym_inventory.render.__main__ import main

    out = tmp_path / "frame.png"
    out.write_bytes(b"mine")
    assert main(["--out", str(out)]) == 2
    assert "exists; choose a new file (nothing is overwritten)" in capsys.readouterr().err
    assert out.read_bytes() == b"mine"
