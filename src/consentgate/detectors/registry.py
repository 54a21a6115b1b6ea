"""The detector registry: an object you add to, remove from and query.

Built-in detectors and third-party ones are found the same way, through the
``consentgate.detectors`` entry-point group; loading happens in an explicit
start-up call (``DetectorRegistry.from_entry_points``), never on import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points

from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.errors import ConfigError, NotFound
from consentgate.threads import one_blas_thread

ENTRY_POINT_GROUP = "consentgate.detectors"


@dataclass(frozen=True)
class InstalledDetector:
    """One entry point, as ``consentgate detectors`` lists it."""

    name: str
    version: str
    targets: tuple[str, ...]
    description: str
    distribution: str
    unavailable: str | None


@dataclass(frozen=True)
class _Loaded:
    name: str
    cls: type[Detector] | None
    distribution: str
    error: str | None


def _load(group: str) -> list[_Loaded]:
    """Load every entry point of the group; a broken one is reported, not raised."""
    loaded: list[_Loaded] = []
    for ep in entry_points(group=group):
        dist = ep.dist.name if ep.dist is not None else "unknown"
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plug-in must not crash the listing
            loaded.append(_Loaded(ep.name, None, dist, f"failed to load: {exc!r}"))
            continue
        if not (isinstance(cls, type) and issubclass(cls, Detector)):
            raise ConfigError(f"entry point {ep.name!r} in {group} is not a Detector class")
        if cls.name != ep.name:
            raise ConfigError(f"entry point {ep.name!r} loads a detector named {cls.name!r}")
        loaded.append(_Loaded(ep.name, cls, dist, None))
    return sorted(loaded, key=lambda item: item.name)


def installed_detectors(group: str = ENTRY_POINT_GROUP) -> list[InstalledDetector]:
    found = []
    for item in _load(group):
        cls = item.cls
        found.append(
            InstalledDetector(
                name=item.name,
                version=cls.version if cls else "?",
                targets=tuple(sorted(t.value for t in cls.targets)) if cls else (),
                description=cls.description if cls else "",
                distribution=item.distribution,
                unavailable=item.error or (cls.unavailable_reason() if cls else None),
            )
        )
    return found


class DetectorRegistry:
    """The set of detector instances one engine runs, keyed by unique name."""

    def __init__(self, detectors: Iterable[Detector] = ()) -> None:
        self._detectors: dict[str, Detector] = {}
        #: Installed detectors the operator turned off, with how.
        self.turned_off: dict[str, str] = {}
        for detector in detectors:
            self.add(detector)

    @classmethod
    def from_entry_points(
        cls,
        context: DetectorContext | None = None,
        *,
        only: Iterable[str] = (),
        exclude: Iterable[str] = (),
        group: str = ENTRY_POINT_GROUP,
    ) -> DetectorRegistry:
        """Build every installed detector (or just ``only``), minus ``exclude``.

        Every installed detector is on unless the operator turns it off (by
        leaving it out of ``only`` or naming it in ``exclude``). One that is on
        but cannot run here (a missing model file or optional extra) is a
        configuration error: a safeguard that is missing must stop start-up, not
        vanish quietly. What was turned off is kept in ``turned_off``.
        """
        context = context or DetectorContext()
        wanted, skipped = set(only), set(exclude)
        loaded = _load(group)
        broken = [f"{item.name} ({item.error})" for item in loaded if item.error]
        if broken:
            # A safeguard that fails to import must stop start-up, not vanish quietly.
            raise ConfigError(f"detectors failed to load: {'; '.join(broken)}")
        classes = {item.name: item.cls for item in loaded if item.cls is not None}
        missing = wanted - classes.keys()
        if missing:
            raise ConfigError(f"detectors not installed: {', '.join(sorted(missing))}")
        unknown = skipped - classes.keys()
        if unknown:
            raise ConfigError(f"cannot disable detectors that are not installed: {sorted(unknown)}")
        registry = cls()
        unavailable: list[str] = []
        for name, detector_cls in classes.items():
            if name in skipped:
                registry.turned_off[name] = "disabled (CONSENTGATE_DISABLED_DETECTORS)"
                continue
            if wanted and name not in wanted:
                registry.turned_off[name] = "not listed in CONSENTGATE_DETECTORS"
                continue
            reason = detector_cls.unavailable_reason()
            if reason is not None:
                unavailable.append(f"{name} ({reason})")
                continue
            registry.add(detector_cls.from_context(context))
        if unavailable:
            raise ConfigError(
                f"detectors cannot run here: {'; '.join(unavailable)}. Install what is missing, "
                "or turn them off explicitly with CONSENTGATE_DISABLED_DETECTORS"
            )
        return registry

    def add(self, detector: Detector) -> None:
        if detector.name in self._detectors:
            raise ConfigError(f"a detector named {detector.name!r} is already registered")
        self._detectors[detector.name] = detector

    def remove(self, name: str) -> None:
        if self._detectors.pop(name, None) is None:
            raise NotFound(f"no detector named {name!r}")

    def get(self, name: str) -> Detector:
        try:
            return self._detectors[name]
        except KeyError:
            raise NotFound(f"no detector named {name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._detectors)

    def for_input(self, inp: ScreenInput) -> list[Detector]:
        return [d for d in self._detectors.values() if d.applies_to(inp)]

    def warm_up(self) -> None:
        """Load every detector's models now, and run numpy's BLAS on one thread (see
        ``consentgate.threads``) as the models do."""
        one_blas_thread()
        for detector in self._detectors.values():
            detector.warm_up()

    def __iter__(self) -> Iterator[Detector]:
        return iter(list(self._detectors.values()))

    def __len__(self) -> int:
        return len(self._detectors)
