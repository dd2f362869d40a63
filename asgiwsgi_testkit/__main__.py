"""`python -m asgiwsgi_testkit MODULE:APP [METHOD] PATH`: see _cli."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
