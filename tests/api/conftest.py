"""An app wired with fake detectors on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from consentgate.api.app import create_app
from consentgate.people import Role
from consentgate.service.keys import Scope
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from tests.api.fakes import fake_engine


@dataclass
class Api:
    client: TestClient
    services: Services

    def key(
        self, *scopes: Scope, rate: float | None = None, user: str | None = None
    ) -> dict[str, str]:
        new = self.services.keys.create(list(scopes), name="test", rate_limit_per_s=rate, user=user)
        return {"Authorization": f"Bearer {new.key}"}

    def user_key(self, name: str, role: Role, *scopes: Scope) -> dict[str, str]:
        """A key acting for a new user ``name`` (``moderate`` unless scopes are given)."""
        self.services.keys.users.add(name, role)
        return self.key(*(scopes or (Scope.MODERATE,)), user=name)


def make_settings(database_url: str, **overrides: object) -> Settings:
    return Settings(database_url=database_url, **overrides)  # type: ignore[arg-type]


@contextmanager
def running(settings: Settings, **client_options: object) -> Iterator[Api]:
    app = create_app(
        lambda: Services.build(settings, engine_factory=fake_engine),
        background=False,
        max_body_size=settings.max_request_bytes,
        api_docs=settings.api_docs,
    )
    with TestClient(app, **client_options) as client:  # type: ignore[arg-type]
        services = app.state.runtime.ready_services()
        yield Api(client, services)


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    """The API on SQLite and on PostgreSQL."""
    with running(make_settings(database_url)) as api:
        yield api


@pytest.fixture
def sqlite_api(sqlite_url: str) -> Iterator[Api]:
    """The API on SQLite only, for tests whose subject is not the store."""
    with running(make_settings(sqlite_url)) as api:
        yield api


def png(width: int = 64, height: int = 48) -> bytes:
    """A benign drawn picture (a house), as PNG bytes."""
    img = Image.new("RGB", (width, height), (135, 206, 235))
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 20, 40, 46), fill=(200, 80, 60))
    draw.polygon([(8, 20), (25, 6), (42, 20)], fill=(120, 60, 40))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def photo(name: str = "chelsea") -> bytes:
    """A benign sample photo from scikit-image (a cat by default), as JPEG bytes."""
    from skimage import data

    out = io.BytesIO()
    Image.fromarray(getattr(data, name)()).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
