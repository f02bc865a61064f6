#!/usr/bin/env bash
# Create (if missing) the project's virtual environment in .venv and install everything.
# Idempotent: a finished environment is marked by .venv/.ready and skipped next time.
#
# Why the extra mmcv step: mmsegmentation 1.2.2 and mmdet 3.3.0 need mmcv>=2.0,<2.2 with its
# compiled ops, and PyPI ships only mmcv's source. mmcv 2.1.0 builds with C++17, which torch<=2.9
# accepts (torch 2.10+ headers need C++20), so torch is pinned to 2.9.1. The first build takes
# ~13 minutes on 2 cores; pip caches the wheel afterwards. Set FORCE_CUDA=1 to build CUDA ops.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3.11}
STAMP="$VENV/.ready"
HASH=$(cat requirements.txt setup.py tools/setup_env.sh | sha1sum | cut -c1-12)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$HASH" ]]; then
  exit 0
fi
[[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q "torch==2.9.1" "torchvision==0.24.1"
"${PIP[@]}" install -q "setuptools<80" wheel ninja psutil "numpy>=2.0,<2.4" "opencv-python>=4.8,<5"
if ! "$VENV/bin/python" -c "import mmcv, mmcv.ops" 2>/dev/null; then
  echo "Building mmcv 2.1.0 with ops (first time ~13 min on 2 cores; cached afterwards)..."
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} "${PIP[@]}" install --no-build-isolation "mmcv==2.1.0"
fi
"${PIP[@]}" install -q -r requirements.txt
# mmdet's COCO-panoptic loading and PQ need panopticapi (not on PyPI under that name). The
# panopticapi-lite wheel is the same module; --no-deps because its metadata pins numpy<2, which
# would downgrade numpy, while the code runs on numpy 2 (tests/mm/test_mask2former_configs.py).
"${PIP[@]}" install -q --no-deps "panopticapi-lite==0.2.0"
"${PIP[@]}" install -q --no-build-isolation --no-deps -e .
"$VENV/bin/python" -c "import mmseg.models, mmdet.models, mmcv.ops, sam3, radio_dense"
echo "$HASH" > "$STAMP"
echo "environment ready: $VENV"
