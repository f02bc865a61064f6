# Zero-shot segmentation of the synthetic shapes (tools/make_demo_data.py) with the tiny test RADIO
# and its `clip` adaptor: the pipeline check behind tests/openmmlab/test_zero_shot_seg.py, where
# an oracle "text tower" (each class's mean adaptor feature) stands in for real text embeddings.
# RANDOM WEIGHTS: the tiny checkpoint is a random one; real text embeddings mean nothing here.
# Short side 384: the 256 px images scaled 1.5x, as RADSeg's protocol scales images up to its short-side
# tiers. At 256 the 16x16 token grid caps the oracle near 77 mIoU (boundary cells); at 384 it reaches 85.
_base_ = ['mmseg::_base_/default_runtime.py', '../_base_/datasets/synthetic_shapes_seg.py',
          '../_base_/models/radio_zero_shot.py']
model = dict(backbone=dict(source='tests/fixtures/upstream/radio_tiny/radio-tiny.pth.tar'), adaptor='siglip',
             dense_head='feature', global_aggregation=10.0, self_correlation=None, slide_crop=160, slide_stride=96,
             prompt_denoising_thresh=0.0,
             templates='single', class_embeddings=None)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 384), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=False),
    dict(type='PackSegInputs'),
]
test_dataloader = dict(batch_size=2, dataset=dict(pipeline=test_pipeline))
default_hooks = dict(visualization=dict(type='SegVisualizationHook', draw=False))
# zero-shot: test only
train_dataloader = train_cfg = optim_wrapper = val_dataloader = val_cfg = val_evaluator = None
