# Fully sharded data parallel training (mmengine's FlexibleRunner + FSDPStrategy): every GPU keeps 1/N of the
# weights, gradients and AdamW state. Each RADIO block becomes its own FSDP unit (size-based policy: a ViT-g block
# has ~28M parameters, ViT-B one ~7M: lower min_num_params for smaller trunks). use_orig_params keeps the parameter
# names the layer-decay optimizer groups by. FSDP needs GPUs (torch refuses CPU-only processes).
runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(auto_wrap_policy=dict(type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
                                             min_num_params=int(1e7)),
                       use_orig_params=True))
