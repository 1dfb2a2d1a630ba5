"""Offline compilation for Synapse and Databricks, and the dialect checks on what it sends."""
