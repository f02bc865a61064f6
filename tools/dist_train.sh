#!/usr/bin/env bash
# Distributed training with torchrun: tools/dist_train.sh CONFIG NUM_PROCS [train.py args...]
# (NNODES, NODE_RANK, PORT, MASTER_ADDR, PYTHON from the environment; gloo without CUDA).
exec bash "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
