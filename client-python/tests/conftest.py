"""Real parts for the tests: moto_server (Secrets Manager on loopback) and the project's Hopae
stand-in (local/hopae-stand-in.ts, run by local/stand-in-server.ts), one of each per session."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import string
import subprocess
import sys
import threading
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"


def _find_moto_server() -> str:
    for candidate in (os.environ.get("MOTO_SERVER"), shutil.which("moto_server"), str(ROOT / ".venv-moto" / "bin" / "moto_server")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "moto_server was not found on PATH or in .venv-moto/: "
        "python3 -m venv .venv-moto && .venv-moto/bin/pip install 'moto[server]==5.2.1'",
        pytrace=False,
    )


def _can_bind(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto_server on a free loopback port below the ephemeral range (as local/moto-server.ts picks)."""
    executable = _find_moto_server()
    for _ in range(5):
        port = random.randrange(20_000, 32_000)
        if not _can_bind(port):
            continue
        endpoint = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stderr is not None
        # Ready once this process says it holds the port (another may have taken it meanwhile).
        output: List[str] = []
        for line in process.stderr:
            output.append(line)
            if f"Running on {endpoint}" in line:
                break
        else:
            process.wait()
            if any("Address already in use" in line for line in output):
                continue
            pytest.fail(f"moto_server exited early: {''.join(output)[-500:]}", pytrace=False)
        # Drain stderr so moto never blocks on a full pipe.
        drain = threading.Thread(target=process.stderr.read, daemon=True)
        drain.start()
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=10).read()
            yield endpoint
        finally:
            process.terminate()
            process.wait(timeout=10)
            drain.join(timeout=10)
            process.stderr.close()
        return
    pytest.fail("no free port for moto_server after 5 attempts", pytrace=False)


@dataclass
class StandIn:
    """The Hopae stand-in in its own Node process, driven over JSON lines."""

    process: "subprocess.Popen[str]"
    base_url: str
    api_key: str

    def command(self, op: str, **arguments: Any) -> Dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.process.stdin.flush()
        reply: Dict[str, Any] = json.loads(self.process.stdout.readline())
        if "error" in reply:
            raise AssertionError(f"stand-in: {reply['error']}")
        return reply

    def count(self, route: str, client_id: str) -> int:
        return int(self.command("count", route=route, clientId=client_id)["count"])

    def rotate(self, client_id: str) -> str:
        """Rotates at Hopae as createSecret does: the old secret dies at once; returns the new one."""
        request = urllib.request.Request(
            f"{self.base_url}/apps/{client_id}/rotate-client-secret",
            method="POST",
            headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": str(uuid.uuid4())},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(json.loads(response.read())["clientSecret"])


@pytest.fixture(scope="session")
def stand_in() -> Iterator[StandIn]:
    tsx = ROOT / "node_modules" / ".bin" / "tsx"
    if not tsx.exists():
        pytest.fail(f"{tsx} is missing: run `npm ci` at the repository root ({ROOT})", pytrace=False)
    process = subprocess.Popen(
        [str(tsx), str(ROOT / "local" / "stand-in-server.ts")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stdin is not None
    first = process.stdout.readline()
    if not first:
        process.wait()
        pytest.fail("the Hopae stand-in exited before it listened (see its stderr above)", pytrace=False)
    started = json.loads(first)
    try:
        yield StandIn(process, started["baseUrl"], started["apiKey"])
    finally:
        process.stdin.close()  # it exits when stdin closes
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def sm(moto_endpoint: str) -> Any:
    return boto3.client(
        "secretsmanager",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


class CountingClient:
    """A real Secrets Manager client that counts GetSecretValue calls by stage (thread-safe enough: CPython's list.append is atomic)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.stages: List[str] = []

    def get_secret_value(self, **kwargs: Any) -> Any:
        self.stages.append(kwargs.get("VersionStage", ""))
        return self._client.get_secret_value(**kwargs)

    def reads(self, stage: str) -> int:
        return self.stages.count(stage)


@dataclass
class App:
    """A Hopae app registered at the stand-in, its secret in moto, and the rotation phases."""

    client_id: str
    arn: str
    secret: str
    sm: Any
    stand_in: StandIn
    secrets_seen: List[str] = field(default_factory=list)
    pending_token: Optional[str] = None

    def hopae_commits(self) -> str:
        """createSecret's Hopae call: the stored secret dies; the new one is nowhere to read yet."""
        new_secret = self.stand_in.rotate(self.client_id)
        self.secrets_seen.append(new_secret)
        return new_secret

    def store_pending(self, new_secret: str) -> None:
        """createSecret's store: AWSPENDING holds the new pair."""
        self.pending_token = str(uuid.uuid4())
        self.sm.put_secret_value(
            SecretId=self.arn,
            ClientRequestToken=self.pending_token,
            SecretString=json.dumps({"clientId": self.client_id, "clientSecret": new_secret}),
            VersionStages=["AWSPENDING"],
        )

    def finish(self) -> None:
        """finishSecret: AWSCURRENT moves to the pending version."""
        current = next(
            version["VersionId"]
            for version in self.sm.list_secret_version_ids(SecretId=self.arn)["Versions"]
            if "AWSCURRENT" in version["VersionStages"]
        )
        self.sm.update_secret_version_stage(
            SecretId=self.arn, VersionStage="AWSCURRENT", MoveToVersionId=self.pending_token, RemoveFromVersionId=current
        )

    def accepted(self, secret: str) -> bool:
        return bool(self.stand_in.command("accepts", clientId=self.client_id, clientSecret=secret)["accepts"])

    @property
    def providers_url(self) -> str:
        return f"{self.stand_in.base_url}/providers"


@pytest.fixture
def app(sm: Any, stand_in: StandIn) -> App:
    """A fresh app per test: 8 alphanumerics, as Hopae documents clientIds."""
    client_id = "".join(random.choices(string.ascii_letters + string.digits, k=8))
    secret = str(stand_in.command("addApp", clientId=client_id)["clientSecret"])
    created = sm.create_secret(
        Name=f"hopae/apps/{client_id}", SecretString=json.dumps({"clientId": client_id, "clientSecret": secret, "team": "kyc"})
    )
    return App(client_id, created["ARN"], secret, sm, stand_in, secrets_seen=[secret])


def pytest_report_header() -> str:
    return f"hopae_rotation tests: python {sys.version.split()[0]}, repository {ROOT}"
