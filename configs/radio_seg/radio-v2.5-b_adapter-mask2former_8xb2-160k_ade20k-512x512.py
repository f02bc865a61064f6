# RADIOv2.5-B + ViT-Adapter + Mask2Former, semantic segmentation on ADE20K.
# Recipe: mmseg's own Mask2Former ADE20K config (mask2former_r50_8xb2-160k_ade20k-512x512: 512x512
# crops, 100 queries, 9 decoder layers, 160k iterations of 8 GPUs x 2 images, poly lr, grad-norm
# clip 0.01) with its ResNet replaced by RADIOAdapter (configs/_base_/models/radio_adapter.py) and
# its optimizer by AdamW lr 1e-4 with RADIO layer-wise lr decay 0.8 and a 1.5k-iteration warm-up.
# Published targets (single-scale mIoU, ADE20K val):
#   Mask2Former (Cheng et al., CVPR 2022) as reproduced by mmseg: R-50, 512 crop: 47.87;
#     Swin-B IN-1k, 640 crop: 52.44; Swin-B IN-22k, 640 crop: 53.90;
#   ViT-Adapter paper (Chen et al., ICLR 2023) / repo: ViT-Adapter-L (BEiT-L) + Mask2Former, 640
#     crop, 160k: 58.3 (59.0 multi-scale);
#   NVIDIA TAO: no public C-RADIO + Mask2Former ADE20K number found when this was written.
_base_ = ['mmseg::mask2former/mask2former_r50_8xb2-160k_ade20k-512x512.py', '../_base_/models/radio_adapter.py']
custom_imports = dict(imports=['radio_dense.openmmlab.seg', 'mmdet.models'], allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(mean=None, std=None),
    backbone=dict(_base_.radio_adapter_b, _delete_=True),
    decode_head=dict(in_channels=[768, 768, 768, 768]))
optim_wrapper = _base_.radio_adapter_optim_wrapper
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=1500, end=160000, by_epoch=False),
]
