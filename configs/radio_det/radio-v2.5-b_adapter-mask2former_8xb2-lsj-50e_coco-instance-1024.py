# RADIOv2.5-B + ViT-Adapter + Mask2Former, COCO instance segmentation (80 thing classes).
# Recipe: mmdet's own Mask2Former instance config (mask2former_r50_8xb2-lsj-50e_coco: large-scale
# jitter 0.1-2.0 at 1024x1024, 100 queries, 50 epochs = 368,750 iterations of 8 GPUs x 2 images,
# lr x0.1 at 327,778 and 355,092, grad-norm clip 0.01, box/mask AP) with its ResNet replaced by
# RADIOAdapter and its optimizer by AdamW lr 1e-4 with RADIO layer decay 0.8, 1.5k warm-up.
# Published targets (COCO val2017 mask AP):
#   Mask2Former as reproduced by mmdet (same schedule): R-50 42.9, Swin-S 46.1; the paper's best
#     is 50.1 (Swin-L IN-22k, 100 epochs);
#   ViT-Adapter repo: ViT-Adapter-L (BEiTv2-L) + Mask2Former panoptic model, 3x + MS: 48.9 mask AP;
#   NVIDIA TAO: no public C-RADIO + Mask2Former COCO-instance number found when this was written.
_base_ = ['mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco.py', '../_base_/models/radio_adapter.py']
custom_imports = dict(imports=['radio_dense.openmmlab.det'], allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(mean=None, std=None),
    backbone=dict(_base_.radio_adapter_b, _delete_=True),
    panoptic_head=dict(in_channels=[768, 768, 768, 768]))
optim_wrapper = _base_.radio_adapter_optim_wrapper
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=1500),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=_base_.max_iters, milestones=[327778, 355092], gamma=0.1),
]
