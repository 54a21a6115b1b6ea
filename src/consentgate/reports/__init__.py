"""Reports for regulators and people: transparency reports, read from the case tables in SQL."""
