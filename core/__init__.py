"""Plumbing every package stands on."""
