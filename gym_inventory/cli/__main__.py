import sys

from gym_inventory.cli import main

sys.exit(main())
