"""Stable-Baselines3 / sb3-contrib agents for gym-inventory."""
