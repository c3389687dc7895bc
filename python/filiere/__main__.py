"""``python -m filiere`` runs the ``filiere`` command."""

import sys

from filiere.cli import main

if __name__ == "__main__":
    sys.exit(main())
