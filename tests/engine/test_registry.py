from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from consentgate.detectors.base import DetectorContext
from consentgate.detectors.registry import DetectorRegistry, installed_detectors
from consentgate.errors import ConfigError, NotFound
from tests.fakes import KeywordFake, RaisingFake

GROUP = "consentgate.test_detectors"

PLUGIN = """
from consentgate.detectors.base import Detector
from consentgate.records import Target


class ThirdPartyDetector(Detector):
    name = "third_party"
    version = "1.2.3"
    targets = frozenset({Target.PROMPT})
    description = "a plug-in from another package"

    def detect(self, inp):
        return [self.signal("custom_label", Target.PROMPT, 1.0, 0.5)]


class MissingExtraDetector(ThirdPartyDetector):
    name = "needs_extra"

    @classmethod
    def unavailable_reason(cls):
        return "install the 'extra' extra"


class Misnamed(ThirdPartyDetector):
    name = "something_else"
"""


def make_plugin(root: Path, entries: dict[str, str]) -> None:
    (root / "cg_plugin_mod.py").write_text(PLUGIN)
    dist = root / "cg_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cg-plugin\nVersion: 0.1\n")
    lines = "\n".join(f"{k} = cg_plugin_mod:{v}" for k, v in entries.items())
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\n{lines}\n")


@pytest.fixture
def plugin_path(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    sys.modules.pop("cg_plugin_mod", None)


def test_when_plugin_installed_then_it_is_listed_and_built(plugin_path: Path) -> None:
    make_plugin(
        plugin_path,
        {"third_party": "ThirdPartyDetector", "needs_extra": "MissingExtraDetector"},
    )
    listed = {d.name: d for d in installed_detectors(GROUP)}
    assert listed["third_party"].version == "1.2.3"
    assert listed["third_party"].distribution == "cg-plugin"
    assert listed["third_party"].unavailable is None
    assert listed["needs_extra"].unavailable == "install the 'extra' extra"
    registry = DetectorRegistry.from_entry_points(
        DetectorContext(), exclude=["needs_extra"], group=GROUP
    )
    assert registry.names() == ["third_party"]
    assert registry.turned_off == {"needs_extra": "disabled (CONSENTGATE_DISABLED_DETECTORS)"}


def test_when_a_detector_on_by_default_cannot_run_then_start_up_fails(plugin_path: Path) -> None:
    make_plugin(
        plugin_path,
        {"third_party": "ThirdPartyDetector", "needs_extra": "MissingExtraDetector"},
    )
    with pytest.raises(ConfigError, match=r"needs_extra \(install the 'extra' extra\)"):
        DetectorRegistry.from_entry_points(DetectorContext(), group=GROUP)


def test_when_only_some_detectors_are_listed_then_the_rest_are_reported_off(
    plugin_path: Path,
) -> None:
    make_plugin(
        plugin_path,
        {"third_party": "ThirdPartyDetector", "needs_extra": "MissingExtraDetector"},
    )
    registry = DetectorRegistry.from_entry_points(only=["third_party"], group=GROUP)
    assert registry.names() == ["third_party"]
    assert registry.turned_off == {"needs_extra": "not listed in CONSENTGATE_DETECTORS"}


def test_when_disabling_an_unknown_detector_then_config_error(plugin_path: Path) -> None:
    make_plugin(plugin_path, {"third_party": "ThirdPartyDetector"})
    with pytest.raises(ConfigError, match="not installed"):
        DetectorRegistry.from_entry_points(exclude=["thrid_party"], group=GROUP)


def test_when_unavailable_detector_is_required_then_config_error(plugin_path: Path) -> None:
    make_plugin(plugin_path, {"needs_extra": "MissingExtraDetector"})
    with pytest.raises(ConfigError, match="cannot run here"):
        DetectorRegistry.from_entry_points(only=["needs_extra"], group=GROUP)


def test_when_required_detector_not_installed_then_config_error(plugin_path: Path) -> None:
    make_plugin(plugin_path, {"third_party": "ThirdPartyDetector"})
    with pytest.raises(ConfigError, match="not installed: ghost"):
        DetectorRegistry.from_entry_points(only=["ghost"], group=GROUP)


def test_when_entry_point_name_differs_from_class_name_then_config_error(
    plugin_path: Path,
) -> None:
    make_plugin(plugin_path, {"third_party": "Misnamed"})
    with pytest.raises(ConfigError, match="named 'something_else'"):
        installed_detectors(GROUP)


def test_when_excluded_then_not_built(plugin_path: Path) -> None:
    make_plugin(plugin_path, {"third_party": "ThirdPartyDetector"})
    registry = DetectorRegistry.from_entry_points(exclude=["third_party"], group=GROUP)
    assert len(registry) == 0


def test_when_same_name_added_twice_then_config_error() -> None:
    registry = DetectorRegistry([KeywordFake("words", {})])
    with pytest.raises(ConfigError, match="already registered"):
        registry.add(KeywordFake("words", {}))


def test_when_removed_then_gone_and_second_remove_is_not_found() -> None:
    registry = DetectorRegistry([KeywordFake("words", {}), RaisingFake()])
    registry.remove("words")
    assert registry.names() == ["raises"]
    with pytest.raises(NotFound):
        registry.remove("words")
    with pytest.raises(NotFound):
        registry.get("words")


def test_when_two_instances_of_one_class_have_different_names_then_both_kept() -> None:
    registry = DetectorRegistry([KeywordFake("a", {}), KeywordFake("b", {})])
    assert registry.names() == ["a", "b"]


def test_when_policy_signal_from_plugin_then_it_is_stamped(plugin_path: Path) -> None:
    make_plugin(plugin_path, {"third_party": "ThirdPartyDetector"})
    registry = DetectorRegistry.from_entry_points(group=GROUP)
    detector = registry.get("third_party")
    (target,) = detector.targets
    sig = detector.signal("custom_label", target, 1, 0.5)
    assert (sig.detector, sig.detector_version) == ("third_party", "1.2.3")


def test_when_plugin_fails_to_import_then_listed_as_unavailable_and_startup_refused(
    plugin_path: Path,
) -> None:
    make_plugin(plugin_path, {"third_party": "ThirdPartyDetector"})
    dist = plugin_path / "cg_plugin-0.1.dist-info" / "entry_points.txt"
    dist.write_text(dist.read_text() + "broken = cg_plugin_missing_module:Nope\n")
    listed = {d.name: d for d in installed_detectors(GROUP)}
    assert listed["broken"].unavailable is not None
    assert "failed to load" in listed["broken"].unavailable
    with pytest.raises(ConfigError, match="failed to load: broken"):
        DetectorRegistry.from_entry_points(group=GROUP)
