"""What each CLI command does, apart from argument parsing (which stays in cli.py)."""
