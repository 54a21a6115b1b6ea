"""Exact in-memory PDQ/MD5 indexes on numpy arrays (no store imports here)."""
