# RADSeg protocol (arXiv 2511.19704, RADSeg-OVSS/RADSeg configs_mmseg): C-RADIOv3-B + SigLIP2 adaptor, zero-shot,
# short side 336, sliding windows 336 / stride 224. Targets: metafile.yaml. `tools/test.py THIS_CONFIG` (no checkpoint).
_base_ = ['mmseg::_base_/datasets/pascal_context.py', 'mmseg::_base_/default_runtime.py', '../_base_/models/radio_zero_shot.py']
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 336), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=False),
    dict(type='PackSegInputs'),
]
test_dataloader = dict(batch_size=1, dataset=dict(pipeline=test_pipeline))
# zero-shot: test only
train_dataloader = train_cfg = optim_wrapper = val_dataloader = val_cfg = val_evaluator = None
