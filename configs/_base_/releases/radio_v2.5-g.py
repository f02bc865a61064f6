# RADIOv2.5-g: the backbone settings every RADIOv2.5-g config shares, as variables (bases may not share keys
# with the task config a leaf also inherits). `radio_backbone` merges into a RADIOBackbone/RADIOAdapter
# dict: the zoo name for the weights (radio_dense.radio.zoo.RADIO_ZOO['radio_v2.5-g']) and `arch`,
# the release's own architecture (radio_dense.radio.release_layouts), so the config builds it
# without weights (checkpoint=None, e.g. on the meta device).
radio_zoo_name = 'radio_v2.5-g'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='radio_v2.5-g')
radio_width = 1408  # embed dim: neck / head in_channels
radio_depth = 40  # blocks: layer-wise lr decay, adapter interaction indexes
radio_drop_path_rate = 0.4  # when fine-tuned (segmentation)
radio_layer_decay = 0.9  # layer-wise lr decay rate when fine-tuned (segmentation)
radio_vitdet = dict(vitdet_window_size=16, num_global=8)  # upstream's ViTDet schedule for this release
# ViTDet-paper detection fine-tuning (Li et al. 2022: B 0.1 / 0.7, L 0.4 / 0.8, H 0.5 / 0.9)
radio_det_drop_path_rate = 0.5
radio_det_layer_decay = 0.9
radio_det_backbone = dict(radio_backbone, **radio_vitdet, drop_path_rate=radio_det_drop_path_rate, with_cp=True)  # activation checkpointing: 1024x1024 crops at 2 images per GPU
# ViT-Adapter: interactions after each quarter of the blocks, deformable heads dividing the width
radio_adapter = dict(radio_backbone, interaction_indexes=[[0, 9], [10, 19], [20, 29], [30, 39]], deform_num_heads=16, drop_path_rate=0.5)
