# Mask R-CNN on a plain RADIO ViT, ViTDet recipe (Li et al. 2022): one stride-16 map from the last
# block -> SimpleFPN (strides 4..32 plus a pooled stride-64 level for the RPN), RPN with 2 convs,
# 4conv1fc box head and 4-conv mask head, all necks/heads normalised with LayerNorm over channels
# (LN2d). Sized for ViT-B; leaves set checkpoint/arch, neck in_channels and num_classes.
_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py', '../radio_det_preprocess.py']
norm_cfg = dict(type='LN2d', requires_grad=True)
model = dict(
    data_preprocessor=_base_.radio_det_data_preprocessor,
    backbone=dict(
        _delete_=True, type='RADIOBackbone', checkpoint=None, arch='vit-b-16', out_indices=(-1,),
        vitdet_window_size=16, num_global=4, drop_path_rate=0.1, with_cp=False),
    neck=dict(
        _delete_=True, type='SimpleFPN', in_channels=768, out_channels=256,
        scale_factors=(4.0, 2.0, 1.0, 0.5), num_outs=5, norm_cfg=norm_cfg),
    rpn_head=dict(num_convs=2),
    roi_head=dict(
        # mmcv's RoIAlign reads raw NCHW memory: guard against non-contiguous (permuted) maps
        bbox_roi_extractor=dict(type='ContiguousRoIExtractor'),
        mask_roi_extractor=dict(type='ContiguousRoIExtractor'),
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256, norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))
