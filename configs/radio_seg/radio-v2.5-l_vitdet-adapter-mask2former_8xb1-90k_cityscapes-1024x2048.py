# RADIOv2.5-L + ViT-Adapter + Mask2Former on Cityscapes at full resolution, with ViTDet attention
# in the trunk (16x16-patch windows, 4 global blocks: the injector/extractor interactions are
# global through deformable attention, so windowing costs the adapter nothing).
# Recipe: mmseg's Mask2Former Cityscapes config (mask2former_r50_8xb2-90k_cityscapes-512x1024:
# shortest-edge jitter 512-2048, 90k iterations, poly lr, grad-norm clip 0.01, whole-image
# inference on 1024x2048) with 1024x1024 crops, 8 GPUs x 1 image, activation checkpointing,
# AdamW lr 1e-4, RADIO layer decay 0.9, 1.5k warm-up.
# Published targets (Cityscapes val mIoU, single scale):
#   Mask2Former as reproduced by mmseg: Swin-L IN-22k, 512x1024 crop: 83.65; R-50: 80.44;
#   ViT-Adapter repo: ViT-Adapter-L (BEiT-L, Mapillary pre-training) + Mask2Former, 896 crop: 84.9;
#   NVIDIA TAO: no public C-RADIO + Mask2Former Cityscapes number found when this was written.
_base_ = ['mmseg::mask2former/mask2former_r50_8xb2-90k_cityscapes-512x1024.py', '../_base_/models/radio_adapter.py']
custom_imports = dict(imports=['radio_dense.openmmlab.seg', 'mmdet.models'], allow_failed_imports=False)
crop_size = (1024, 1024)
model = dict(
    data_preprocessor=dict(mean=None, std=None, size=crop_size),
    backbone=dict(_base_.radio_adapter_l, _delete_=True, vitdet_window_size=16, num_global=4, with_cp=True),
    decode_head=dict(in_channels=[1024, 1024, 1024, 1024]))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomChoiceResize', scales=[int(1024 * x * 0.1) for x in range(5, 21)],
         resize_type='ResizeShortestEdge', max_size=4096),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=1, dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(_base_.radio_adapter_optim_wrapper, paramwise_cfg=dict(decay_rate=0.9, adapter_lr_scale=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=1500, end=90000, by_epoch=False),
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
