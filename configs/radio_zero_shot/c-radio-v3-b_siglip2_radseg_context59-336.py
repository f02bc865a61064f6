# RADSeg protocol (arXiv 2511.19704, RADSeg-OVSS/RADSeg configs_mmseg): C-RADIOv3-B + SigLIP2 adaptor, zero-shot,
# short side 336, sliding windows 336 / stride 224. Targets: metafile.yaml. `tools/test.py THIS_CONFIG` (no checkpoint).
_base_ = ['mmseg::_base_/datasets/pascal_context_59.py', 'mmseg::_base_/default_runtime.py', '../_base_/models/radio_zero_shot.py']
test_dataloader = dict(batch_size=1, dataset=dict(pipeline={{_base_.zero_shot_test_pipeline}}))
train_dataloader = train_cfg = optim_wrapper = val_dataloader = val_cfg = val_evaluator = None  # zero-shot: test only
