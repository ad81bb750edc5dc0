"""``python3 -m insession_exporter``: see :mod:`insession_exporter.cli`."""
import sys

from .cli import main

sys.exit(main())
