"""``HopaeAuth``: Basic auth for requests with the retry of :func:`call_hopae`. Needs requests."""

from __future__ import annotations

from typing import Any, Optional

from requests.auth import AuthBase
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.models import PreparedRequest, Response

from .call_hopae import basic_authorization
from .credentials_provider import HopaeCredentials, HopaeCredentialsProvider


class HopaeAuth(AuthBase):
    """Authenticates requests to Hopae with the provider's pair; re-sends once after a 401.

    ``requests.get(url, auth=HopaeAuth(provider))`` or ``session.auth = HopaeAuth(provider)``.
    On a 401 the provider looks for a newer pair (AWSCURRENT, then AWSPENDING) and the request
    goes out once more with it, on the same connection pool, the 401 kept in ``history``. A body
    that cannot be sent twice (a generator, a file that cannot seek) is not re-sent: the 401 is
    returned. Thread-safe: one instance can serve every thread and session.
    """

    def __init__(self, provider: HopaeCredentialsProvider) -> None:
        self.provider = provider

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        credentials = self.provider.get()
        request.headers["Authorization"] = basic_authorization(credentials)
        body_position = _body_position(request.body)

        def retry_on_401(response: Response, **kwargs: Any) -> Response:
            return self._retry_on_401(credentials, body_position, response, **kwargs)

        request.register_hook("response", retry_on_401)
        return request

    def _retry_on_401(self, credentials: HopaeCredentials, body_position: Optional[int], response: Response, **kwargs: Any) -> Response:
        if response.status_code != 401 or not _replayable(response.request, body_position):
            return response
        fresher = self.provider.refresh_after_rejection(credentials)
        if fresher is None:
            return response
        # Read and release the 401 so the retry can reuse its connection (as requests' digest auth does).
        response.content
        response.close()
        retry = response.request.copy()
        if body_position is not None:
            retry.body.seek(body_position)  # type: ignore[union-attr]
        # Cookies the 401 set travel with the retry, as a redirect's would.
        jar = retry._cookies if retry._cookies is not None else RequestsCookieJar()
        extract_cookies_to_jar(jar, response.request, response.raw)
        retry.prepare_cookies(jar)
        retry.headers["Authorization"] = basic_authorization(fresher)
        # The adapter sends without dispatching hooks again: one retry, never a loop.
        second: Response = response.connection.send(retry, **kwargs)
        second.history.append(response)
        second.request = retry
        return second


def _body_position(body: object) -> Optional[int]:
    """Where a file-like body starts, so it can be sent again; None for any other body."""
    tell = getattr(body, "tell", None)
    if body is None or isinstance(body, (bytes, str)) or not callable(tell):
        return None
    try:
        position = tell()
    except OSError:
        return None
    return position if isinstance(position, int) else None


def _replayable(request: PreparedRequest, body_position: Optional[int]) -> bool:
    body = request.body
    if body is None or isinstance(body, (bytes, str)):
        return True
    return body_position is not None and callable(getattr(body, "seek", None))
