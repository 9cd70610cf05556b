"""``python -m teichaku``: the same command line as the ``teichaku`` script."""

from teichaku.cli import main

raise SystemExit(main())
