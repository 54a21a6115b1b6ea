"""Versioned multilingual word lists for prompt screening, and the matcher that reads them."""
