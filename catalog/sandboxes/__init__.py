"""Sandboxes and scratch orgs as Salesforce last reported them: snapshots the
`salesforce-sandboxes` job refreshes, related to the orgs registered in the catalog."""
