import sys
from cleaner.cli import main
sys.exit(main())
