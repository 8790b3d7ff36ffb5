"""What each source of events notifies: one module per source, each building `Notice`s
(notifications/outbox.py) from ids in one or a constant number of statements.

The keys name each occurrence once (the outbox writes a key to a destination once), and
`data` carries global ids, as the API names the same records.
"""
