"""Writing new files atomically, never replacing one.

A command that writes a result file (``make-data --out``, ``evaluate --per-sku-out``)
writes a temporary file beside it, then publishes it with a hard link, which fails
when the path exists: a crash (even ``kill -9``) never leaves half a file under the
path, and a file that appeared meanwhile is never replaced. Files rewritten by their
owner (run.json, checkpoints) use a temporary file and ``os.replace`` instead
(:func:`agents.runs.write_json`).
"""
from __future__ import annotations

import os


def temporary_path(path: str) -> str:
    """The temporary file :func:`publish` moves to ``path`` (beside it: same file system)."""
    folder, name = os.path.split(os.fspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}.partial")


def publish(temporary: str, path: str) -> None:
    """Give the finished ``temporary`` file the name ``path``; ``ValueError`` (``temporary`` removed) if ``path`` exists."""
    try:
        os.link(temporary, path)
    except OSError as error:
        if isinstance(error, FileExistsError) or os.path.lexists(path):
            os.remove(temporary)
            raise ValueError(f"out file {path!r} appeared while it was written; choose a new path (nothing is "
                             f"overwritten)") from None
        os.replace(temporary, path)  # a file system without hard links: a rename after the check
        return
    os.remove(temporary)
