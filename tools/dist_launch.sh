#!/usr/bin/env bash
# torchrun launcher shared by dist_train.sh and dist_test.sh:
#   tools/dist_launch.sh SCRIPT NUM_PROCS [SCRIPT args...]   (SCRIPT relative to tools/)
# On machines without CUDA the gloo backend is used automatically (CPU processes). Python: $PYTHON,
# else .venv/bin/python of the checkout (tools/python_env.sh).
SCRIPT=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
DIR=$(cd "$(dirname "$0")" && pwd)
source "$DIR/python_env.sh"
PYTHONPATH="$DIR/..:${PYTHONPATH:-}" \
exec "$PYTHON" -m torch.distributed.run --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" "$DIR/$SCRIPT" "${@:3}" --launcher pytorch
