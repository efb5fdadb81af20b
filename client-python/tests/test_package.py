"""The package's surface: names, version, the event helper."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import hopae_rotation
from hopae_rotation import is_current_label_update

ROOT = Path(__file__).resolve().parents[2]
ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf"


def event(**overrides: object) -> dict:
    return {
        "source": "aws.secretsmanager",
        "detail-type": "Secret Label Updated",
        "resources": [ARN],
        "detail": {"name": "hopae/apps/HqTRDIYH", "labelUpdated": "AWSCURRENT", "versionId": "v2"},
        **overrides,
    }


def test_the_version_is_the_npm_package_version() -> None:
    npm = json.loads((ROOT / "package.json").read_text())["version"]
    pyproject = tomllib.loads((ROOT / "client-python" / "pyproject.toml").read_text())["project"]["version"]
    assert hopae_rotation.__version__ == pyproject == npm


def test_every_public_name_imports() -> None:
    for name in hopae_rotation.__all__:
        assert getattr(hopae_rotation, name) is not None


def test_recognises_awscurrent_moving_by_name_or_by_arn() -> None:
    assert is_current_label_update(event(), "hopae/apps/HqTRDIYH")
    assert is_current_label_update(event(), ARN)


def test_ignores_other_secrets_labels_sources_and_events() -> None:
    assert not is_current_label_update(event(), "hopae/apps/Other")
    assert not is_current_label_update(event(detail={"name": "hopae/apps/HqTRDIYH", "labelUpdated": "AWSPENDING"}), ARN)
    assert not is_current_label_update(event(source="aws.events"), ARN)
    assert not is_current_label_update(event(**{"detail-type": "AWS API Call via CloudTrail"}), ARN)
    assert not is_current_label_update({"source": "aws.secretsmanager", "detail-type": "Secret Label Updated"}, ARN)
