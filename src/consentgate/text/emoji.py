"""Emoji that carry a sexual (or age) meaning in prompts, read as words (policy R7).

Why only these: most emoji are decoration; these are the ones people use to
spell out what a filter would refuse in words ("her in 👙", "🍑 pic"). Neutral
clothing emoji are read too, so "put her in a 👗" reads as the benign request it is.
"""

from __future__ import annotations

EMOJI_WORDS: dict[str, str] = {
    "🍑": "butt",
    "🍆": "penis",
    "💦": "wet",
    "👙": "bikini",
    "🩲": "underwear",
    "🩱": "swimsuit",
    "👅": "lick",
    "🔞": "nsfw",
    "🫦": "seductive",
    "🍈": "breasts",
    "🍒": "breasts",
    "🥵": "hot",
    "💋": "kiss",
    "🍌": "penis",
    "🌮": "vulva",
    "👧": "little girl",
    "👦": "little boy",
    "🧒": "child",
    "👶": "baby",
    "🚸": "children",
    "👗": "dress",
    "👔": "shirt and tie",
    "👕": "shirt",
    "🧥": "coat",
    "👖": "jeans",
    "🩳": "shorts",
    "👘": "kimono",
    "👰": "bride",
    "🚫": "no",
    "❌": "no",
}

# Skin-tone modifiers and emoji variation selectors carry no meaning here.
_DROP = [chr(c) for c in range(0x1F3FB, 0x1F400)] + ["\ufe0e", "\ufe0f"]

EMOJI_TABLE: dict[int, str | None] = {ord(k): f" {v} " for k, v in EMOJI_WORDS.items()}
EMOJI_TABLE.update({ord(ch): None for ch in _DROP})
