# Sourced by the tools' shell launchers: PYTHON is $PYTHON if set, else the checkout's .venv/bin/python
# when it exists (what `make env` creates), else the first python on PATH.
_RADIO_DENSE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$_RADIO_DENSE_ROOT/.venv/bin/python" ]]; then
    PYTHON="$_RADIO_DENSE_ROOT/.venv/bin/python"
  else
    PYTHON=python
  fi
fi
