import sys

from groundgame.cli import main

sys.exit(main())
