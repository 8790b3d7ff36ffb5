"""Services and their ownership roles."""
