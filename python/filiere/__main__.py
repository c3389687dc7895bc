"""``python -m filiere`` runs the ``filiere`` command."""

import sys

from filiere.cli import main

sys.exit(main())
