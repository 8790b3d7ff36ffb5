"""The ways a delivery goes out (webhook, Slack, Teams, email), each judging its own outcome."""
