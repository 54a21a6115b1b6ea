"""Bank list formats: plain PDQ/MD5 hex lists, CSV with a header, ThreatExchange (pytx) files.

Parsing is all-or-nothing: every bad line is reported with its number, and a file
with any bad line adds nothing.
"""

from consentgate.banks.formats.base import EntryDefaults, Format, ImportFailed, ParsedLine
from consentgate.banks.formats.registry import detect_format, parse, render

__all__ = [
    "EntryDefaults",
    "Format",
    "ImportFailed",
    "ParsedLine",
    "detect_format",
    "parse",
    "render",
]
