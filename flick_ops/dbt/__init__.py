"""dbt's artifacts and what they allow: the one reader of a build's manifest and results, and the one rule
for what may leave the warehouse (`release_rule`), shared by publish, the lake export, share and run."""
