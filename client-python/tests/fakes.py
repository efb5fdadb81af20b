"""A Secrets Manager stand-in for unit tests: stages to values, a log of reads, and a gate."""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Dict, List, Optional

from hopae_rotation import HopaeCredentials

SECRET_ID = "hopae/apps/HqTRDIYH"
OLD = HopaeCredentials("HqTRDIYH", "a" * 64)
NEW = HopaeCredentials("HqTRDIYH", "b" * 64)


class ClientError(Exception):
    """botocore's ClientError shape: `response["Error"]["Code"]`."""

    def __init__(self, code: str) -> None:
        super().__init__(f"An error occurred ({code})")
        self.response = {"Error": {"Code": code, "Message": code}}


def as_json(pair: HopaeCredentials) -> str:
    return json.dumps({"clientId": pair.client_id, "clientSecret": pair.client_secret, "team": "kyc"})


class FakeSecretsManager:
    def __init__(self, current: "HopaeCredentials | str", pending: Optional[HopaeCredentials] = None) -> None:
        self.values: Dict[str, Any] = {}
        self.stages(current, pending)
        self.reads: List[str] = []
        self._lock = threading.Lock()
        # Set to hold every read until it is released (to make concurrency certain, without sleeps).
        self.gate: Optional[threading.Event] = None
        self.errors: Dict[str, Exception] = {}
        self.on_read: Optional[Callable[[str], None]] = None

    def stages(self, current: "HopaeCredentials | str", pending: Optional[HopaeCredentials] = None) -> None:
        self.values = {
            "AWSCURRENT": current if isinstance(current, str) else as_json(current),
            "AWSPENDING": as_json(pending) if pending else None,
        }

    def get_secret_value(self, SecretId: str, VersionStage: str) -> Dict[str, Any]:  # noqa: N803 (boto3's names)
        assert SecretId == SECRET_ID
        with self._lock:
            self.reads.append(VersionStage)
        if self.on_read:
            self.on_read(VersionStage)
        if self.gate is not None:
            assert self.gate.wait(timeout=10), "the gate was never opened"
        if VersionStage in self.errors:
            raise self.errors[VersionStage]
        value = self.values.get(VersionStage)
        if value is None:
            raise ClientError("ResourceNotFoundException")
        return {"SecretString": value, "VersionStages": [VersionStage]}

    def count(self, stage: str) -> int:
        return self.reads.count(stage)
