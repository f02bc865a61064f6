#!/usr/bin/env bash
# Training on a Slurm cluster, as in mmseg / mmdet:
#   GPUS=16 tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args...]
# GPUS (total, default 8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS and PYTHON from the
# environment. Each Slurm task is one process; tools/train.py reads its rank from Slurm (--launcher slurm).
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
exec bash "$(dirname "$0")/slurm_launch.sh" "$PARTITION" "$JOB_NAME" train.py "$CONFIG" --work-dir "$WORK_DIR" "${@:5}"
