"""Subcommands of the ``gym-inventory`` command that need torch (registered in ``gym_inventory.cli.SUBCOMMANDS``)."""
