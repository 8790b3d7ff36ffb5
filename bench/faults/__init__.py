"""The fault run: load while PostgreSQL restarts and the fake Salesforce misbehaves.

`python -m bench --only faults [--duration S]` (or `python -m bench.faults`) starts a
PostgreSQL cluster of its own, the API and a worker as real processes, a fake Salesforce
and a webhook receiver; runs the W4 read mix with feedback submissions, request
transitions and incident reports for the duration while the faults of `schedule.py`
happen; then checks the client's log against the database (`checks.py`) and writes
`bench/results/latest-faults.{md,json}`.
"""
