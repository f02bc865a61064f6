# Offline demo: a tiny RADIO from scratch with ViT-Adapter + a light Mask2Former head (semantic) on
# the synthetic shapes set (python tools/make_demo_data.py --out data/demo). Same data, crops,
# batch and iterations as the UPerNet demo (radio-tiny_upernet_*; it uses lr 2e-3, this one 1e-3), so the two compare
# at equal iterations (tools/analysis/benchmark_mask2former_demos.py).
_base_ = [
    'mmseg::_base_/default_runtime.py', '../_base_/datasets/synthetic_shapes_seg.py',
    '../_base_/models/radio_adapter-mask2former.py', '../_base_/schedules/demo_adamw_300.py',
]
crop_size = (192, 192)
num_classes = 7
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(arch='radio-tiny', deform_num_heads=6, drop_path_rate=0.0,
                  norm_cfg=dict(type='BN', requires_grad=True)),
    decode_head=dict(
        in_channels=[192, 192, 192, 192], feat_channels=64, out_channels=64, num_classes=num_classes, num_queries=16,
        pixel_decoder=dict(encoder=dict(num_layers=2, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=64, num_heads=4), ffn_cfg=dict(embed_dims=64, feedforward_channels=256))),
            positional_encoding=dict(num_feats=32)),
        positional_encoding=dict(num_feats=32),
        transformer_decoder=dict(num_layers=3, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=64, num_heads=4), cross_attn_cfg=dict(embed_dims=64, num_heads=4),
            ffn_cfg=dict(embed_dims=64, feedforward_channels=256))),
        loss_cls=dict(class_weight=[1.0] * num_classes + [0.1]),
        train_cfg=dict(num_points=192 * 192 // 4)))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(checkpoint=dict(max_keep_ckpts=1), visualization=dict(type='SegVisualizationHook', draw=False))
train_dataloader = dict(batch_size=4)
