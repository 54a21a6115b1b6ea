"""Disguise-proof text normalisation."""
