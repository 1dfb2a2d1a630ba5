"""Flick warehouse operations: generate the lake, run, publish and share the warehouse."""

__version__ = "0.1.0"
