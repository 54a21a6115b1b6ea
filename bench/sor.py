"""Statements of reasons checked per second, beside a straightforward baseline in the same run.

What is timed, over the same bodies (every harm, removals and blocked uploads, each puid
unique), median of ``--rounds`` rounds:
  - ours: ``StatementChecker.check`` (the Transparency Database's rules, no personal
    data in any free-text field, no puid twice), as ``consentgate sor export`` runs it;
  - the same with the personal-data check's cache off (standard sentences, such as the
    legal grounds, are read once and remembered; each round starts with it empty), and
    without the personal-data check at all (what the rules alone cost);
  - baseline: a pydantic ``TypeAdapter`` per field (Literal enums, max_length, date
    types), built once, then the cross-field rules written out plainly, then the same
    personal-data check without the cache: the way one would first write it with a
    typed-model library.

    python bench/sor.py [--statements 20000] [--rounds 5]

Writes bench/out/sor.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from consentgate.cases.statements import validate as rules
from consentgate.cases.statements.build import Restriction, StatementConfig, build, upload_facts
from consentgate.cases.statements.personal import find_personal_data
from consentgate.cases.statements.records import Harm, StatementSource
from consentgate.cases.statements.tdb import TERRITORIES, AutomatedDecision, SourceType
from consentgate.records import Decision, Evidence, Mode, Reason, Signal, Target, Verdict
from consentgate.settings import Settings

OUT = Path(__file__).resolve().parent / "out"
START = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
REASONS = [
    "intimate image shared without consent, reported by the person shown",
    "the image matches the reported one and was posted again after removal",
    "child sexual abuse material confirmed by the child-safety team",
]


def _upload(n: int) -> Decision:
    signal = Signal(
        detector="hash_match",
        detector_version="1",
        label="bank_match_ncii",
        target=Target.SOURCE_IMAGE,
        score=1.0,
        threshold=0.5,
        evidence=(Evidence(bank="victims", entry=str(n), distance=n % 31),),
    )
    reason = Reason(rule="R2", verdict=Verdict.BLOCK, description="bank match", signals=(signal,))
    return Decision(
        mode=Mode.UPLOAD,
        decision=Verdict.BLOCK,
        reasons=(reason,),
        policy_id="default",
        policy_version="1",
        created=START + timedelta(minutes=n),
    )


def bodies(count: int) -> list[dict[str, Any]]:
    config = StatementConfig.from_settings(Settings())
    harms = list(Harm)
    made = []
    for n in range(count):
        at = START + timedelta(minutes=n)
        upload = n % 3 == 0
        restriction = Restriction(
            statement_id=f"sor-bench-{n:08d}",
            harm=Harm.INTIMATE_IMAGE_ABUSE if upload else harms[n % len(harms)],
            facts=upload_facts(_upload(n))
            if upload
            else "A notice reported this content. A moderator reviewed it and decided to "
            f"remove it. Basis: {REASONS[n % len(REASONS)]} (report {n}).",
            decided_at=at,
            content_date=at.date(),
            source_type=SourceType.VOLUNTARY if upload else SourceType.ARTICLE_16,
            automated_detection=upload,
            automated_decision=AutomatedDecision.FULLY
            if upload
            else AutomatedDecision.NOT_AUTOMATED,
        )
        source = StatementSource.UPLOAD if upload else StatementSource.CASE
        made.append(build(config, restriction, source=source).statement.body())
    return made


# -- the baseline: a TypeAdapter per field, then the cross-field rules plainly ------------------
def _enum(values: frozenset[str]) -> Any:
    return Literal[tuple(sorted(values))]  # type: ignore[valid-type]


def _text(longest: int) -> Any:
    return Annotated[str, Field(min_length=1, max_length=longest)]


ADAPTERS: dict[str, TypeAdapter[Any]] = {
    **{name: TypeAdapter(_enum(values)) for name, values in rules.ENUMS.items()},
    **{
        name: TypeAdapter(Annotated[list[_enum(values)], Field(min_length=1)])  # type: ignore[misc]
        for name, values in rules.LISTS.items()
    },
    **{name: TypeAdapter(_text(longest)) for name, longest in rules.FREE_TEXT.items()},
    **{name: TypeAdapter(date) for name in (*rules.END_DATES, "content_date", "application_date")},
    "puid": TypeAdapter(Annotated[str, Field(max_length=500, pattern=r"^[a-zA-Z0-9_-]+$")]),
    "decision_ground_reference_url": TypeAdapter(_text(500)),
    "content_language": TypeAdapter(_enum(rules.LANGUAGES)),
    "content_id": TypeAdapter(dict[Literal["EAN-13"], Annotated[str, Field(pattern=r"^\d{13}$")]]),
}


UNCACHED = find_personal_data.__wrapped__
"""The same personal-data check, without the cache of texts already read."""


def baseline_check(body: dict[str, Any], seen: set[str], *, personal: bool = True) -> list[str]:
    faults = [f"{k}: unknown" for k in body if k not in ADAPTERS]
    for name, adapter in ADAPTERS.items():
        if body.get(name) is None:
            if name in rules.REQUIRED:
                faults.append(f"{name}: required")
            continue
        try:
            adapter.validate_python(body[name])
        except ValidationError as exc:
            faults.append(f"{name}: {exc.errors()[0]['msg']}")
    ground = body.get("decision_ground")
    for key, fields in rules.BY_GROUND.items():
        for name in fields:
            if ground == key and name not in body:
                faults.append(f"{name}: required")
    if body.get("content_date", "") > body.get("application_date", "9"):
        faults.append("content_date: after application_date")
    for name in rules.FREE_TEXT if personal else ():
        if isinstance(body.get(name), str) and UNCACHED(body[name]):
            faults.append(f"{name}: personal data")
    if body.get("puid") in seen:
        faults.append("puid: not unique")
    seen.add(str(body.get("puid")))
    return faults


def baseline(*, personal: bool) -> Callable[[dict[str, Any]], list[str]]:
    """A fresh baseline checker (its own set of puids seen)."""
    seen: set[str] = set()
    return lambda body: baseline_check(body, seen, personal=personal)


def per_second(check: Callable[[dict[str, Any]], list[Any]], made: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    failed = sum(bool(check(b)) for b in made)
    elapsed = time.perf_counter() - started
    assert failed == 0, f"{failed} statements failed"
    return len(made) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    made = bodies(args.statements)
    assert all(rules.validate(b) == [] for b in made[:50])
    assert len(TERRITORIES) == 30
    names = ("ours", "ours_uncached", "ours_rules_only", "baseline", "baseline_rules_only")
    results: dict[str, list[float]] = {name: [] for name in names}
    original = rules.find_personal_data
    for _ in range(args.rounds):
        find_personal_data.cache_clear()  # each round reads every text anew once
        results["ours"].append(per_second(rules.StatementChecker().check, made))
        try:
            rules.find_personal_data = UNCACHED
            results["ours_uncached"].append(per_second(rules.StatementChecker().check, made))
            rules.find_personal_data = lambda _text: None
            results["ours_rules_only"].append(per_second(rules.StatementChecker().check, made))
        finally:
            rules.find_personal_data = original
        results["baseline"].append(per_second(baseline(personal=True), made))
        results["baseline_rules_only"].append(per_second(baseline(personal=False), made))
    medians = {name: statistics.median(values) for name, values in results.items()}
    report = {
        "statements": args.statements,
        "rounds": args.rounds,
        "per_second_median": {k: round(v) for k, v in medians.items()},
        "ours_vs_baseline": round(medians["ours"] / medians["baseline"], 2),
        "rules_vs_baseline_rules": round(
            medians["ours_rules_only"] / medians["baseline_rules_only"], 2
        ),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "sor.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"statements checked per second, median of {args.rounds} rounds of {args.statements}:")
    rows = {
        "ours (rules, personal data, unique puid)": medians["ours"],
        "ours, personal-data cache off": medians["ours_uncached"],
        "ours, rules only (no personal-data check)": medians["ours_rules_only"],
        "baseline (TypeAdapter per field, no cache)": medians["baseline"],
        "baseline, rules only": medians["baseline_rules_only"],
    }
    for label, value in rows.items():
        print(f"  {label:<44} {value:>10,.0f}")
    print(
        f"  ours / baseline: {report['ours_vs_baseline']}x; "
        f"rules only: {report['rules_vs_baseline_rules']}x"
    )


if __name__ == "__main__":
    main()
