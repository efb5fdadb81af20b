"""A Python application calling Hopae through a rotation, for `npm run continuity`: it calls
GET /providers without pause with the Python helper (client-python/, hopae_rotation.HopaeAuth) and
writes one JSON line per call, {"start", "end", "ok"} in epoch milliseconds, until stdin closes.
It prints no secret. Configuration from the environment: HOPAE_SECRET_ID, HOPAE_PROVIDERS_URL,
HOPAE_TTL_SECONDS, and the standard AWS variables (AWS_ENDPOINT_URL_SECRETS_MANAGER, ...)."""

import json
import os
import sys
import threading
import time

try:
    import requests

    from hopae_rotation import HopaeAuth, HopaeCredentialsProvider
except ImportError as error:  # the caller turns this line into its error message
    print(json.dumps({"error": f"{error}: the Python consumer needs boto3 and requests (npm run test:python provisions .venv-python)"}), flush=True)
    sys.exit(2)


def main() -> None:
    provider = HopaeCredentialsProvider(os.environ["HOPAE_SECRET_ID"], ttl_seconds=float(os.environ.get("HOPAE_TTL_SECONDS", "60")))
    session = requests.Session()
    session.auth = HopaeAuth(provider)
    url = os.environ["HOPAE_PROVIDERS_URL"]
    stopped = threading.Event()
    # stdin closing is the signal to stop (the parent ends or goes away).
    threading.Thread(target=lambda: (sys.stdin.read(), stopped.set()), daemon=True).start()
    out = sys.stdout
    while not stopped.is_set():
        start = time.time() * 1000
        try:
            ok = session.get(url, timeout=10).status_code == 200
        except Exception:
            ok = False
        out.write(json.dumps({"start": round(start, 1), "end": round(time.time() * 1000, 1), "ok": ok}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
