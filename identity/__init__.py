"""The organisation: people, business units, teams, memberships, principals."""
