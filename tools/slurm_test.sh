#!/usr/bin/env bash
# Evaluation on a Slurm cluster, as in mmseg / mmdet:
#   GPUS=8 tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
# Same environment variables as tools/slurm_train.sh.
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
exec bash "$(dirname "$0")/slurm_launch.sh" "$PARTITION" "$JOB_NAME" test.py "$CONFIG" "$CHECKPOINT" "${@:5}"
