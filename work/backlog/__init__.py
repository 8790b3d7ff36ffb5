"""Backlogs and backlog items (grown by the work-management capability)."""
