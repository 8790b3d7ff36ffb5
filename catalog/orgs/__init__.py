"""Salesforce orgs that services run on."""
