"""HopaeCredentialsProvider on its own, against a fake Secrets Manager (the same cases as the
TypeScript client's test/unit/client.test.ts, plus threads)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, List, Optional

import pytest

from hopae_rotation import credentials_provider
from hopae_rotation import (
    DEFAULT_MAX_REFRESH_WAIT_SECONDS,
    DEFAULT_TTL_SECONDS,
    HopaeCredentials,
    HopaeCredentialsProvider,
    HopaeSecretFormatError,
)

from .fakes import NEW, OLD, SECRET_ID, ClientError, FakeSecretsManager


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def provider(client: FakeSecretsManager, ttl_seconds: float = 60, clock: Optional[Clock] = None, pauses: Optional[List[float]] = None, **options: Any) -> HopaeCredentialsProvider:
    recorded = pauses if pauses is not None else []
    return HopaeCredentialsProvider(
        SECRET_ID, client=client, ttl_seconds=ttl_seconds, now=clock or Clock(), sleep=recorded.append, **options
    )


def run_threads(count: int, target: Callable[[], Any]) -> List[Any]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return [future.result(timeout=30) for future in [pool.submit(target) for _ in range(count)]]


def run_threads_through_gate(sm: FakeSecretsManager, count: int, target: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """Runs `target` in `count` threads, holding Secrets Manager's first answer until one thread
    is reading and all the others wait for that read: they overlap for certain."""
    arrived = threading.Semaphore(0)
    gate = sm.gate = threading.Event()
    sm.on_read = lambda _stage: arrived.release()
    original_wait = credentials_provider._Flight.wait

    def counted_wait(flight: Any) -> Any:
        arrived.release()
        return original_wait(flight)

    monkeypatch.setattr(credentials_provider._Flight, "wait", counted_wait)

    def open_when_all_arrived() -> None:
        for _ in range(count):
            assert arrived.acquire(timeout=10)
        sm.on_read = None
        gate.set()

    opener = threading.Thread(target=open_when_all_arrived)
    opener.start()
    try:
        return run_threads(count, target)
    finally:
        opener.join()
        sm.gate = None
        monkeypatch.undo()


class TestGet:
    def test_defaults_are_those_of_the_typescript_client(self) -> None:
        assert DEFAULT_TTL_SECONDS == 300
        assert DEFAULT_MAX_REFRESH_WAIT_SECONDS == 2
        made = HopaeCredentialsProvider(SECRET_ID, client=FakeSecretsManager(OLD))
        assert (made.ttl_seconds, made.max_refresh_wait_seconds) == (300, 2)

    def test_reads_awscurrent_once_for_concurrent_threads_and_reuses_it_within_the_ttl(self, monkeypatch: pytest.MonkeyPatch) -> None:
        sm = FakeSecretsManager(OLD)
        clock = Clock()
        credentials = provider(sm, ttl_seconds=1, clock=clock)

        results = run_threads_through_gate(sm, 10, credentials.get, monkeypatch)
        clock.t = 0.999
        credentials.get()

        assert results == [OLD] * 10
        assert sm.count("AWSCURRENT") == 1

    def test_reads_again_once_the_ttl_has_passed_and_after_invalidate(self) -> None:
        sm = FakeSecretsManager(OLD)
        clock = Clock()
        credentials = provider(sm, ttl_seconds=1, clock=clock)

        credentials.get()
        clock.t = 1
        credentials.get()
        credentials.invalidate()
        credentials.get()

        assert sm.count("AWSCURRENT") == 3

    def test_a_failed_read_reaches_every_waiting_thread_and_the_next_get_reads_again(self, monkeypatch: pytest.MonkeyPatch) -> None:
        sm = FakeSecretsManager(OLD)
        sm.errors["AWSCURRENT"] = ClientError("AccessDeniedException")
        credentials = provider(sm)

        def attempt() -> str:
            try:
                credentials.get()
            except ClientError as error:
                return error.response["Error"]["Code"]
            return "no error"

        assert run_threads_through_gate(sm, 5, attempt, monkeypatch) == ["AccessDeniedException"] * 5
        assert sm.count("AWSCURRENT") == 1
        del sm.errors["AWSCURRENT"]
        assert credentials.get() == OLD

    def test_fails_with_a_message_naming_the_secret_not_its_value_when_awscurrent_is_not_a_pair(self) -> None:
        truncated = f'{{"clientId": "HqTRDIYH", "clientSecret": "{OLD.client_secret}"'

        with pytest.raises(HopaeSecretFormatError) as raised:
            provider(FakeSecretsManager(truncated)).get()

        assert str(raised.value) == (
            f"AWSCURRENT of {SECRET_ID} is not JSON with a non-empty clientId and clientSecret: "
            f"`hopae-rotation doctor {SECRET_ID}` tells what is wrong and the fix"
        )
        assert OLD.client_secret not in str(raised.value)
        assert raised.value.__cause__ is None and raised.value.__context__ is None

    def test_a_secret_before_its_first_rotation_says_to_rotate_it(self) -> None:
        # A secret the construct created for clientIds holds only the clientId until its first rotation.
        with pytest.raises(HopaeSecretFormatError) as raised:
            provider(FakeSecretsManager('{"clientId": "HqTRDIYH"}')).get()

        assert str(raised.value) == (
            f"AWSCURRENT of {SECRET_ID} has a clientId but no clientSecret yet: its first rotation mints it. "
            f"Run `hopae-rotation rotate {SECRET_ID} --wait` (or wait for its schedule); "
            f"`hopae-rotation doctor {SECRET_ID}` tells what blocks it"
        )

    @pytest.mark.parametrize(
        "value",
        ['{"clientId": "HqTRDIYH"}', '{"clientId": "", "clientSecret": "x"}', '{"clientId": "HqTRDIYH", "clientSecret": 7}', "[]", "not json"],
    )
    def test_refuses_every_value_that_is_not_a_pair(self, value: str) -> None:
        with pytest.raises(HopaeSecretFormatError, match="AWSCURRENT of"):
            provider(FakeSecretsManager(value)).get()

    @pytest.mark.parametrize("option", ["ttl_seconds", "max_refresh_wait_seconds"])
    @pytest.mark.parametrize("value", [-1, float("nan"), float("inf")])
    def test_refuses_a_negative_or_endless_duration(self, option: str, value: float) -> None:
        with pytest.raises(ValueError, match=f"{option} must be zero or more seconds, and finite"):
            HopaeCredentialsProvider(SECRET_ID, client=FakeSecretsManager(OLD), **{option: value})

    @pytest.mark.parametrize("option", ["ttl_seconds", "max_refresh_wait_seconds"])
    @pytest.mark.parametrize("value", ["300", None, True])
    def test_refuses_a_duration_that_is_not_a_number_naming_the_conversion(self, option: str, value: object) -> None:
        with pytest.raises(TypeError, match=f"{option} must be a number of seconds, e.g. 300; got .*convert it with float"):
            HopaeCredentialsProvider(SECRET_ID, client=FakeSecretsManager(OLD), **{option: value})  # type: ignore[arg-type]

    def test_the_pair_repr_leaves_the_secret_out(self) -> None:
        assert repr(OLD) == "HopaeCredentials(client_id='HqTRDIYH')"
        assert OLD.client_secret not in str(OLD)


class TestRefreshAfterRejection:
    def test_returns_a_newer_awscurrent_without_reading_awspending(self) -> None:
        sm = FakeSecretsManager(OLD)
        credentials = provider(sm)
        credentials.get()
        sm.stages(NEW)

        assert credentials.refresh_after_rejection(OLD) == NEW
        assert sm.count("AWSPENDING") == 0
        assert credentials.get() == NEW

    def test_looks_in_awspending_when_awscurrent_still_holds_the_rejected_pair(self) -> None:
        sm = FakeSecretsManager(OLD, NEW)
        credentials = provider(sm)
        credentials.get()

        assert credentials.refresh_after_rejection(OLD) == NEW
        assert credentials.get() == NEW
        assert sm.count("AWSCURRENT") == 2

    def test_looks_again_with_growing_pauses_up_to_the_wait_then_returns_none(self) -> None:
        sm = FakeSecretsManager(OLD)
        pauses: List[float] = []

        assert provider(sm, pauses=pauses).refresh_after_rejection(OLD) is None
        assert pauses == pytest.approx([0.1, 0.2, 0.4, 0.8, 0.5])
        assert sm.count("AWSPENDING") == 6

    def test_with_no_wait_looks_once(self) -> None:
        sm = FakeSecretsManager(OLD)
        pauses: List[float] = []

        assert provider(sm, pauses=pauses, max_refresh_wait_seconds=0).refresh_after_rejection(OLD) is None
        assert (pauses, sm.reads) == ([], ["AWSCURRENT", "AWSPENDING"])

    def test_finds_the_new_secret_once_createsecret_stored_it(self) -> None:
        # Between Hopae's commit and the store the new secret is nowhere; it appears during the second pause.
        sm = FakeSecretsManager(OLD)
        credentials = HopaeCredentialsProvider(
            SECRET_ID, client=sm, sleep=lambda _: sm.stages(OLD, NEW) if sm.count("AWSPENDING") == 2 else None
        )

        assert credentials.refresh_after_rejection(OLD) == NEW
        assert sm.count("AWSPENDING") == 3

    def test_serves_a_burst_of_401s_from_many_threads_with_one_refresh_and_later_callers_from_the_cache(self, monkeypatch: pytest.MonkeyPatch) -> None:
        sm = FakeSecretsManager(OLD, NEW)
        credentials = provider(sm)
        credentials.get()
        sm.reads.clear()

        results = run_threads_through_gate(sm, 25, lambda: credentials.refresh_after_rejection(OLD), monkeypatch)
        late = credentials.refresh_after_rejection(OLD)

        assert {r.client_secret if r else None for r in results} == {NEW.client_secret}
        assert late == NEW
        assert (sm.count("AWSCURRENT"), sm.count("AWSPENDING")) == (1, 1)

    def test_a_rejection_of_another_pair_starts_its_own_refresh(self) -> None:
        sm = FakeSecretsManager(OLD, NEW)
        credentials = provider(sm)

        assert credentials.refresh_after_rejection(OLD) == NEW
        sm.stages(NEW, HopaeCredentials("HqTRDIYH", "c" * 64))
        assert credentials.refresh_after_rejection(NEW) == HopaeCredentials("HqTRDIYH", "c" * 64)

    def test_an_unreadable_awspending_other_than_not_found_raises(self) -> None:
        sm = FakeSecretsManager(OLD)
        sm.errors["AWSPENDING"] = ClientError("AccessDeniedException")

        with pytest.raises(ClientError, match="AccessDeniedException"):
            provider(sm).refresh_after_rejection(OLD)

    def test_a_malformed_awspending_is_no_candidate(self) -> None:
        sm = FakeSecretsManager(OLD)
        sm.values["AWSPENDING"] = '{"clientId": "HqTRDIYH"}'

        assert provider(sm, max_refresh_wait_seconds=0).refresh_after_rejection(OLD) is None

    def test_returns_the_cached_pair_when_it_is_already_newer_than_the_rejected_one(self) -> None:
        sm = FakeSecretsManager(NEW)
        credentials = provider(sm)
        credentials.get()
        sm.reads.clear()

        assert credentials.refresh_after_rejection(OLD) == NEW
        assert sm.reads == []
