import sys

from blue_tui.cli import main

sys.exit(main())
