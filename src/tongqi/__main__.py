import sys

from tongqi.cli import main

sys.exit(main())
