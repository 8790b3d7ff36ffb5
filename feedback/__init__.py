"""Continuous improvement: feedback, votes, the priority score, and the REST submission door."""
