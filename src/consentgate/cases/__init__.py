"""Casework: cases as append-only event logs, deadlines, decisions and appeals.

Enforcement reads decision records; detection never imports this package.
"""
