"""Anomaly checks beyond freshness: what landed and what the build made, judged against the run history.

Modules: `measure` (what is measured, from the lake's files and the warehouse),
`baseline` (median and MAD bands, same weekday, minimum history), `config`
(deploy/anomalies.yml and the known-events seed), `checks` (findings, the run
history of observations, which models a finding holds back) and `gate` (the two
calls `flick-ops run` makes: before the build and after it).
"""
