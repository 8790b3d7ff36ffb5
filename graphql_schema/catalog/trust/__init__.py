"""What the Salesforce Trust status API says, as GraphQL sees it."""
