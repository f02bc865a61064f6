# RADIOv2.5-L: the backbone settings every RADIOv2.5-L config shares, as variables (bases may not share keys
# with the task config a leaf also inherits). `radio_backbone` merges into a RADIOBackbone/RADIOAdapter
# dict: the zoo name for the weights (radio_dense.radio.zoo.RADIO_ZOO['radio_v2.5-l']) and `arch`,
# the random-init trunk checkpoint=None builds (the B/L configs' long-standing 'vit-b-16' /
# 'vit-l-16').
radio_zoo_name = 'radio_v2.5-l'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='vit-l-16')
radio_width = 1024  # embed dim: neck / head in_channels
radio_depth = 24  # blocks: layer-wise lr decay, adapter interaction indexes
radio_drop_path_rate = 0.2  # when fine-tuned (segmentation)
radio_layer_decay = 0.85  # layer-wise lr decay rate when fine-tuned (segmentation)
radio_vitdet = dict(vitdet_window_size=16, num_global=4)  # upstream's ViTDet schedule for this release
# ViTDet-paper detection fine-tuning (Li et al. 2022: B 0.1 / 0.7, L 0.4 / 0.8, H 0.5 / 0.9)
radio_det_drop_path_rate = 0.4
radio_det_layer_decay = 0.8
radio_det_backbone = dict(radio_backbone, **radio_vitdet, drop_path_rate=radio_det_drop_path_rate, with_cp=True)  # activation checkpointing: 1024x1024 crops at 2 images per GPU
# ViT-Adapter: interactions after each quarter of the blocks, deformable heads dividing the width
radio_adapter = dict(radio_backbone, interaction_indexes=[[0, 5], [6, 11], [12, 17], [18, 23]], deform_num_heads=16, drop_path_rate=0.4)
