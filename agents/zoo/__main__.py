"""``python -m agents.zoo ALGO``: print the path of the shipped rl-zoo3 hyperparameter file of ALGO."""
import sys

from agents.zoo import ZOO_ALGORITHMS, conf_file

if len(sys.argv) != 2 or sys.argv[1] not in ZOO_ALGORITHMS:
    print(f"usage: python -m agents.zoo ALGO   (ALGO one of {', '.join(ZOO_ALGORITHMS)})", file=sys.stderr)
    sys.exit(2)
print(conf_file(sys.argv[1]))
