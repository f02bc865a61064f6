#!/usr/bin/env bash
# srun launcher shared by slurm_train.sh and slurm_test.sh:
#   tools/slurm_launch.sh PARTITION JOB_NAME SCRIPT [SCRIPT args...]   (SCRIPT relative to tools/)
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$(( GPUS < 8 ? GPUS : 8 ))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-}
# MASTER_ADDR: the job's first node; MASTER_PORT: $PORT, else 20000 + job id % 10000 (tools/common/distributed.py).
# work_dir and the working directory must be on a filesystem every node shares (checked at start).
if [ -n "${PORT:-}" ]; then export MASTER_PORT=$PORT; fi
DIR=$(cd "$(dirname "$0")" && pwd)
source "$DIR/python_env.sh"
PYTHONPATH="$DIR/..:${PYTHONPATH:-}" \
srun -p "$PARTITION" --job-name="$JOB_NAME" --gres=gpu:"$GPUS_PER_NODE" --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 $SRUN_ARGS \
    "$PYTHON" -u "$DIR/$SCRIPT" "${@:4}" --launcher slurm
