"""Releases, seasonal Salesforce readiness and hot-fix deployments."""
