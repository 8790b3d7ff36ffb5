"""The gateway to Salesforce orgs (tokens, threads, deadline, breaker, cache) and its fake."""
