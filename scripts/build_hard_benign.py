"""Build data/prompts/hard_benign.jsonl: ordinary prompts a word-level screen blocks.

Why this set exists: a gate trained only on our own harmful phrasings and a few
benign ones learns that "woman", "girl", "child", "bikini" or "peach" are bad
words. Real traffic is mostly captions and edits of ordinary people: women, men
and children at work, sport, beaches, weddings, hospitals and schools; garments
that nobody is wearing (on a bed, a rack, a washing line, a mannequin); food and
colour words that are also sexual slang; edits of photos with no one in them.
Every row is ``expected: allow``; a block or review on it is a false positive,
and an escalation on a row that mentions a child is the costliest kind.

Rows come from data/prompts/hard_benign_templates.txt, expanded slot-disjointly
(scripts/prompt_slots.py): a test row's template and slot values never appear in
a train row. Same row shape as prompts.jsonl.

Run: .venv/bin/python scripts/build_hard_benign.py   (deterministic; same output every run)
"""

from __future__ import annotations

from pathlib import Path

from prompt_slots import fillings, read_templates, template_splits, write_rows

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "prompts"
SOURCE = DATA / "hard_benign_templates.txt"
OUTPUT = DATA / "hard_benign.jsonl"
PER_TEMPLATE = 12  # fillings kept per template: many templates, few fillings each


def build() -> list[dict[str, object]]:
    templates = read_templates(SOURCE, "hb")
    sides = template_splits(templates, lambda t: t.category)
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for t in templates:
        if t.codes:
            raise ValueError(f"{t.key}: a hard benign template carries no labels")
        for k, text in enumerate(fillings(t, sides[t.key], PER_TEMPLATE)):
            text = text.replace("[", "").replace("]", "")
            if text in seen:
                continue
            seen.add(text)
            core = f"{t.key}-{k:02d}"
            rows.append({"id": f"{core}-0", "text": text,
                         "mode": "edit" if t.mode == "e" else "generate",
                         "expected": "allow", "harmful": False, "category": t.category,
                         "tactic": t.tactic, "language": t.lang, "split": sides[t.key],
                         "labels": [], "core": core})  # fmt: skip
    return rows


def main() -> None:
    write_rows(OUTPUT, build(), "hard benign prompts")


if __name__ == "__main__":
    main()
