"""Benchmarks: scripts run as ``python -m benchmarks.NAME``; they print ratios against a reference measured in the same run."""
