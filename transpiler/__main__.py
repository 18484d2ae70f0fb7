"""``python -m transpiler`` runs the jinja2tsx command line."""

import sys

from .cli import main

sys.exit(main())
