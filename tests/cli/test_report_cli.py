"""consentgate report and consentgate escalations: files written whole, exit codes, events."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
HEADERS = Path(__file__).resolve().parents[1] / "reports" / "data" / "eu_template_headers.txt"


def _run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def _store(tmp_path: Path, **overrides: object) -> tuple[Settings, str]:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'cg.db'}",
        "reporter_email": "safety@example.org",
        "provider_name": "Example Ltd",
    } | overrides
    settings = Settings(**values)  # type: ignore[arg-type]
    code, out, err = _run(settings, "notice", "submit", str(EXAMPLES / "child_safety.json"),
                          "--now", "2026-12-01T10:00:00Z")  # fmt: skip
    assert code == 0, err
    assert _run(settings, "users", "add", "carol", "--role", "compliance")[0] == 0
    assert _run(settings, "users", "add", "mo", "--role", "moderator")[0] == 0
    return settings, json.loads(out)["cases"][0]


def test_EU_12_when_the_csv_report_is_written_then_one_file_per_part_with_its_header(
    tmp_path: Path,
) -> None:
    settings, _ = _store(tmp_path)
    out = tmp_path / "report"
    code, _, err = _run(settings, "report", "--from", "2026-12-01", "--to", "2026-12-31",
                        "--format", "csv", "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert "counting notices" in err  # progress on stderr
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 6 and all(name.endswith(".csv") for name in files)
    headers = {(out / n).read_bytes().split(b"\n", 1)[0] for n in files}
    assert headers == set(HEADERS.read_bytes().splitlines())
    notices = (out / "part4_notices.csv").read_text()
    assert (
        ",Example Ltd,2026-12-01/2026-12-31,STATEMENT_CATEGORY_PROTECTION_OF_MINORS,,1," in notices
    )
    code, _, err = _run(settings, "report", "--from", "2026-12-01", "--to", "2026-12-31",
                        "--format", "csv", "--out", str(out))  # fmt: skip
    assert code == 2 and "exists" in err and "--force" in err
    assert _run(settings, "report", "--from", "2026-12-01", "--to", "2026-12-31",
                "--format", "csv", "--out", str(out), "--force")[0] == 0  # fmt: skip


def test_when_the_report_is_asked_for_wrongly_then_exit_2_with_one_line(tmp_path: Path) -> None:
    settings, _ = _store(tmp_path)
    for args in (
        ("--from", "2026-12-31", "--to", "2026-12-01"),
        ("--from", "December", "--to", "2026-12-31"),
        ("--from", "2026-12-01", "--to", "2026-12-31", "--format", "csv"),  # no --out
    ):
        code, _, err = _run(settings, "report", *args)
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), err


def test_EU_12_when_json_and_html_are_written_then_stdout_or_a_whole_file(tmp_path: Path) -> None:
    settings, _ = _store(tmp_path)
    code, out, _ = _run(settings, "report", "--from", "2026-12-01", "--to", "2026-12-31")
    assert code == 0 and json.loads(out)["notices"]["by_kind"] == {"child_safety": 1}
    page = tmp_path / "r.html"
    code, _, err = _run(settings, "report", "--from", "2026-12-01", "--to", "2026-12-31",
                        "--format", "html", "--out", str(page))  # fmt: skip
    assert code == 0, err
    assert page.read_text().startswith("<!doctype html>")
    assert not list(tmp_path.glob(".r.html.*"))  # no temporary file left behind


def test_CS_1_when_a_case_is_exported_and_its_reference_kept_from_the_cli_then_recorded(
    tmp_path: Path,
) -> None:
    settings, case_id = _store(tmp_path)
    out = tmp_path / "r.xml"
    code, _, err = _run(settings, "escalations", "export", case_id, "--format", "ncmec-xml",
                        "--actor", "mo", "-o", str(out))  # fmt: skip
    assert code == 4 and not out.exists()
    code, _, err = _run(settings, "escalations", "export", case_id, "--format", "ncmec-xml",
                        "--actor", "carol", "-o", str(out))  # fmt: skip
    assert code == 0, err
    assert out.read_bytes().startswith(b"<?xml") and (out.stat().st_mode & 0o777) == 0o600
    code, _, err = _run(settings, "escalations", "export", case_id, "--format", "nca-json",
                        "--actor", "carol", "-o", str(out))  # fmt: skip
    assert code == 2 and "exists" in err
    code, _, err = _run(settings, "escalations", "export", case_id, "--format", "nca-json",
                        "--actor", "carol", "--include-evidence")  # fmt: skip
    assert code == 2 and "--out" in err
    code, out_text, err = _run(settings, "escalations", "reference", case_id, "4242",
                               "--agency", "ncmec", "--actor", "carol")  # fmt: skip
    assert code == 0 and "kept until 2031" in out_text, err
    code, _, err = _run(settings, "escalations", "reference", case_id, "4242",
                        "--agency", "ncmec", "--actor", "carol")  # fmt: skip
    assert code == 3
    listed = json.loads(_run(settings, "escalations", "list", "--json")[1])
    assert listed[0]["reports"][0]["reference"] == "4242"
    assert _run(settings, "escalations", "list", "--due", "--json")[1].strip() == "[]"
    shown = json.loads(_run(settings, "cases", "show", case_id, "--json")[1])["events"]
    kinds = [e["kind"] for e in shown]
    assert kinds.count("report_exported") == 1 and kinds[-1] == "agency_reported"
    assert _run(settings, "audit", "verify")[0] == 0


def test_when_no_reporter_is_set_then_the_export_exits_2_naming_the_setting(
    tmp_path: Path,
) -> None:
    settings, case_id = _store(tmp_path, reporter_email=None)
    code, _, err = _run(settings, "escalations", "export", case_id, "--format", "ncmec-xml",
                        "--actor", "carol")  # fmt: skip
    assert code == 2 and "CONSENTGATE_REPORTER_EMAIL" in err
