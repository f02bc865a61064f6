#!/usr/bin/env bash
# torchrun launcher shared by dist_train.sh and dist_test.sh:
#   tools/dist_launch.sh SCRIPT NUM_PROCS [SCRIPT args...]   (SCRIPT relative to tools/)
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR (required when NNODES > 1) and PORT on every node; work_dir
# must be on a filesystem all nodes share (checked at start). On machines without CUDA (or with
# CUDA_VISIBLE_DEVICES=) the gloo backend is used automatically (CPU processes). Python: $PYTHON,
# else .venv/bin/python of the checkout (tools/python_env.sh).
SCRIPT=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
if [ "$NNODES" -gt 1 ] && [ -z "${MASTER_ADDR:-}" ]; then
    echo "error: NNODES=$NNODES: set MASTER_ADDR to node 0's address (the same on every node), and NODE_RANK" >&2
    exit 2
fi
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
DIR=$(cd "$(dirname "$0")" && pwd)
source "$DIR/python_env.sh"
PYTHONPATH="$DIR/..:${PYTHONPATH:-}" \
exec "$PYTHON" -m torch.distributed.run --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" "$DIR/$SCRIPT" "${@:3}" --launcher pytorch
