"""Whether child-safety evidence is kept, said loudly wherever an operator looks.

Why: without ``CONSENTGATE_EVIDENCE_KEY`` the service runs and escalations
still open cases, but the images the law says to preserve (CS-2) are not kept.
That is a legal gap, not a detail, so ``serve`` warns at start-up, ``/readyz``
and ``detectors --check`` say ``evidence: off``, and a configured key that does
not open the newest sealed item stops start-up (``EvidenceVault.check_key``).
"""

from __future__ import annotations

from typing import Literal

from consentgate.cases.evidence import EvidenceVault

EvidenceState = Literal["on", "off"]

OFF_WARNING = (
    "evidence: off: CONSENTGATE_EVIDENCE_KEY is not set, so the images of child-safety "
    "escalations are not kept as the law requires (CS-2 not met)"
)


def evidence_state(vault: EvidenceVault | None) -> EvidenceState:
    return "on" if vault is not None and vault.enabled else "off"


def check_evidence(vault: EvidenceVault | None) -> str | None:
    """Raise ConfigError for a key that does not open the newest item; the warning when off."""
    if vault is None or not vault.enabled:
        return OFF_WARNING
    vault.check_key()
    return None
