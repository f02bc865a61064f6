"""Training machinery: layer-wise lr decay, schedules fitted to the loop, CPU bf16, crash-safe checkpoints, resume."""
