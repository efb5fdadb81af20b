#!/usr/bin/env bash
# `npm run test:python`: the Python helper (client-python/, importable as hopae_rotation) on its own
# venv: strict type check, pytest against moto_server and the Hopae stand-in (needs `npm ci`), then
# its wheel, built offline from pip's configured mirror, installed into a fresh venv and imported.
set -euo pipefail
cd "$(dirname "$0")/.."
# PyPI is unreachable here and pip's local mirror is an extra index: fail over to it at once.
export PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1

venv=.venv-python
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet -e 'client-python[requests]' pytest mypy build
echo "python helper: $("$venv/bin/python" --version), mypy --strict"
(cd client-python && "../$venv/bin/python" -m mypy)
(cd client-python && "../$venv/bin/python" -m pytest -q)

rm -rf dist/python
"$venv/bin/python" -m build --wheel --outdir dist/python client-python > /dev/null
wheel="$(ls dist/python/*.whl)"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
python3 -m venv "$fresh"
"$fresh/bin/pip" install --quiet "$wheel[requests]"
"$fresh/bin/python" - <<'PY'
import importlib.resources, hopae_rotation
from hopae_rotation import HopaeAuth, HopaeCredentialsProvider, call_hopae  # noqa: F401
assert importlib.resources.files("hopae_rotation").joinpath("py.typed").is_file(), "py.typed is missing from the wheel"
print(f"wheel: hopae_rotation {hopae_rotation.__version__} installs and imports, py.typed included")
PY
echo "built $wheel"
