"""Services, ownership, Salesforce orgs and the work that arrives for them."""
