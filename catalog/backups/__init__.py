"""Backups and restore drills of Salesforce orgs, and the data-loss readiness they prove."""
