#!/usr/bin/env bash
# Headless browser for the web-app end-to-end test: Debian's chromium + the playwright Python
# package (driver only: playwright's own browser downloads are never used). Idempotent; runs as root.
#   bash tools/setup_browser.sh        (tests/sam/test_app_browser.py calls it)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "chromium is missing and this is not root: run 'apt-get update && apt-get install -y chromium' as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium
fi
if ! "$PY" -c "import playwright.sync_api" 2>/dev/null; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$PY" -m pip install -q --disable-pip-version-check "playwright>=1.40"
fi
echo "browser ready: $(command -v chromium) ($(chromium --version 2>/dev/null | head -1)), playwright $("$PY" -c 'import importlib.metadata as m; print(m.version("playwright"))')"
