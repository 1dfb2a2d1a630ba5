"""Streaming landing: playback events from Event Hubs (or a local replay) into Bronze, in checkpointed micro-batches."""
