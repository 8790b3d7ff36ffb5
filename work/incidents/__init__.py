"""Incidents and their hot fixes: the detect-to-correct value stream."""
