"""Services, ownership, dependencies and the Salesforce orgs services run on."""
