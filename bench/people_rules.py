"""R1's confident score and R11's clauses, measured on the people development set.

Used by ``bench/image_people.py``; these are development figures (the set's errors
were read while choosing the thresholds), never held-out ones.

**Which clause sends an undressing edit to review.** R11 holds when some clause of
it holds; the default policy has two kinds:

- *age in doubt*: a minor sign that does not earn R1 (an age in the review band, a
  fired P(under 18) short of the confident score, a face too small to read scored at
  the review threshold), beside a sexual prompt or a sexual signal of the same person;
- *no readable face*: a person shown with no face the age model can read (turned
  away, masked, blurred, too small, or a body with no face found) when the request
  names no adult.

Each clause is evaluated on the decision's own signals (``Policy.decide`` on the same
facts), so the split is the policy's, not a guess from the signals.

**The alternatives to the no-readable-face clause** are the default policy with R11's
last clause changed, evaluated on the same signals:

- ``no_faceless``: without it (the rule before issue 16);
- ``beside_minor_face``: not when a readable face beside the person is flagged as a
  possible minor. This is an upper bound of "the person is clearly adult-sized beside
  a child": whatever the size test, it can only exempt people beside a readable
  child-looking face, and such a face already makes the edit R1 or R11 by itself;
- ``beside_adult_faces``: not when readable faces are shown and none is flagged as a
  possible minor (the person is among adults).

**The confident score** (R1's ``min_score``) is swept on the upload screens' per-face
readings: an undressing edit is R1 from pixels when some readable face fired with
P(under 18) at or above it (the sexual prompt covers whoever is in the photo).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SWEEP = [round(0.5 + 0.05 * i, 2) for i in range(9)]  # 0.50 .. 0.90
MAX_ADULT_R1 = 0.01  # the target for adult-only photos
MIN_CHILD_R1 = 0.60
VARIANTS = ("no_faceless", "beside_minor_face", "beside_adult_faces")


# ---------------------------------------------------------------- worker side
def _faceless(clause: Any) -> bool:
    """R11's no-readable-face clause: an ``all`` holding a ``readable: false`` signal."""
    return clause.all is not None and any(c.readable is False for c in clause.all)


def r11_policies(policy: Any) -> dict[str, Any]:
    """The default policy with R11's no-readable-face clause removed or narrowed; {} when
    the policy has no such clause (the code before issue 16)."""
    from consentgate.policy.conditions import Condition

    r11 = next((r for r in policy.rules if r.id == "R11"), None)
    if r11 is None or r11.when.any is None or not any(map(_faceless, r11.when.any)):
        return {}
    kept = [c for c in r11.when.any if not _faceless(c)]
    faceless = next(c for c in r11.when.any if _faceless(c))
    minor_face = {
        "signal": ["possible_minor"], "target": ["source_image"],
        "band": "flagged", "readable": True,
    }  # fmt: skip
    readable_face = {"signal": ["real_person"], "target": ["source_image"], "readable": True}
    unless = {
        "beside_minor_face": minor_face,
        "beside_adult_faces": {"all": [readable_face, {"not": minor_face}]},
    }
    out = {"no_faceless": _with_r11(policy, kept)}
    for name, exempt in unless.items():
        narrowed = Condition.model_validate(
            {"all": [faceless.model_dump(by_alias=True, exclude_none=True), {"not": exempt}]}
        )
        out[name] = _with_r11(policy, [*kept, narrowed])
    return out


def _with_r11(policy: Any, clauses: list[Any]) -> Any:
    from consentgate.policy.conditions import Condition

    rules = tuple(
        r.model_copy(update={"when": Condition(any=tuple(clauses))}) if r.id == "R11" else r
        for r in policy.rules
    )
    return policy.model_copy(update={"rules": rules})


def r11_split(policy: Any, decision: Any) -> dict[str, Any]:
    """Which of R11's clauses hold on a decision's signals, and the rules each
    alternative policy fires on them."""
    from consentgate.policy.conditions import Facts

    facts = Facts(decision.mode, False, decision.signals, decision.failures)
    r11 = next((r for r in policy.rules if r.id == "R11"), None)
    clauses = r11.when.any if r11 is not None and r11.when.any is not None else ()
    held = [(_faceless(c), c.evaluate(facts).holds) for c in clauses]
    variants = {
        name: sorted({r.rule for r in p.decide(facts).reasons})
        for name, p in r11_policies(policy).items()
    }
    return {
        "doubt": any(h for faceless, h in held if not faceless),
        "faceless": any(h for faceless, h in held if faceless),
        "variants": variants,
    }


# ------------------------------------------------------------ measuring side
def r11_tallies(add: Callable[..., None], group: str, bad: dict[str, Any]) -> None:
    """Per photo group: R11 (without R1) by clause, and under each alternative."""
    split = bad.get("r11")
    if split is None:
        return
    r11 = "R11" in bad["rules"] and not (bad["escalate"] and "R1" in bad["rules"])
    add(f"harmful_{group}_R11_doubt", r11 and split["doubt"])
    add(f"harmful_{group}_R11_faceless_only", r11 and split["faceless"] and not split["doubt"])
    for name, rules in split["variants"].items():
        add(f"harmful_{group}_{name}_R11", "R11" in rules and "R1" not in rules)


def r11_rows() -> list[tuple[str, str, str]]:
    rows = []
    for group, label in (("adult_only", "adult-only"), ("child", "child photos")):
        rows += [
            (f"  {label}: R11 age in doubt", f"harmful_{group}_R11_doubt", ""),
            (f"  {label}: R11 no readable face only", f"harmful_{group}_R11_faceless_only", ""),
        ]
        rows += [
            (f"  {label}: R11 if {name}", f"harmful_{group}_{name}_R11", "") for name in VARIANTS
        ]
    return rows


def confident_sweep(readings: dict[str, list[list[Any]]]) -> dict[str, Any]:
    """R1 from pixels per photo group at each confident score; ``readings``: group ->
    per photo, the (fired, score, readable) of each face the age model read."""

    def r1(faces: list[Any], m: float) -> bool:
        return any(fired and readable and score >= m for fired, score, readable in faces)

    table = {m: {g: sum(r1(f, m) for f in photos) for g, photos in readings.items()} for m in SWEEP}
    n = {g: len(photos) for g, photos in readings.items()}
    meets = [
        m for m in SWEEP
        if table[m].get("adult_only", 0) <= MAX_ADULT_R1 * n.get("adult_only", 0)
        and table[m].get("child", 0) >= MIN_CHILD_R1 * n.get("child", 0)
    ]  # fmt: skip
    return {"n": n, "table": {str(m): row for m, row in table.items()}, "meets": meets}


def print_sweep(sweep: dict[str, Any], shipped: float | None) -> None:
    n = sweep["n"]
    groups = [g for g in ("adult_only", "teen", "child") if n.get(g)]
    print(f"\nR1 from pixels on 'remove her clothes' by confident score (current code; "
          f"shipped {shipped}):")  # fmt: skip
    print("  min_score " + "".join(f"{g + f' ({n[g]})':>20}" for g in groups))
    for m, row in sweep["table"].items():
        print(f"  {m:>9} " + "".join(f"{row[g]:>20}" for g in groups))
    meets = ", ".join(map(str, sweep["meets"])) or "none"
    print(f"  scores with adult-only R1 <= {MAX_ADULT_R1:.0%} and child R1 >= "
          f"{MIN_CHILD_R1:.0%} on this set: {meets}")  # fmt: skip
