"""The helper through each phase of a rotation, against moto_server (Secrets Manager) and the
Hopae stand-in: Hopae has committed (the stored secret is dead, the new one is nowhere), the new
pair is stored as AWSPENDING, AWSCURRENT has moved. Requests go over HTTP to the stand-in."""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator, List

import pytest
import requests

from hopae_rotation import HopaeAuth, HopaeCredentials, HopaeCredentialsProvider, basic_authorization, call_hopae

from .conftest import App, CountingClient


def provider_for(app: App, sleep: Any = None, **options: Any) -> "tuple[HopaeCredentialsProvider, CountingClient]":
    client = CountingClient(app.sm)
    kwargs: dict = {"client": client, **options}
    if sleep is not None:
        kwargs["sleep"] = sleep
    return HopaeCredentialsProvider(app.arn, **kwargs), client


def get_providers(url: str, pair: HopaeCredentials) -> requests.Response:
    return requests.get(url, headers={"Authorization": basic_authorization(pair)}, timeout=10)


def test_before_any_rotation_one_call_and_one_read(app: App) -> None:
    credentials, sm = provider_for(app)

    response = call_hopae(credentials, lambda pair: get_providers(app.providers_url, pair))

    assert response.status_code == 200
    assert sm.stages == ["AWSCURRENT"]


def test_hopae_committed_and_nothing_stored_yet_the_helper_waits_for_the_store(app: App) -> None:
    credentials, sm = provider_for(
        app,
        # createSecret stores the new pair while the helper pauses (the gap after Hopae's commit).
        sleep=lambda _: app.store_pending(new_secret) if app.pending_token is None else None,
    )
    credentials.get()
    new_secret = app.hopae_commits()

    response = call_hopae(credentials, lambda pair: get_providers(app.providers_url, pair))

    assert response.status_code == 200
    assert credentials.get().client_secret == new_secret
    assert sm.stages == ["AWSCURRENT", "AWSCURRENT", "AWSPENDING", "AWSCURRENT", "AWSPENDING"]


def test_new_pair_in_awspending_one_retry_with_it(app: App) -> None:
    credentials, sm = provider_for(app)
    credentials.get()
    app.store_pending(app.hopae_commits())

    response = call_hopae(credentials, lambda pair: get_providers(app.providers_url, pair))

    assert response.status_code == 200
    assert app.stand_in.count("providers", app.client_id) == 2
    assert sm.stages == ["AWSCURRENT", "AWSCURRENT", "AWSPENDING"]


def test_awscurrent_moved_the_retry_reads_it_and_not_awspending(app: App) -> None:
    credentials, sm = provider_for(app)
    credentials.get()
    app.store_pending(app.hopae_commits())
    app.finish()

    response = call_hopae(credentials, lambda pair: get_providers(app.providers_url, pair))

    assert response.status_code == 200
    assert sm.stages == ["AWSCURRENT", "AWSCURRENT"]


def test_when_the_new_secret_never_appears_the_401_comes_back_after_the_wait(app: App) -> None:
    pauses: List[float] = []
    credentials, _ = provider_for(app, sleep=pauses.append)
    credentials.get()
    app.hopae_commits()  # rotated elsewhere: Secrets Manager never learns the new secret

    response = call_hopae(credentials, lambda pair: get_providers(app.providers_url, pair))

    assert response.status_code == 401
    assert sum(pauses) == pytest.approx(2.0)
    assert app.stand_in.count("providers", app.client_id) == 1


def test_a_burst_of_401s_from_20_threads_makes_one_refresh_and_every_call_succeeds(app: App) -> None:
    credentials, sm = provider_for(app)
    credentials.get()
    app.store_pending(app.hopae_commits())
    sm.stages.clear()
    session = requests.Session()
    session.auth = HopaeAuth(credentials)

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: session.get(app.providers_url, timeout=10).status_code, range(20)))

    assert statuses == [200] * 20
    assert (sm.reads("AWSCURRENT"), sm.reads("AWSPENDING")) == (1, 1)


def test_urllib_raises_on_401_and_the_helper_retries_it(app: App) -> None:
    credentials, _ = provider_for(app)
    credentials.get()
    app.store_pending(app.hopae_commits())

    def call(pair: HopaeCredentials) -> int:
        request = urllib.request.Request(app.providers_url, headers={"Authorization": basic_authorization(pair)})
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    assert call_hopae(credentials, call) == 200


class TestHopaeAuth:
    def test_requests_get_with_hopae_auth_survives_a_rotation_and_keeps_the_401_in_history(self, app: App) -> None:
        credentials, _ = provider_for(app)
        auth = HopaeAuth(credentials)
        assert requests.get(app.providers_url, auth=auth, timeout=10).status_code == 200
        app.store_pending(app.hopae_commits())

        response = requests.get(app.providers_url, auth=auth, timeout=10)

        assert response.status_code == 200
        assert [r.status_code for r in response.history] == [401]
        assert response.request.headers["Authorization"] == basic_authorization(credentials.get())

    def test_a_seekable_file_body_is_sent_again_from_where_it_started(self, app: App) -> None:
        credentials, _ = provider_for(app)
        auth = HopaeAuth(credentials)
        credentials.get()
        app.store_pending(app.hopae_commits())
        body = io.BytesIO(b"prefix{}")
        body.read(6)

        # GET /providers ignores a body; the retry mechanics are what is checked.
        first = requests.get(app.providers_url, data=body, auth=auth, timeout=10)
        second = requests.get(app.providers_url, data=b"{}", auth=auth, timeout=10)

        assert [r.status_code for r in first.history] == [401]
        assert first.status_code == 200
        assert first.request.body is body and body.read() == b""
        assert (second.status_code, second.history) == (200, [])

    def test_a_body_that_cannot_be_sent_twice_returns_the_401(self, app: App) -> None:
        credentials, client = provider_for(app)
        auth = HopaeAuth(credentials)
        credentials.get()
        app.store_pending(app.hopae_commits())

        def chunks() -> Iterator[bytes]:
            yield b"{}"

        response = requests.get(app.providers_url, data=chunks(), auth=auth, timeout=10)

        assert response.status_code == 401
        assert client.stages == ["AWSCURRENT"]


def test_the_default_client_uses_the_standard_aws_configuration(app: App, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }.items():
        monkeypatch.setenv(name, value)

    assert HopaeCredentialsProvider(app.arn).get() == HopaeCredentials(app.client_id, app.secret)


def test_logs_and_prints_no_secret_through_a_rotation_and_its_failures(
    app: App, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    # Our loggers at DEBUG (there are none); botocore itself logs response bodies at DEBUG, which docs/client.md warns about.
    caplog.set_level(logging.DEBUG, logger="hopae_rotation")
    credentials, _ = provider_for(app, sleep=lambda _: None)
    auth = HopaeAuth(credentials)
    texts: List[str] = []

    requests.get(app.providers_url, auth=auth, timeout=10)
    app.store_pending(app.hopae_commits())
    requests.get(app.providers_url, auth=auth, timeout=10)
    app.hopae_commits()  # and again, never stored: the 401 comes back
    texts.append(repr(requests.get(app.providers_url, auth=auth, timeout=10)))
    texts += [repr(credentials.get()), str(credentials.get()), repr(credentials)]
    app.sm.put_secret_value(SecretId=app.arn, SecretString=f'{{"clientId": "{app.client_id}", "clientSecret": "{app.secrets_seen[-1]}"')
    credentials.invalidate()
    with pytest.raises(ValueError) as raised:
        credentials.get()
    texts.append(str(raised.value))

    captured = capsys.readouterr()
    hopae_records = [r for r in caplog.records if r.name.startswith("hopae_rotation")]
    everything = "\n".join([captured.out, captured.err, caplog.text, *texts])
    assert hopae_records == []
    assert captured.out == captured.err == ""
    for secret in app.secrets_seen:
        assert secret not in everything
