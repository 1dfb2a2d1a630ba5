"""Benchmarks for the Flick tooling: `python -m benchmarks` (or `make bench`) runs them all.

Each benchmark is a module here with a `run() -> dict` function; the runner
starts every one in a fresh Python process so that its peak memory is its own.
"""
