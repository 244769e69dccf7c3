"""Training code for gym-inventory: Stable-Baselines3 / sb3-contrib agents and the DS trainer.

This package needs torch; ``gym_inventory`` itself does not.
"""
