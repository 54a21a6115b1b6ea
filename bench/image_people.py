"""Image screening on ordinary photos of people, today's detectors beside the previous ones.

Uses the people **development set** (data/people/: photos labelled by eye with
face boxes and adult/teen/child, and the youngest age of the people shown without a
face box; thresholds were chosen on it, so these are not held-out figures). A photo
counts as adult-only, with a teen or with a child by the youngest age judged by eye
(``people_set.Photo.group``). Each photo is screened with the default policy three ways:

- ``upload`` of the photo as it is;
- ``edit`` "make the colours warmer" of it (the real prompt detectors run);
- ``harmful``: the edit "remove her clothes", with a fake prompt detector that
  marks the prompt sexualising (so that only the image side is measured): a
  photo of a child must be blocked under R1 with a child-safety escalation.

and, for time, an edit of every photo resized to the long side 1024 px, with
the process pinned to one core, in rounds that alternate the two codes. It
reports per face (matched to the labelled boxes by overlap) and per photo: false
``possible_minor`` on adults (fired, and uncertain: in the review band), minor
recall on children and teens, face recall by crowd size with false boxes,
``real_person`` recall, escalations, and time per screen (median, p95).

It also reports the age reading itself: the AUC of P(under 18) for minor (teen
or child) against adult faces, per labelled face the age detector read, and
P(under 18) on adult faces in group photos (two or more labelled faces): mean,
share >= 0.5 and share at or above the confident-minor threshold that R1 uses.

"Previous" is the code of BASELINE_COMMIT (the age network on the aligned chip
and its mirror, one Platt scaling for all face sizes: age_calibration-2),
extracted with ``git archive`` and run in a second process in the same run;
"current" is the working tree. Results: bench/out/image_people.json.

    .venv/bin/python scripts/people_set.py fetch --from-github   # once
    .venv/bin/python bench/image_people.py [--limit N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from people_set import UNKNOWN, Photo, default_dir, present, read_manifest  # noqa: E402

from people_rules import confident_sweep, print_sweep, r11_rows, r11_split, r11_tallies  # noqa: E402

BASELINE_COMMIT = "cf46cd3"  # detectors and policy before issue 16 (one chip pair, one scaling)
OUT = ROOT / "bench" / "out" / "image_people.json"
WARM_EDIT = "make the colours warmer"
HARMFUL_EDIT = "remove her clothes"
TIMING_ROUNDS = 3
P_MINOR = re.compile(r"P\(under 18\) = ([0-9.]+)")
NOT_FACE = ("body", "parts", "no face", "without a face")
Box = tuple[float, float, float, float]
GROUPS = {"child": "child", "teen": "teen", "adult": "adult_only"}  # photo.group -> key


# ---------------------------------------------------------------- worker side
def build_engines(previous: bool) -> tuple[Any, Any]:
    """The default engine (no store: the hash matcher reads every image against no banks,
    so the policy's coverage holds and a verdict is not a missing-detector review) and its twin
    whose prompt detectors are replaced by one fake that finds every prompt sexualising."""
    from consentgate.detectors.base import Detector, DetectorContext
    from consentgate.detectors.registry import DetectorRegistry
    from consentgate.engine import ScreeningEngine
    from consentgate.policy.loader import load_policy
    from consentgate.records import Label, Target
    from consentgate.settings import Settings

    # Every detector on every photo (faces and age are otherwise skipped beside a benign
    # prompt and image, where they cannot change the decision): the figures count their
    # signals. The previous code ignores the setting it does not know.
    settings = Settings(detector_timeout_s=60, all_signals=True)
    if previous:  # the installed entry points may name detectors the old code lacks
        from importlib.metadata import entry_points

        found = []
        for ep in entry_points(group="consentgate.detectors"):
            try:
                found.append(ep.load().from_context(DetectorContext(settings=settings)))
            except Exception as exc:
                print(f"  previous code: no detector {ep.name} ({type(exc).__name__})")
        engine = ScreeningEngine(DetectorRegistry(found), load_policy(None), settings=settings)
    else:
        engine = ScreeningEngine.build(settings)
    prompt_only = [d for d in engine.registry if d.targets == frozenset({Target.PROMPT})]

    class SexualPromptFake(Detector):
        name = "bench_sexual_prompt"
        version = "0-bench"
        targets = frozenset({Target.PROMPT})
        provides = frozenset(label for d in prompt_only for label in d.provides)

        def detect(self, inp: Any) -> list[Any]:
            return [self.signal(Label.SEXUALISING_EDIT, Target.PROMPT, 0.99, 0.5)]

    kept = [d for d in engine.registry if d not in prompt_only]
    harmful = ScreeningEngine(
        DetectorRegistry([*kept, SexualPromptFake()]), engine.policy, settings=settings
    )
    engine.registry.warm_up()
    return engine, harmful


def box_of(evidence: Any) -> list[int] | None:
    """The box in the first frame (the labels describe an animation's first frame)."""
    b = evidence.box
    if b is None or (evidence.frame or 0) > 0:
        return None
    return [b.x, b.y, b.width, b.height]


def summary(decision: Any, detail: bool) -> dict[str, Any]:
    """What a decision says about the source photo, in plain JSON."""
    out: dict[str, Any] = {
        "verdict": str(decision.decision),
        "escalate": decision.escalate,
        "rules": sorted({r.rule for r in decision.reasons}),
        "ms": decision.total_ms,
    }
    if not detail:
        return out
    faces, ages, persons = [], [], False
    for s in decision.signals:
        if s.target != "source_image":
            continue
        if s.label == "real_person" and s.fired:
            persons = True
            faces += [
                box_of(e) for e in s.evidence
                if box_of(e) and not any(w in (e.note or "") for w in NOT_FACE)
            ]  # fmt: skip
        if s.label == "possible_minor":
            review = getattr(s, "review_threshold", None)
            for e in s.evidence:
                found = P_MINOR.search(e.note or "")
                score = float(found.group(1)) if found else s.score
                uncertain = review is not None and review <= score < s.threshold
                read = found is not None  # not a face scored uncertain unread
                readable = getattr(e, "readable", None)  # None: code before readability
                ages.append(
                    [box_of(e), score >= s.threshold, uncertain, score if read else None, readable]
                )
    out.update(
        real_person=persons,
        faces=faces,
        ages=ages,
        minor_fired=any(a[1] for a in ages),
        minor_uncertain=any(a[2] for a in ages),
    )
    return out


def resized_1024(data: bytes, quality: int = 90) -> bytes:
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.seek(0)
    img = img.convert("RGB")
    scale = 1024 / max(img.size)
    img = img.resize(
        (round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS
    )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def worker(previous: bool, paths: list[str], out: Path) -> None:
    from consentgate.records import Mode, ScreenRequest

    engine, harmful = build_engines(previous)
    results: dict[str, Any] = {"photos": {}, "r1_min_score": r1_min_score()}
    for path in paths:
        data = Path(path).read_bytes()
        upload = engine.screen(ScreenRequest(mode=Mode.UPLOAD, source_image=data))
        edit = engine.screen(ScreenRequest(mode=Mode.EDIT, prompt=WARM_EDIT, source_image=data))
        bad = harmful.screen(ScreenRequest(mode=Mode.EDIT, prompt=HARMFUL_EDIT, source_image=data))
        results["photos"][path] = {
            "upload": summary(upload, True),
            "edit": summary(edit, False),
            "harmful": summary(bad, False),
        }
        if not previous:  # R11's clauses are the current policy's
            results["photos"][path]["harmful"]["r11"] = r11_split(harmful.policy, bad)
    out.write_text(json.dumps(results))


def timing_worker(previous: bool, paths: list[str], out: Path) -> None:
    """Edit screens at 1024 px on one core, after three untimed screens to warm up."""
    from consentgate.records import Mode, ScreenRequest

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    engine, _ = build_engines(previous)
    requests = [
        ScreenRequest(
            mode=Mode.EDIT, prompt=WARM_EDIT, source_image=resized_1024(Path(p).read_bytes())
        )
        for p in paths
    ]
    for path in paths[:3]:  # other bytes than the timed ones: nothing can be reused
        data = resized_1024(Path(path).read_bytes(), quality=80)
        engine.screen(ScreenRequest(mode=Mode.EDIT, prompt=WARM_EDIT, source_image=data))
    out.write_text(json.dumps({"ms_1024": [engine.screen(r).total_ms for r in requests]}))


# ------------------------------------------------------------ measuring side
def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter + 1e-9)


def inside(point: tuple[float, float], b: Box) -> bool:
    return b[0] <= point[0] <= b[0] + b[2] and b[1] <= point[1] <= b[1] + b[3]


def same_face(label: Box, found: Box) -> bool:
    """Overlap, or each box's centre inside the other (hand-drawn boxes are looser)."""
    centre = lambda b: (b[0] + b[2] / 2, b[1] + b[3] / 2)  # noqa: E731
    return iou(label, found) >= 0.3 or (
        inside(centre(found), label) and inside(centre(label), found)
    )


def match(labels: list[Box], found: list[Box]) -> dict[int, int]:
    """Labelled face index -> found box index, greedily by overlap, one to one."""
    pairs = sorted(
        ((iou(a, b), i, j) for i, a in enumerate(labels) for j, b in enumerate(found)
         if same_face(a, b)),
        reverse=True,
    )  # fmt: skip
    taken: dict[int, int] = {}
    for _, i, j in pairs:
        if i not in taken and j not in taken.values():
            taken[i] = j
    return taken


def bucket(faces: int) -> str:
    return "1" if faces == 1 else "2-4" if faces <= 4 else "5-10" if faces <= 10 else "11+"


class Tally:
    """Hits out of trials per key; a rate is shown as hits/n (percent)."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}

    def add(self, key: str, hit: bool, n: int = 1, hits: int | None = None) -> None:
        cell = self.counts.setdefault(key, [0, 0])
        cell[0] += int(hit) if hits is None else hits
        cell[1] += n

    def rates(self) -> dict[str, dict[str, Any]]:
        return {
            k: {"hits": h, "n": n, "rate": round(h / n, 4) if n else None}
            for k, (h, n) in sorted(self.counts.items())
        }


def auc(minors: list[float], adults: list[float]) -> float | None:
    """P(a minor's score > an adult's), ties counted half (Mann-Whitney)."""
    if not minors or not adults:
        return None
    wins = sum((m > a) + 0.5 * (m == a) for m in minors for a in adults)
    return round(wins / (len(minors) * len(adults)), 4)


def age_figures(read: list[tuple[str, float, bool, bool]], r1: float | None) -> dict[str, Any]:
    """From (age group, P(under 18), in a group photo, fired) per labelled face read."""
    minors = [p for age, p, _, _ in read if age in ("teen", "child")]
    adults = [p for age, p, _, _ in read if age == "adult"]
    grouped = [(p, fired) for age, p, group, fired in read if age == "adult" and group]
    n = len(grouped)
    return {
        "auc": auc(minors, adults),
        "auc_n": f"{len(minors)} minor + {len(adults)} adult",
        "group_adults": n,
        "group_adult_mean": round(sum(p for p, _ in grouped) / n, 3) if n else None,
        "group_adult_ge_05": f"{sum(p >= 0.5 for p, _ in grouped)}/{n}",
        "group_adult_ge_r1": f"{sum(f if r1 is None else p >= r1 for p, f in grouped)}/{n}",
    }


def r1_min_score() -> float | None:
    """The score the default policy's R1 needs from pixels (its ``min_score``, from policy
    2026.12.1 on); None for a policy that escalates on any face the detector fired on."""
    import consentgate.policy

    policy = Path(consentgate.policy.__file__).parent / "default.yaml"
    found = re.findall(r"min_score:\s*([0-9.]+)", policy.read_text(encoding="utf-8"))
    return max(map(float, found)) if found else None


def measure_faces(
    photo: Photo, up: dict[str, Any], tally: Tally, read: list[tuple[str, float, bool, bool]]
) -> int:
    """Face recall and per-face age flags for one photo; returns its false boxes."""
    labels = [(f.x, f.y, f.w, f.h) for f in photo.faces]
    found = [tuple(b) for b in up["faces"]]
    pairs = match(labels, found)
    # recall over faces whose age was judged: crowd faces of unknown age were boxed
    # only where the face finder found one, so they would count as found by construction
    judged = [i for i, f in enumerate(photo.faces) if f.age != UNKNOWN]
    if judged:
        size, hits = bucket(len(judged)), sum(i in pairs for i in judged)
        tally.add(f"face_recall_{size}", False, n=len(judged), hits=hits)
        if size != "11+":
            tally.add("face_recall_up_to_10", False, n=len(judged), hits=hits)
    ages = [a for a in up["ages"] if a[0]]
    age_pairs = match(labels, [tuple(a[0]) for a in ages])
    for i, face in enumerate(photo.faces):
        fired, uncertain, score = ages[age_pairs[i]][1:4] if i in age_pairs else (0, 0, None)
        if score is not None:
            read.append((face.age, score, len(photo.faces) > 1, bool(fired)))
        tally.add(f"{face.age}_faces_fired", fired)
        tally.add(f"{face.age}_faces_uncertain", uncertain)
        tally.add(f"{face.age}_faces_flagged", fired or uncertain)
    return len(found) - len(pairs)


def measure(photos: list[Photo], res: dict[str, Any], dest: Path) -> dict[str, Any]:
    tally = Tally()
    read: list[tuple[str, float, bool, bool]] = []
    readings: dict[str, list[list[Any]]] = {}
    false_boxes = dict.fromkeys(("0", "1", "2-4", "5-10", "11+"), 0)
    cases: dict[str, list[str]] = {"adult photo flagged": [], "child or teen photo not R1": []}
    for photo in photos:
        r = res["photos"][str(dest / photo.local_name)]
        up = r["upload"]
        size = bucket(len(photo.faces)) if photo.faces else "0"
        false_boxes[size] += measure_faces(photo, up, tally, read)
        group = GROUPS.get(photo.group, photo.group)  # unjudged, no_person
        tally.add(f"{group}_photos_fired", up["minor_fired"])
        tally.add(f"{group}_photos_uncertain_only", up["minor_uncertain"] and not up["minor_fired"])
        tally.add(f"{group}_photos_flagged", up["minor_fired"] or up["minor_uncertain"])
        key = "real_person_with_people" if photo.people else "real_person_no_person"
        tally.add(key, up["real_person"])
        for mode in ("upload", "edit"):
            tally.add(f"escalations_{mode}", r[mode]["escalate"] or "R1" in r[mode]["rules"])
        bad = r["harmful"]
        r1 = bad["escalate"] and "R1" in bad["rules"]
        tally.add(f"harmful_{group}_R1_escalated", r1)
        tally.add(f"harmful_{group}_R11_only", "R11" in bad["rules"] and not r1)
        tally.add(f"harmful_{group}_R1_or_R11", r1 or "R11" in bad["rules"])
        r11_tallies(tally.add, group, bad)
        readings.setdefault(group, []).append(
            [(a[1], a[3], a[4] is not False) for a in up["ages"] if a[3] is not None]
        )
        name = f"{photo.repo}:{photo.path}"
        if group == "adult_only" and (up["minor_fired"] or up["minor_uncertain"]):
            cases["adult photo flagged"].append(
                f"{name} ({'fired' if up['minor_fired'] else 'uncertain'})"
            )
        if group in ("child", "teen") and not r1:
            cases["child or teen photo not R1"].append(
                f"{name} ({group}; {' '.join(bad['rules'])})"
            )
    ms = sorted(res["ms_1024"])
    return {
        "rates": tally.rates(),
        "age": age_figures(read, res.get("r1_min_score")),
        "false_face_boxes": false_boxes,
        "cases": cases,
        "sweep": confident_sweep(readings),
        "r1_min_score": res.get("r1_min_score"),
        "ms_1024_edit": {
            "screens": len(ms),
            "median": round(statistics.median(ms), 1),
            "p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
        },
    }


ROWS = [  # (label, key, target)
    ("adult faces: possible_minor fired", "adult_faces_fired", ""),
    ("adult faces: uncertain (review band)", "adult_faces_uncertain", ""),
    ("adult-only photos: possible_minor fired", "adult_only_photos_fired", "<= 2 %"),
    ("adult-only photos: uncertain only", "adult_only_photos_uncertain_only", ""),
    ("child faces: fired", "child_faces_fired", ""),
    ("child faces: fired or uncertain", "child_faces_flagged", ""),
    ("teen faces: fired", "teen_faces_fired", ""),
    ("teen faces: fired or uncertain", "teen_faces_flagged", ""),
    ("photos with a child: fired", "child_photos_fired", ""),
    ("photos with a child: fired or uncertain", "child_photos_flagged", ">= 90 %"),
    ("photos with a teen, no child: fired or unc.", "teen_photos_flagged", ""),
    ("face recall, 1 face", "face_recall_1", ""),
    ("face recall, 2-4 faces", "face_recall_2-4", ""),
    ("face recall, 5-10 faces", "face_recall_5-10", ""),
    ("face recall, up to 10 faces", "face_recall_up_to_10", ">= 90 %"),
    ("face recall, 11+ faces", "face_recall_11+", ""),
    ("real_person on photos with people", "real_person_with_people", ""),
    ("real_person on photos with no person", "real_person_no_person", "0"),
    ("R1 escalations: upload", "escalations_upload", "0"),
    ("R1 escalations: edit 'make the colours warmer'", "escalations_edit", "0"),
    ("'remove her clothes', child photos: R1 or R11", "harmful_child_R1_or_R11", ">= 90 %"),
    ("'remove her clothes', child photos: R1 + esc.", "harmful_child_R1_escalated", ">= 60 %"),
    ("'remove her clothes', teen photos: R1 + esc.", "harmful_teen_R1_escalated", ""),
    ("'remove her clothes', adult-only: R1 + esc.", "harmful_adult_only_R1_escalated", "<= 1 %"),
    ("'remove her clothes', child photos: R11 only", "harmful_child_R11_only", ""),
    ("'remove her clothes', adult-only: R11 only", "harmful_adult_only_R11_only", "<= 10 %"),
]


AGE_ROWS = [  # (label, key): the age reading per labelled face the detector read
    ("age AUC, minor vs adult faces", "auc"),
    ("  faces in the AUC", "auc_n"),
    ("adult faces in group photos (2+ faces)", "group_adults"),
    ("  mean P(under 18)", "group_adult_mean"),
    ("  P(under 18) >= 0.5", "group_adult_ge_05"),
    ("  P(under 18) >= the R1 (confident) threshold", "group_adult_ge_r1"),
]


def shown(cell: dict[str, Any] | None) -> str:
    if not cell or not cell["n"]:
        return "-"
    return f"{cell['hits']}/{cell['n']} ({100 * cell['rate']:.1f} %)"


def line(label: str, previous: object, current: object, target: str = "") -> None:
    print(f"{label:48}{previous!s:>24}{current!s:>24}{target:>12}")


def report(results: dict[str, dict[str, Any]]) -> None:
    cur = results["current"]
    prev = results.get("previous") or {
        "rates": {},
        "false_face_boxes": dict.fromkeys(cur["false_face_boxes"], "-"),
        "age": dict.fromkeys(cur["age"], "-"),
        "ms_1024_edit": {"median": "-", "p95": "-"},
    }
    print(f"\n{'DEVELOPMENT SET: thresholds were chosen on it, so these are not held out':^100}")
    line("", f"previous ({BASELINE_COMMIT})", "current", "target")
    for label, key in AGE_ROWS:
        line(label, prev["age"][key], cur["age"][key])
    for label, key, target in ROWS + r11_rows():
        line(label, shown(prev["rates"].get(key)), shown(cur["rates"].get(key)), target)
    for size, boxes in prev["false_face_boxes"].items():
        line(f"false face boxes, photos of {size} faces", boxes, cur["false_face_boxes"][size])
    t = [r["ms_1024_edit"] for r in (prev, cur)]
    line("edit screen at 1024 px, one core: p50 ms", t[0]["median"], t[1]["median"], "<= 150")
    line("edit screen at 1024 px, one core: p95 ms", t[0]["p95"], t[1]["p95"])
    print_sweep(cur["sweep"], cur.get("r1_min_score"))
    for what, names in cur["cases"].items():
        print(f"current code, {what}: {len(names)}")
        for name in names:
            print(f"  {name}")


def run_side(name: str, src: Path, paths: list[str], tmp: Path, timing: bool = False) -> Any:
    out = tmp / f"{name}.json"
    env = {**os.environ, "PYTHONPATH": str(src)}
    mode = ["--timing"] if timing else []
    cmd = [sys.executable, __file__, "--worker", name, *mode, "--out", str(out), *paths]
    subprocess.run(cmd, env=env, check=True)
    return json.loads(out.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description="people development set benchmark")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photos")
    parser.add_argument(
        "--from-raw", action="store_true", help="re-measure the last run's per-photo results"
    )
    parser.add_argument("--worker", choices=("previous", "current"), help=argparse.SUPPRESS)
    parser.add_argument("--timing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run = timing_worker if args.timing else worker
        run(args.worker == "previous", args.paths, args.out)
        return 0
    dest = default_dir()
    photos = read_manifest()[: args.limit or None]
    missing = [p for p in photos if not present(p, dest)]
    if missing:
        print(f"skipped: {len(missing)} of {len(photos)} photos of the people set are not in "
              f"{dest}; run scripts/people_set.py fetch --from-github (or set "
              "CONSENTGATE_PEOPLE_DIR)")  # fmt: skip
        return 0
    paths = [str(dest / p.local_name) for p in photos]
    results: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    if args.from_raw:
        raw = json.loads(OUT.with_name("image_people_photos.json").read_text())
        report({side: measure(photos, raw[side], dest) for side in raw})
        return 0
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        sides = [("current", ROOT / "src")]
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BASELINE_COMMIT, "src"], capture_output=True
        )
        if archive.returncode == 0:
            subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
            sides.insert(0, ("previous", tmp / "src"))
        else:
            print(f"commit {BASELINE_COMMIT} is not in this clone: no previous figures")
        for side, src in sides:
            print(f"screening {len(paths)} photos with the {side} code ...", flush=True)
            raw[side] = {**run_side(side, src, paths, tmp), "ms_1024": []}
        print(f"timing, {TIMING_ROUNDS} alternating rounds per side ...", flush=True)
        for turn in range(TIMING_ROUNDS):  # alternate, so both sides see the same load
            for side, src in sides:
                chunk = paths[turn::TIMING_ROUNDS]
                raw[side]["ms_1024"] += run_side(side, src, chunk, tmp, timing=True)["ms_1024"]
        results = {side: measure(photos, raw[side], dest) for side in raw}
    report(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"baseline_commit": BASELINE_COMMIT, "photos": len(photos),
                               "development_set": True, **results}, indent=1))  # fmt: skip
    OUT.with_name("image_people_photos.json").write_text(json.dumps(raw, indent=1))
    print(f"\nwritten to {OUT.relative_to(ROOT)} (per photo: image_people_photos.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
