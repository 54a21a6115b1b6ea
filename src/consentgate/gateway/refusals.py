"""What a refusal of ours says, wherever it comes from (the gateway, or ``self``).

One table, so that a client of the gateway and an assessment of our own gate
see the same codes: ``content_policy_violation`` for a block (the code OpenAI
clients already handle) and ``content_policy_review`` for a review, whose
image is withheld until a person has looked.
"""

from __future__ import annotations

from collections.abc import Sequence

from consentgate.records import Decision, Verdict

REFUSALS = {
    Verdict.BLOCK: ("content_policy_violation", "This request was refused by the content policy."),
    Verdict.REVIEW: (
        "content_policy_review",
        "This request is held for review by a person; no image was returned.",
    ),
}


def most_severe(decisions: Sequence[Decision]) -> Decision:
    """The first decision of the highest severity (block > review > allow)."""
    return max(decisions, key=lambda d: d.decision.severity)
