import sys

from cadre_lib.cli import main

sys.exit(main())
