"""ConsentGate: a safety gateway against non-consensual intimate imagery and CSAM.

The stable Python surface is ``__all__``: ``Gate`` (see ``docs/python.md``), the
request and decision records, and the error types. Names load on first use
(module ``__getattr__``), so ``import consentgate`` stays fast for the CLI and
for code that only needs the records; ``from consentgate import Gate`` loads the
engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from consentgate.detectors.lookup import BankHit
    from consentgate.errors import (
        BadInput,
        ConfigError,
        ConsentGateError,
        DetectorUnavailable,
        NotReady,
        StoreUnavailable,
        TooLarge,
        UnsupportedMedia,
    )
    from consentgate.gate import Gate
    from consentgate.images.given import ImageLike
    from consentgate.records import (
        Decision,
        DetectorFailure,
        DetectorFailureKind,
        DetectorTiming,
        Evidence,
        Label,
        Mode,
        Reason,
        ScreenRequest,
        Signal,
        Subject,
        Target,
        Verdict,
    )
    from consentgate.settings import Settings

    __version__: str

_HOMES = {
    "Gate": "consentgate.gate",
    "ImageLike": "consentgate.images.given",
    "Settings": "consentgate.settings",
    "BankHit": "consentgate.detectors.lookup",
    **dict.fromkeys(
        (
            "Decision",
            "DetectorFailure",
            "DetectorFailureKind",
            "DetectorTiming",
            "Evidence",
            "Label",
            "Mode",
            "Reason",
            "ScreenRequest",
            "Signal",
            "Subject",
            "Target",
            "Verdict",
        ),
        "consentgate.records",
    ),
    **dict.fromkeys(
        (
            "BadInput",
            "ConfigError",
            "ConsentGateError",
            "DetectorUnavailable",
            "NotReady",
            "StoreUnavailable",
            "TooLarge",
            "UnsupportedMedia",
        ),
        "consentgate.errors",
    ),
}

__all__ = [
    "BadInput",
    "BankHit",
    "ConfigError",
    "ConsentGateError",
    "Decision",
    "DetectorFailure",
    "DetectorFailureKind",
    "DetectorTiming",
    "DetectorUnavailable",
    "Evidence",
    "Gate",
    "ImageLike",
    "Label",
    "Mode",
    "NotReady",
    "Reason",
    "ScreenRequest",
    "Settings",
    "Signal",
    "StoreUnavailable",
    "Subject",
    "Target",
    "TooLarge",
    "UnsupportedMedia",
    "Verdict",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    if name == "__version__":
        from importlib.metadata import version

        return version("consentgate")
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'consentgate' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
