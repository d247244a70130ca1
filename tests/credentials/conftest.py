"""The credential tests run the app with an https public URL: platforms (and so the instance's
own issuer, registered to accept its credentials back) must have https issuers."""

from __future__ import annotations

import pytest

from app.settings import Settings


@pytest.fixture(scope="session")
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"public_url": "https://testserver"})
