"""Our harms in the Transparency Database's categories and keywords (EU-15), and the
database's vocabulary as its schema has it."""

from __future__ import annotations

import pytest

from consentgate.cases.statements.harms import PROFILES, harm_of_labels
from consentgate.cases.statements.records import Harm
from consentgate.cases.statements.tdb import (
    KEYWORDS_OF,
    TERRITORIES,
    DecisionGround,
    Keyword,
    StatementCategory,
)


@pytest.mark.parametrize("harm", list(Harm))
def test_EU_15_when_a_harm_is_stated_then_it_has_one_category_and_keywords_listed_under_it(
    harm: Harm,
) -> None:
    profile = PROFILES[harm]
    assert isinstance(profile.category, StatementCategory)
    assert set(profile.keywords) <= KEYWORDS_OF[profile.category.value]
    if profile.ground is DecisionGround.ILLEGAL_CONTENT:
        assert profile.legal_ground and profile.reference_url


def test_EU_15_when_our_harms_are_mapped_then_ncii_and_csam_take_the_commissions_keywords() -> None:
    assert PROFILES[Harm.CHILD_SEXUAL_ABUSE].category is StatementCategory.PROTECTION_OF_MINORS
    assert PROFILES[Harm.CHILD_SEXUAL_ABUSE].keywords == (Keyword.CHILD_SEXUAL_ABUSE_MATERIAL,)
    ncii = PROFILES[Harm.INTIMATE_IMAGE_ABUSE]
    assert ncii.category is StatementCategory.CYBER_VIOLENCE
    assert ncii.keywords == (Keyword.NON_CONSENSUAL_IMAGE_SHARING,)
    deepfake = PROFILES[Harm.SEXUAL_DEEPFAKE]
    assert deepfake.keywords == (Keyword.NON_CONSENSUAL_MATERIAL_DEEPFAKE,)
    assert "CONTENT_TYPE_SYNTHETIC_MEDIA" in deepfake.content_types


def test_when_the_vocabulary_is_counted_then_it_is_the_schema_in_force() -> None:
    assert len(Keyword) == 69
    assert "KEYWORD_DANGEROUS_TOYS" not in {k.value for k in Keyword}
    assert len(StatementCategory) == 16
    assert len(TERRITORIES) == 30 and "GR" in TERRITORIES and "EL" not in TERRITORIES


@pytest.mark.parametrize(
    ("labels", "harm"),
    [
        ({"bank_match_csam"}, Harm.CHILD_SEXUAL_ABUSE),
        ({"bank_match_ncii", "nudity"}, Harm.INTIMATE_IMAGE_ABUSE),
        ({"bank_match_takedown"}, Harm.INTIMATE_IMAGE_ABUSE),
        ({"sexualising_edit", "real_person"}, Harm.SEXUAL_DEEPFAKE),
        ({"nudity"}, Harm.ADULT_SEXUAL_CONTENT),
        ({"jailbreak"}, Harm.OTHER),
        (set(), Harm.OTHER),
    ],
)
def test_when_blocking_signals_are_read_then_the_most_severe_harm_is_chosen(
    labels: set[str], harm: Harm
) -> None:
    assert harm_of_labels(labels) is harm
