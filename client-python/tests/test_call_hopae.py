"""call_hopae and basic_authorization on their own (fake Secrets Manager, fake responses)."""

from __future__ import annotations

import io
import urllib.error
from typing import Any, List, Optional

import pytest
import requests

from hopae_rotation import HopaeCredentials, HopaeCredentialsProvider, basic_authorization, call_hopae

from .fakes import NEW, OLD, SECRET_ID, FakeSecretsManager


class Response:
    """A response with `status_code` (requests, httpx) or `status` (urllib)."""

    def __init__(self, status: int, attribute: str = "status_code") -> None:
        setattr(self, attribute, status)
        self.closed = False

    def close(self) -> None:
        self.closed = True


def provider(sm: FakeSecretsManager) -> HopaeCredentialsProvider:
    return HopaeCredentialsProvider(SECRET_ID, client=sm, sleep=lambda _: None)


class Recorder:
    """A call that answers each attempt in turn and records the secret it was given."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.secrets: List[str] = []

    def __call__(self, pair: HopaeCredentials) -> Any:
        self.secrets.append(pair.client_secret)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def test_calls_once_with_the_current_pair_when_hopae_accepts_it() -> None:
    sm = FakeSecretsManager(OLD, NEW)
    call = Recorder(Response(200))

    assert call_hopae(provider(sm), call).status_code == 200
    assert call.secrets == [OLD.client_secret]
    assert sm.count("AWSPENDING") == 0


@pytest.mark.parametrize("attribute", ["status_code", "status"])
def test_after_a_401_calls_once_more_with_the_newer_pair_and_closes_the_rejected_response(attribute: str) -> None:
    sm = FakeSecretsManager(OLD, NEW)
    rejected = Response(401, attribute)
    call = Recorder(rejected, Response(200, attribute))

    result = call_hopae(provider(sm), call)

    assert getattr(result, attribute) == 200
    assert call.secrets == [OLD.client_secret, NEW.client_secret]
    assert rejected.closed


def test_a_raised_requests_http_error_with_a_401_response_is_retried() -> None:
    sm = FakeSecretsManager(OLD, NEW)
    response = requests.Response()
    response.status_code = 401
    call = Recorder(requests.HTTPError("401 Client Error", response=response), "ok")

    assert call_hopae(provider(sm), call) == "ok"
    assert call.secrets == [OLD.client_secret, NEW.client_secret]


def test_a_raised_urllib_http_error_401_is_retried() -> None:
    sm = FakeSecretsManager(OLD, NEW)
    error = urllib.error.HTTPError("https://api.hopae.com/connect/v1/providers", 401, "Unauthorized", None, io.BytesIO(b"{}"))  # type: ignore[arg-type]
    call = Recorder(error, "ok")

    assert call_hopae(provider(sm), call) == "ok"


def test_never_loops_the_second_answer_passes_through_even_if_it_is_a_401_too() -> None:
    sm = FakeSecretsManager(OLD, NEW)
    second = Response(401)
    call = Recorder(Response(401), second)

    assert call_hopae(provider(sm), call) is second
    assert len(call.secrets) == 2


def test_returns_the_first_401_when_no_newer_pair_turns_up() -> None:
    sm = FakeSecretsManager(OLD)
    first = Response(401)
    call = Recorder(first)

    assert call_hopae(provider(sm), call) is first
    assert call.secrets == [OLD.client_secret]
    assert not first.closed


def test_re_raises_the_first_error_when_no_newer_pair_turns_up() -> None:
    sm = FakeSecretsManager(OLD)
    response = requests.Response()
    response.status_code = 401
    error = requests.HTTPError("401", response=response)

    with pytest.raises(requests.HTTPError) as raised:
        call_hopae(provider(sm), Recorder(error))
    assert raised.value is error


@pytest.mark.parametrize("outcome", [Response(200), Response(403), Response(500), Response(401, "code"), "401", None])
def test_every_other_outcome_passes_through_untouched_without_reading_the_secret_again(outcome: Optional[Any]) -> None:
    sm = FakeSecretsManager(OLD, NEW)
    call = Recorder(outcome)

    assert call_hopae(provider(sm), call) is outcome
    assert sm.reads == ["AWSCURRENT"]


def test_other_errors_are_raised_untouched() -> None:
    sm = FakeSecretsManager(OLD, NEW)
    error = ConnectionError("reset")

    with pytest.raises(ConnectionError) as raised:
        call_hopae(provider(sm), Recorder(error))
    assert raised.value is error
    assert sm.reads == ["AWSCURRENT"]


def test_is_unauthorized_decides_what_counts_as_a_rejection() -> None:
    sm = FakeSecretsManager(OLD, NEW)
    call = Recorder({"error": "AUTH.INVALID_CREDENTIALS"}, {"ok": True})

    result = call_hopae(provider(sm), call, is_unauthorized=lambda outcome: isinstance(outcome, dict) and "error" in outcome)

    assert result == {"ok": True}
    assert call.secrets == [OLD.client_secret, NEW.client_secret]


def test_basic_authorization_is_base64_of_client_id_colon_secret() -> None:
    assert basic_authorization(HopaeCredentials("HqTRDIYH", "s3cr:t")) == "Basic SHFUUkRJWUg6czNjcjp0"
