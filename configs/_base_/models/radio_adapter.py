# ViT-Adapter on RADIO (RADIOAdapter) for Mask2Former configs, as variables: the configs inherit
# mmseg's / mmdet's own Mask2Former configs (which define `model`), so this base defines no `model`
# (mmengine refuses one key in two sibling bases) and children use `_base_.radio_adapter_b` etc.
# Settings follow ViT-Adapter's B / L models: interactions after every quarter of the blocks,
# deformable attention with 4 points and value ratio 0.5, convolutional FFN (ratio 0.25) in the
# extractors, two extra extractors at the end, injector gammas starting at 0. Children set
# `custom_imports` themselves (mmseg's Mask2Former base sets it too, and bases may not share keys).
# Children's data preprocessors set mean=None, std=None (RGB floats in [0, 255]): RADIOAdapter applies
# the checkpoint's own input conditioner, as RADIOBackbone does.
radio_adapter_b = dict(
    type='RADIOAdapter', checkpoint='radio_v2.5-b', arch='vit-b-16',
    interaction_indexes=[[0, 2], [3, 5], [6, 8], [9, 11]],
    conv_inplane=64, deform_num_heads=12, n_points=4, deform_ratio=0.5, init_values=0.0,
    with_cffn=True, cffn_ratio=0.25, use_extra_extractor=True, add_vit_feature=True,
    norm_cfg=dict(type='SyncBN', requires_grad=True), drop_path_rate=0.3, with_cp=False)
radio_adapter_l = dict(
    radio_adapter_b, checkpoint='radio_v2.5-l', arch='vit-l-16',
    interaction_indexes=[[0, 5], [6, 11], [12, 17], [18, 23]], deform_num_heads=16, drop_path_rate=0.4)
# AdamW with RADIO layer-wise lr decay; the adapter's own (randomly initialised) parameters learn
# at the full lr, as in ViT-Adapter's recipe (adapter_lr_scale=1.0; drop it to use the top block's
# rate). Level/query embeddings, norms, biases, position embedding and summary tokens: no decay.
radio_adapter_optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05),
    constructor='RADIOLayerDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.8, adapter_lr_scale=1.0),
    clip_grad=dict(max_norm=0.01, norm_type=2))
