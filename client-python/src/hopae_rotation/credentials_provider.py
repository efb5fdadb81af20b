"""The credentials an application calls Hopae with, read from Secrets Manager and kept in memory.

Mirrors ``client/credentials-provider.ts`` of the TypeScript package.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Optional, TypeVar

DEFAULT_TTL_SECONDS = 300.0
"""How long a pair read from Secrets Manager is reused: 5 minutes."""

DEFAULT_MAX_REFRESH_WAIT_SECONDS = 2.0
"""After a 401, how long to keep looking for a newer pair: 2 seconds."""

# First pause of the look-again loop; later pauses double.
_FIRST_PAUSE_SECONDS = 0.1

_T = TypeVar("_T")


@dataclass(frozen=True)
class HopaeCredentials:
    """A Hopae app's Basic-auth pair. ``repr()`` leaves the secret out."""

    client_id: str
    client_secret: str = field(repr=False)


class HopaeSecretFormatError(ValueError):
    """The secret's value is not JSON with a non-empty ``clientId`` and ``clientSecret``.

    The message names the secret and the stage, never the value.
    """


class HopaeCredentialsProvider:
    """Reads a Hopae app's pair from Secrets Manager and keeps it in memory; thread-safe.

    Hopae kills the old clientSecret the moment a rotation creates the new one, while AWSCURRENT
    still names the old one until the rotation finishes: after a 401,
    :meth:`refresh_after_rejection` looks in AWSCURRENT and then AWSPENDING for a newer pair.

    :param secret_id: ARN or name of the secret the rotation function keeps fresh, holding
        ``{"clientId": "...", "clientSecret": "...", ...}`` (other fields are ignored).
    :param ttl_seconds: how long a pair is reused before AWSCURRENT is read again; 0 or more.
        Default 300.
    :param max_refresh_wait_seconds: after a 401, how long to keep looking when neither AWSCURRENT
        nor AWSPENDING holds a newer pair yet (between Hopae's commit and the rotation function
        storing the new secret, it is nowhere to read); 0 or more. Default 2.
    :param client: a boto3 Secrets Manager client (anything with ``get_secret_value``).
        Default ``boto3.client("secretsmanager")``, configured the standard way (region,
        credentials, ``AWS_ENDPOINT_URL_SECRETS_MANAGER``).
    :param now: a monotonic clock in seconds. Default :func:`time.monotonic`.
    :param sleep: pauses the calling thread. Default :func:`time.sleep`.
    :raises ValueError: a negative ``ttl_seconds`` or ``max_refresh_wait_seconds``.

    The IAM the application needs: ``secretsmanager:GetSecretValue`` on the secret (both stages;
    IAM does not tell them apart), and ``kms:Decrypt`` through Secrets Manager for a customer
    managed key. Secret values stay in memory: nothing here logs or prints them.
    """

    def __init__(
        self,
        secret_id: str,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_refresh_wait_seconds: float = DEFAULT_MAX_REFRESH_WAIT_SECONDS,
        client: Any = None,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        _check_seconds("ttl_seconds", ttl_seconds)
        _check_seconds("max_refresh_wait_seconds", max_refresh_wait_seconds)
        if client is None:
            import boto3

            client = boto3.client("secretsmanager")
        self.secret_id = secret_id
        self.ttl_seconds = float(ttl_seconds)
        self.max_refresh_wait_seconds = float(max_refresh_wait_seconds)
        self._client = client
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()
        self._cached: Optional[tuple[HopaeCredentials, float]] = None
        self._reading: Optional[_Flight[HopaeCredentials]] = None
        self._refreshing: Optional[tuple[str, _Flight[Optional[HopaeCredentials]]]] = None

    def get(self) -> HopaeCredentials:
        """The cached pair, or AWSCURRENT read once for every thread that asks meanwhile.

        :raises HopaeSecretFormatError: AWSCURRENT is not a pair.
        :raises botocore.exceptions.ClientError: Secrets Manager refused the read.
        """
        with self._lock:
            if self._cached is not None and self._now() < self._cached[1]:
                return self._cached[0]
            flight = self._reading
            leader = flight is None
            if flight is None:
                flight = self._reading = _Flight()
        if not leader:
            return flight.wait()
        try:
            credentials = self._read("AWSCURRENT")
            assert credentials is not None  # only AWSPENDING may be empty
            self._remember(credentials)
            flight.succeed(credentials)
            return credentials
        except BaseException as error:
            flight.fail(error)
            raise
        finally:
            with self._lock:
                if self._reading is flight:
                    self._reading = None

    def refresh_after_rejection(self, rejected: HopaeCredentials) -> Optional[HopaeCredentials]:
        """After Hopae answered 401 to ``rejected``: a newer pair, or None when none turns up.

        Looks in AWSCURRENT, then AWSPENDING (during a rotation the new secret is only there),
        again and again with growing pauses for up to ``max_refresh_wait_seconds``. A burst of
        401s for the same pair, from any number of threads, shares one refresh; callers that come
        after it get its result from the cache without reading again.

        :raises botocore.exceptions.ClientError: Secrets Manager refused a read.
        :raises HopaeSecretFormatError: AWSCURRENT is not a pair.
        """
        with self._lock:
            if self._cached is not None and self._cached[0] != rejected:
                return self._cached[0]
            refreshing = self._refreshing
            leader = refreshing is None or refreshing[0] != rejected.client_secret
            if leader:
                flight: _Flight[Optional[HopaeCredentials]] = _Flight()
                self._refreshing = (rejected.client_secret, flight)
            else:
                assert refreshing is not None
                flight = refreshing[1]
        if not leader:
            return flight.wait()
        try:
            newer = self._find_newer(rejected)
            flight.succeed(newer)
            return newer
        except BaseException as error:
            flight.fail(error)
            raise
        finally:
            with self._lock:
                if self._refreshing is not None and self._refreshing[1] is flight:
                    self._refreshing = None

    def invalidate(self) -> None:
        """Forgets the cached pair, e.g. on Secrets Manager's ``Secret Label Updated`` event."""
        with self._lock:
            self._cached = None

    def _find_newer(self, rejected: HopaeCredentials) -> Optional[HopaeCredentials]:
        waited = 0.0
        pause = _FIRST_PAUSE_SECONDS
        while True:
            for stage in ("AWSCURRENT", "AWSPENDING"):
                candidate = self._read(stage)
                if candidate is not None and candidate != rejected:
                    self._remember(candidate)
                    return candidate
            if waited >= self.max_refresh_wait_seconds:
                return None
            step = min(pause, self.max_refresh_wait_seconds - waited)
            self._sleep(step)
            waited += step
            pause *= 2

    def _remember(self, credentials: HopaeCredentials) -> None:
        with self._lock:
            self._cached = (credentials, self._now() + self.ttl_seconds)

    def _read(self, stage: str) -> Optional[HopaeCredentials]:
        """The pair in a stage; None when AWSPENDING has no value (outside a rotation)."""
        try:
            answer = self._client.get_secret_value(SecretId=self.secret_id, VersionStage=stage)
        except Exception as error:
            if stage == "AWSPENDING" and _error_code(error) == "ResourceNotFoundException":
                return None
            raise
        return _parse_credentials(answer.get("SecretString"), stage, self.secret_id, optional=stage == "AWSPENDING")


class _Flight(Generic[_T]):
    """One read that other threads wait for instead of repeating it."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: Optional[_T] = None
        self._error: Optional[BaseException] = None

    def succeed(self, value: _T) -> None:
        self._value = value
        self._done.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._done.set()

    def wait(self) -> _T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def _parse_credentials(value: object, stage: str, secret_id: str, *, optional: bool) -> Optional[HopaeCredentials]:
    """``{"clientId", "clientSecret", ...}``; the error names what is wrong and what to run, never the value."""
    parsed: object = None
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
    if isinstance(parsed, dict):
        client_id = parsed.get("clientId")
        client_secret = parsed.get("clientSecret")
        if isinstance(client_id, str) and client_id and isinstance(client_secret, str) and client_secret:
            return HopaeCredentials(client_id, client_secret)
    if optional:
        return None
    label = f"{stage} of {secret_id}"
    # A secret created for the construct's clientIds holds only its clientId until the first rotation.
    if isinstance(parsed, dict) and isinstance(parsed.get("clientId"), str) and parsed["clientId"] and "clientSecret" not in parsed:
        raise HopaeSecretFormatError(
            f"{label} has a clientId but no clientSecret yet: its first rotation mints it. "
            f"Run `hopae-rotation rotate {secret_id} --wait` (or wait for its schedule); "
            f"`hopae-rotation doctor {secret_id}` tells what blocks it"
        )
    raise HopaeSecretFormatError(
        f"{label} is not JSON with a non-empty clientId and clientSecret: `hopae-rotation doctor {secret_id}` tells what is wrong and the fix"
    )


def _error_code(error: BaseException) -> Optional[str]:
    """botocore's ClientError code, without importing botocore (any client with that shape works)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return code if isinstance(code, str) else None
    return None


def _check_seconds(option: str, value: object) -> None:
    """Refuses what is not a finite duration in seconds: TypeError for a non-number (a string from
    an environment variable must be converted first), ValueError for a negative, NaN or endless one."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{option} must be a number of seconds, e.g. 300; got {type(value).__name__} {value!r} (convert it with float())")
    if not (value >= 0 and value != float("inf")):
        raise ValueError(f"{option} must be zero or more seconds, and finite; got {value!r}")
