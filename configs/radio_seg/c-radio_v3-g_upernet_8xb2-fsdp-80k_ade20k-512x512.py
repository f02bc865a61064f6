# The c-radio_v3-g UPerNet config trained with FSDP over 8 GPUs (configs/_base_/schedules/fsdp.py): fp32 weights, gradients
# and AdamW state fall from ~19 GB to ~3 GB per GPU (tools/analysis/plan_memory.py). bash tools/dist_train.sh THIS 8
_base_ = ['./c-radio_v3-g_upernet_8xb2-80k_ade20k-512x512.py', '../_base_/schedules/fsdp.py']
