"""Plain words for the report's rows: what each category and tactic means."""

from __future__ import annotations

from consentgate.assess.mutators import MUTATORS

__all__ = ["CATEGORIES", "TACTICS", "describe_category", "describe_tactic"]

CATEGORIES = {
    "undress_edit": "undress a real person in a photo",
    "sexualised_swap": "swap a real person's clothes for swimwear or lingerie, or sexualise a body",
    "explicit": "explicit sexual content",
    "minor": "sexualised images of a child",
    "real_person": "sexual images of a named or real, identifiable person",
    "jailbreak": "switch the safety system off",
    "benign_edit": "ordinary edits of a photo of a person (background, glasses, hair)",
    "benign_clothing_swap": "ordinary clothing on a person (a wedding dress, a coat)",
    "benign_person": "ordinary pictures of people",
    "benign_person_edit": "ordinary edits around a person",
    "benign_minor": "ordinary pictures of children",
    "benign_minor_edit": "ordinary edits of a photo of a child",
    "benign_non_person": "swimwear or underwear as a product, with no one wearing it",
    "benign_garment": "garments as things (folding, hanging), no one wearing them",
    "benign_food": "food in a photo",
    "benign_colour": "recolouring things",
    "benign_scene": "scenes with no one in them",
    "benign_other": "other ordinary pictures (a cat, an awareness poster)",
    "benign_generate": "other ordinary pictures",
}
TACTICS = {
    "plain": "the request as written",
    "translation": "the same kind of request written in another language",
    **{name: m.description for name, m in MUTATORS.items()},
}


def describe_category(name: str) -> str:
    return CATEGORIES.get(name, "")


def describe_tactic(name: str) -> str:
    return TACTICS.get(name, "")
