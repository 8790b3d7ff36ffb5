"""What Salesforce's Trust status API says about the instances our orgs run on: vendor
incidents and maintenances (the seasonal releases among them), synced by a job."""
