# Zero-shot open-vocabulary segmentation with RADIO's language adaptor (radio_dense.openmmlab.models.zero_shot_seg).
# Nothing is trained: `tools/test.py CONFIG` evaluates it (no checkpoint argument). The defaults are
# RADSeg's protocol (arXiv 2511.19704): C-RADIOv3-B + its SigLIP2 adaptor, self-correlating recursive
# attention in the trunk's last block (10), the summary head on every token, self-correlating global
# aggregation (10), sliding windows 336 / 224, softmax over 100 x cosine, prompt denoising 0.5.
# RADSeg+ adds `sam_refinement` (the *_radseg-plus_* leaves). Class names come from the test data set (ZeroShotClassesHook) unless given.
custom_imports = dict(imports=['radio_dense.openmmlab.seg'], allow_failed_imports=False)
data_preprocessor = dict(type='SegDataPreProcessor', mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0], bgr_to_rgb=True,
                         pad_val=0, seg_pad_val=255)
model = dict(
    type='RADIOZeroShotSegmentor',
    data_preprocessor=data_preprocessor,
    backbone=dict(source='c-radio_v3-b'),
    adaptor='siglip2-g',
    class_names=None,
    templates='openai',
    dense_head='summary',
    global_aggregation=10.0,
    self_correlation=10.0,
    slide_crop=336,
    slide_stride=224,
    logit_scale=100.0,
    prob_thd=0.0,
    prompt_denoising_thresh=0.5)
custom_hooks = [dict(type='ZeroShotClassesHook')]
test_cfg = dict(type='TestLoop')
# RADSeg's low-resolution tier: short side 336 (its other tiers: 576, 672). LoadAnnotations takes
# reduce_zero_label from the data set, so one pipeline serves every data set.
zero_shot_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 336), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
