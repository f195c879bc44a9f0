"""`python -m onceonly` is the `onceonly` command."""

import sys

from onceonly.cli import main

sys.exit(main())
