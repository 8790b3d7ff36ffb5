"""The work that arrives for services: requests, incidents and hot fixes, backlogs, releases."""
