"""Event Monitoring: adoption per service and access to its sensitive data, from EventLogFile."""
