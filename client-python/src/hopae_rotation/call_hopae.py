"""Calling Hopae so that a rotation never fails a call. Mirrors ``client/call-hopae.ts``."""

from __future__ import annotations

import base64
from typing import Callable, Optional, TypeVar, Union

from .credentials_provider import HopaeCredentials, HopaeCredentialsProvider

T = TypeVar("T")


def call_hopae(
    provider: HopaeCredentialsProvider,
    call: Callable[[HopaeCredentials], T],
    *,
    is_unauthorized: Optional[Callable[[Union[T, BaseException]], bool]] = None,
) -> T:
    """Runs ``call(pair)`` with the current pair; on a 401, once more with a fresher pair.

    A 401 (by default: a result whose ``status_code`` or ``status`` is 401, as requests, httpx
    and urllib responses have, or an exception carrying such a status or ``response``) makes the
    provider look for a newer pair in AWSCURRENT, then AWSPENDING (see
    :meth:`HopaeCredentialsProvider.refresh_after_rejection`); ``call`` then runs once more with
    it, and the rejected response is closed first when it has ``close()``. Never loops: ``call``
    runs at most twice, so build the request inside it. Every other outcome, and the second
    call's, passes through untouched (returned or raised). When no newer pair turns up, the
    first outcome is returned or raised.

    :param is_unauthorized: whether an outcome (the call's result, or the exception it raised)
        means Hopae refused the credentials.
    """
    unauthorized = is_unauthorized or _is_unauthorized_by_default
    credentials = provider.get()
    try:
        first = call(credentials)
    except Exception as error:
        if not unauthorized(error):
            raise
        fresher = provider.refresh_after_rejection(credentials)
        if fresher is None:
            raise
        _close_quietly(error)
        return call(fresher)
    if not unauthorized(first):
        return first
    fresher = provider.refresh_after_rejection(credentials)
    if fresher is None:
        return first
    _close_quietly(first)
    return call(fresher)


def basic_authorization(credentials: HopaeCredentials) -> str:
    """``Basic base64(clientId:clientSecret)``, the value of the Authorization header."""
    token = f"{credentials.client_id}:{credentials.client_secret}".encode("utf-8")
    return "Basic " + base64.b64encode(token).decode("ascii")


def _is_unauthorized_by_default(outcome: object) -> bool:
    if _status_of(outcome) == 401:
        return True
    # requests.HTTPError and httpx.HTTPStatusError carry the response.
    return isinstance(outcome, BaseException) and _status_of(getattr(outcome, "response", None)) == 401


def _status_of(value: object) -> object:
    for name in ("status_code", "status"):
        status = getattr(value, name, None)
        if isinstance(status, int) and not isinstance(status, bool):
            return status
    return None


def _close_quietly(outcome: object) -> None:
    """Frees the rejected response's connection before the second call."""
    close = getattr(outcome, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # closing is a courtesy; the second call must still run
            pass
