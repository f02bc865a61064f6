#!/usr/bin/env bash
# Create (if missing) the project's virtual environment in .venv and install everything.
# Idempotent: a finished environment is marked by .venv/.ready and skipped next time.
#
# Why the extra mmcv step: mmsegmentation 1.2.2 and mmdet 3.3.0 need mmcv>=2.0,<2.2 with its
# compiled ops, and PyPI ships only mmcv's source. mmcv 2.1.0 builds with C++17, which torch<=2.9
# accepts (torch 2.10+ headers need C++20), so torch is pinned to 2.9.1. The first build takes
# ~13 minutes on 2 cores; pip caches the wheel afterwards.
# On a machine with a CUDA GPU (torch sees one, or nvidia-smi lists one) the cached wheel is never
# reused: mmcv's CUDA ops are built from source (FORCE_CUDA=1, --no-binary, --no-cache-dir) with an
# nvcc whose major version matches torch's CUDA, or the script stops and says what to install
# (radio_dense/analysis/check_env.py decides; `python -m radio_dense.analysis.check_env` reports).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3.11}
STAMP="$VENV/.ready"
# the GPU list is part of the stamp: a CPU-ready environment is not ready once a GPU appears
GPUS=$( (command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null) || true)
HASH=$( (cat requirements.txt setup.py tools/setup_env.sh radio_dense/analysis/check_env.py; echo "$GPUS") \
  | sha1sum | cut -c1-12)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$HASH" ]]; then
  exit 0
fi
[[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q "torch==2.9.1" "torchvision==0.24.1"
"${PIP[@]}" install -q "setuptools<80" wheel ninja psutil "numpy>=2.0,<2.4" "opencv-python>=4.8,<5"
# MMCV_ACTION: ok | build-cpu | build-cuda | stop (with MMCV_MESSAGE saying why / what to install)
MMCV_PLAN=$("$VENV/bin/python" - --plan < radio_dense/analysis/check_env.py)
eval "$MMCV_PLAN"
case "$MMCV_ACTION" in
  build-cpu)
    echo "Building mmcv 2.1.0 with ops (first time ~13 min on 2 cores; cached afterwards)..."
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} "${PIP[@]}" install --no-build-isolation "mmcv==2.1.0" ;;
  build-cuda)
    echo "$MMCV_MESSAGE"
    CUDA_HOME="$MMCV_CUDA_HOME" FORCE_CUDA=1 MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-4} "${PIP[@]}" install \
      --no-build-isolation --no-binary mmcv --no-cache-dir --force-reinstall --no-deps "mmcv==2.1.0" ;;
  stop)
    echo "error: $MMCV_MESSAGE" >&2
    exit 1 ;;
esac
"${PIP[@]}" install -q -r requirements.txt
# mmdet's COCO-panoptic loading and PQ need panopticapi (not on PyPI under that name). The
# panopticapi-lite wheel is the same module; --no-deps because its metadata pins numpy<2, which
# would downgrade numpy, while the code runs on numpy 2 (tests/openmmlab/test_mask2former_configs.py).
"${PIP[@]}" install -q --no-deps "panopticapi-lite==0.2.0"
"${PIP[@]}" install -q --no-build-isolation --no-deps -e .
"$VENV/bin/python" -c "import mmseg.models, mmdet.models, mmcv.ops, sam3, radio_dense"
if [[ -n "$GPUS" ]]; then  # a GPU machine must end with CUDA ops, whatever happened above
  "$VENV/bin/python" -m radio_dense.analysis.check_env --require-cuda-ops
fi
echo "$HASH" > "$STAMP"
echo "environment ready: $VENV"
