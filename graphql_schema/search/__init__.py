"""Search across everything: `search(query, kinds, first, after)`."""
