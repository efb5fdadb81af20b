"""Keeps applications that call Hopae working through a rotation of their clientSecret.

Hopae kills the old clientSecret the moment a rotation creates the new one, while Secrets
Manager's AWSCURRENT names the old one until the rotation finishes. After a 401 this package
re-reads the secret (AWSCURRENT, then AWSPENDING) and calls once more::

    from hopae_rotation import HopaeAuth, HopaeCredentialsProvider

    credentials = HopaeCredentialsProvider("hopae/apps/HqTRDIYH")
    response = requests.get("https://api.hopae.com/connect/v1/providers", auth=HopaeAuth(credentials))

It depends on boto3 only; ``HopaeAuth`` needs requests (``pip install hopae-rotation[requests]``).
It logs and prints nothing. Python twin of ``hopae-secret-rotation/client`` (TypeScript).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .call_hopae import basic_authorization, call_hopae
from .credentials_provider import (
    DEFAULT_MAX_REFRESH_WAIT_SECONDS,
    DEFAULT_TTL_SECONDS,
    HopaeCredentials,
    HopaeCredentialsProvider,
    HopaeSecretFormatError,
)
from .label_updated import is_current_label_update

if TYPE_CHECKING:
    from .requests_auth import HopaeAuth

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_REFRESH_WAIT_SECONDS",
    "DEFAULT_TTL_SECONDS",
    "HopaeAuth",
    "HopaeCredentials",
    "HopaeCredentialsProvider",
    "HopaeSecretFormatError",
    "basic_authorization",
    "call_hopae",
    "is_current_label_update",
]


def __getattr__(name: str) -> Any:
    # HopaeAuth imports requests, an optional dependency: only when asked for.
    if name == "HopaeAuth":
        from .requests_auth import HopaeAuth

        return HopaeAuth
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
