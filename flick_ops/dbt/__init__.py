"""dbt plumbing, one of each: the runner (`runner`, with its child process `child`), the reader of its
artifacts (`artifacts`), the check that a selection matches something (`selection`) and the one rule for
what may leave the warehouse (`release_rule`), shared by publish, the lake export, share and run."""
