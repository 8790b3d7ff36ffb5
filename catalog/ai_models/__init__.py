"""The AI-model register: models services use for decisions, and their evaluations."""
