"""Write the assessment's seed requests from our prompt set's test split.

The assessment (``consentgate assess``) ships its seeds inside the package, so an
installed ConsentGate can measure an endpoint without this repository. They are
the test split only (``split == "test"`` in data/prompts/*.jsonl, the split that
scripts/prompt_slots.py holds out from training):

- ``seed``: the plain English requests (prompts.jsonl and hard_benign.jsonl,
  tactic ``plain``), which the assessment's mutators disguise;
- ``translation``: the same kinds of request written in other languages
  (prompts.jsonl tactic ``other_language``: the lexicon's languages;
  variants.jsonl tactic ``unlisted_language``: languages it does not list).

Run: .venv/bin/python scripts/build_assess_seeds.py   (deterministic; same output every run)
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "data" / "prompts"
OUT = ROOT / "src" / "consentgate" / "assess" / "data" / "seeds.jsonl"
# (file, tactic in that file, kind of seed it becomes)
SOURCES = (
    ("prompts.jsonl", "plain", "seed"),
    ("hard_benign.jsonl", "plain", "seed"),
    ("prompts.jsonl", "other_language", "translation"),
    ("variants.jsonl", "unlisted_language", "translation"),
)
FIELDS = ("id", "text", "mode", "harmful", "category", "language")


def seed_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, tactic, kind in SOURCES:
        for line in (PROMPTS / name).read_text(encoding="utf-8").splitlines():
            raw = json.loads(line)
            if raw["split"] != "test" or raw["tactic"] != tactic:
                continue
            if kind == "seed" and raw["language"] != "en":
                continue
            rows.append({**{f: raw[f] for f in FIELDS}, "kind": kind})
    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)):
        raise SystemExit("seed ids are not unique")
    return rows


def render(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def main() -> None:
    rows = seed_rows()
    OUT.write_text(render(rows), encoding="utf-8")
    kinds = {k: sum(1 for r in rows if r["kind"] == k) for k in ("seed", "translation")}
    print(f"{len(rows)} seeds ({kinds}) -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
