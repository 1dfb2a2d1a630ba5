"""The lake: landing contract and paths shared by the generator and dbt sources."""
