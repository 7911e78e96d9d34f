"""`python -m cleaner.report CORPUS.jsonl -o REPORT.html`: the report without the full CLI."""
import sys

from cleaner.report import main

sys.exit(main())
