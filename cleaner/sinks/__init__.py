"""Sinks: where records go. Everything is written to a temporary file and renamed into place."""
