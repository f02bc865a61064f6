#!/usr/bin/env bash
# Distributed testing with torchrun: tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py args...]
# (NNODES, NODE_RANK, PORT, MASTER_ADDR, PYTHON from the environment; gloo without CUDA).
exec bash "$(dirname "$0")/dist_launch.sh" test.py "$3" "$1" "$2" "${@:4}"
