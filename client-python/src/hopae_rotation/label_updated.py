"""Secrets Manager's ``Secret Label Updated`` event. Mirrors ``client/label-updated.ts``."""

from __future__ import annotations

from typing import Any, Mapping


def is_current_label_update(event: Mapping[str, Any], secret_id: str) -> bool:
    """Whether ``event`` says AWSCURRENT of the secret moved: the moment to call ``provider.invalidate()``.

    The event (EventBridge, default bus) looks like ``{"source": "aws.secretsmanager",
    "detail-type": "Secret Label Updated", "resources": [secret_arn], "detail": {"name",
    "labelUpdated", "versionId"}}``; ``secret_id`` is the secret's ARN or name.
    """
    if event.get("source") != "aws.secretsmanager" or event.get("detail-type") != "Secret Label Updated":
        return False
    detail = event.get("detail")
    if not isinstance(detail, Mapping) or detail.get("labelUpdated") != "AWSCURRENT":
        return False
    resources = event.get("resources")
    return detail.get("name") == secret_id or (isinstance(resources, list) and secret_id in resources)
