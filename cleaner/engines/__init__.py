"""Engines run the pipeline's per-document work: `local` (processes on this machine) and `ray`.

An engine only maps a picklable function over documents in order; nothing else in the code knows
which engine runs it.
"""
