# The c-radio_v3-g UPerNet config trained with FSDP (mmengine's FlexibleRunner + FSDPStrategy): each of the 8 GPUs keeps
# 1/8 of the weights, gradients and AdamW state (tools/analysis/plan_memory.py: ~19 GB of fp32 state on one GPU
# without it), every RADIO block its own FSDP unit (size-based policy: a ViT-g block has ~28M parameters).
# Needs GPUs (FSDP refuses CPU-only runs): bash tools/dist_train.sh THIS 8
_base_ = './c-radio_v3-g_upernet_8xb2-80k_ade20k-512x512.py'
runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(auto_wrap_policy=dict(type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
                                             min_num_params=int(1e7)),
                       use_orig_params=True))  # the layer-decay optimizer groups parameters by their names
