"""Engines run a pipeline's work over a corpus: `local` (processes on this machine) and `ray`.

Both get the run's options, built steps and stats from `cleaner.pipeline.Pipeline.run` and never
import the pipeline. What a process does in a phase is the same for both (`phase`: set up the
phase's steps, turn an item into a spool entry); the local engine's pool and ordering are `local`
and `run`, the Ray engine's driver, tasks and set-up are `ray_engine`, `ray_tasks`, `ray_io` and
`ray_setup`. The stats of both are summed document by document by `cleaner.stats.Stats`.
"""
